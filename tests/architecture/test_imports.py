"""The import structure: no circles, and every app imports downward only.

The graph is read by grimp (import-linter's graph library) from the source,
with imports inside functions counted like any other: an import moved into a
function to dodge a circle is still a circle here.
"""

import grimp
import pytest

# From the bottom up: an app may import only from the layers below it. The
# apps of one layer are independent of each other.
LAYERS = (
    ("core",),
    ("catalog",),
    ("stock",),
    ("forecasting", "returns", "notifications"),
    ("config",),
)
APPS = tuple(app for layer in LAYERS for app in layer)


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS, include_external_packages=False)


def _circles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = iter(range(10**9))

    def visit(root):
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = next(counter)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = next(counter)
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back(graph):
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    graph = grimp.ImportGraph()
    graph.add_import(importer="a.x", imported="a.y", line_number=1, line_contents="")
    graph.add_import(importer="a.y", imported="a.z", line_number=1, line_contents="")
    graph.add_import(importer="a.z", imported="a.x", line_number=1, line_contents="")
    graph.add_import(importer="a.z", imported="a.w", line_number=1, line_contents="")
    assert _circles(graph) == [["a.x", "a.y", "a.z"]]


def _upward_imports(graph) -> list[str]:
    rank = {app: level for level, layer in enumerate(LAYERS) for app in layer}
    wrong = []
    for importer_app in APPS:
        for imported_app in APPS:
            if importer_app == imported_app:
                continue
            same_layer = rank[importer_app] == rank[imported_app]
            if rank[imported_app] < rank[importer_app] and not same_layer:
                continue
            for route in graph.find_shortest_chains(
                importer=importer_app, imported=imported_app, as_packages=True
            ):
                wrong.append(" -> ".join(route))
    return sorted(wrong)


def test_every_app_imports_downward_only(graph):
    assert _upward_imports(graph) == []
