"""Schemathesis against the live OpenAPI schema, served by gunicorn.

Every operation gets generated requests (positive and negative) checked by all
of Schemathesis' checks; a stateful run follows the schema's links (a created
order -> cancel / read, a created return -> its status). Shop operations go
out with a shop key, staff-only ones with a manager session (+ CSRF token), as
each operation's `security` says.

The stack is its own: a scratch PostgreSQL database next to DATABASE_URL's,
migrated and seeded (bench/stack.py), and gunicorn on a free port on
127.0.0.1 with Celery tasks run in the request. SCHEMATHESIS_STACK=<file>
(JSON: base_url plus what bench.stack.seed_api returns) targets a stack that is
already running instead (bench/attack.py does). SCHEMATHESIS_MAX_EXAMPLES sets
the cases per operation (25 by default; 100 for the longer run), and
SCHEMATHESIS_REPORT=<file> writes the pass/fail counts per check as JSON.
"""

import json
import os
import subprocess
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from bench import stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)
STATEFUL_SETTINGS = hypothesis.settings(
    SETTINGS, max_examples=max(5, MAX_EXAMPLES // 2), stateful_step_count=6
)

# What the stack holds and how to call it; filled by the `live_stack` fixture.
STACK: dict = {}
RESULTS: dict[str, Counter] = {}


def _pg_base() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith("postgres") else stack.PG


WARM_CLASSIFIER = (
    "from returns.services.classification import classifier_active; classifier_active()"
)


def _start_stack(tmp: Path):
    database = f"stockwise_schemathesis_{os.getpid()}"
    pg = _pg_base()
    env = stack.server_env(database, redis=False, pg=pg)
    stack.recreate_database(database, pg=pg)
    processes = []
    try:
        stack.migrate(env)
        # Once migrated, three things that do not wait for each other run side
        # by side: gunicorn boots, the data is seeded, and the returns
        # classifier's bootstrap model is trained and stored. Without the last,
        # the first return the fuzzer creates trains it inside the request and
        # runs past the client's timeout on a loaded machine (a ReadTimeout no
        # deployment sees: it trains once, at its first return, for good).
        port = stack.free_port()
        server = stack.start_gunicorn(env, port, tmp / "gunicorn.log", workers=2)
        processes.append(server)
        warm = subprocess.Popen(
            [str(stack.PYTHON), "manage.py", "shell", "-c", WARM_CLASSIFIER],
            cwd=stack.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        seeded = subprocess.run(
            [str(stack.PYTHON), "bench/stack.py", "seed-api"],
            cwd=stack.ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        _, warm_errors = warm.communicate()
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-3000:]}")
        if warm.returncode:
            raise RuntimeError(f"classifier warm-up failed:\n{warm_errors[-3000:]}")
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        data["base_url"] = f"http://127.0.0.1:{port}"
        stack.wait_until_up(data["base_url"], data["shop_key"], server)
        yield data
    finally:
        for process in processes:
            stack.stop(process)
        log = tmp / "gunicorn.log"
        if log.exists() and log.read_text().strip():
            print(f"gunicorn log:\n{log.read_text()[-3000:]}")
        stack.recreate_database(database, drop_only=True, pg=pg)


@pytest.fixture(scope="session")
def live_stack():
    target = os.environ.get("SCHEMATHESIS_STACK")
    if target:
        STACK.update(json.loads(Path(target).read_text()))
        yield STACK
        return
    with tempfile.TemporaryDirectory(prefix="schemathesis_") as tmp:
        for data in _start_stack(Path(tmp)):
            STACK.update(data)
            yield STACK
    STACK.clear()


@pytest.fixture(scope="session")
def api_schema(live_stack, check_report):
    return schemathesis.openapi.from_url(
        f"{live_stack['base_url']}/api/schema/?format=json"
    )


@pytest.fixture(scope="session")
def check_report(request):
    yield RESULTS
    summary = {
        name: {"passed": counts["success"], "failed": counts["failure"]}
        for name, counts in sorted(RESULTS.items())
    }
    path = os.environ.get("SCHEMATHESIS_REPORT")
    if path:
        Path(path).write_text(json.dumps(summary))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and summary:
        reporter.write_line(f"schemathesis checks: {json.dumps(summary)}")


# --- credentials and realistic values ----------------------------------------


def _schemes(operation) -> set[str]:
    security = operation.definition.raw.get("security") or []
    return {name for requirement in security for name in requirement}


@schemathesis.auth()
class StackAuth:
    """The shop key where the operation admits shops, else the manager
    session with its CSRF token."""

    def get(self, case, context):
        return STACK

    def set(self, case, data, context):
        schemes = _schemes(case.operation)
        if "shopKey" in schemes:
            case.headers = {
                **(case.headers or {}),
                "Authorization": f"Bearer {data['shop_key']}",
            }
        elif "cookieAuth" in schemes:
            case.cookies = {
                **(case.cookies or {}),
                "sessionid": data["session_id"],
                "csrftoken": data["csrf_token"],
            }
            case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrf_token"]}


def _pick(values: list, seed) -> object:
    return values[hash(str(seed)) % len(values)]


def _real_references(body: dict) -> None:
    """Point generated names at objects that exist, so a valid request can
    get past lookups to the logic behind them."""
    for field, pool in (
        ("sku", "skus"),
        ("warehouse", "warehouses"),
        ("from_warehouse", "warehouses"),
        ("to_warehouse", "warehouses"),
        ("location", "locations"),
        ("from_location", "locations"),
        ("to_location", "locations"),
        ("supplier_id", "supplier_ids"),
        ("order_reference", "shipped_orders"),
        # A return names the key's own shop (another one is a 400).
        ("shop", "shops"),
    ):
        if field in body and isinstance(body[field], type(STACK[pool][0])):
            body[field] = _pick(STACK[pool], body[field])
    if isinstance(body.get("skus"), list):
        body["skus"] = [_pick(STACK["skus"], s) for s in body["skus"]]
    for line in body.get("lines") or []:
        if isinstance(line, dict):
            _real_references(line)


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    if isinstance(case.body, dict):
        _real_references(case.body)
        # Rules JSON Schema cannot state: a transfer goes between two
        # warehouses; a count sheet of nothing needs SKUs to count; a
        # promotion ends on or after it starts.
        body = case.body
        if body.get("from_warehouse") and body.get("from_warehouse") == body.get(
            "to_warehouse"
        ):
            others = [w for w in STACK["warehouses"] if w != body["from_warehouse"]]
            body["to_warehouse"] = others[0]
        if "skus" in body and not body["skus"]:
            body["skus"] = STACK["skus"][:1]
        start, end = body.get("start_date"), body.get("end_date")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            body["start_date"], body["end_date"] = end, start
    if case.headers and "Idempotency-Key" in case.headers:
        # One key per logical request, as shops are told to send.
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    return case


@schemathesis.hook
def after_validate(context, case, response, results):
    for result in results:
        RESULTS.setdefault(result.name, Counter())[result.status.name.lower()] += 1


# --- the tests ----------------------------------------------------------------

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms(case):
    case.call_and_validate()


@pytest.fixture(scope="session")
def state_machine(api_schema):
    return api_schema.as_state_machine()


def test_stateful_links_conform(api_schema, state_machine):
    paths = api_schema.raw_schema["paths"]
    assert set(paths["/api/v1/orders/"]["post"]["responses"]["201"]["links"]) >= {
        "CancelOrder",
        "GetOrder",
    }
    assert (
        "GetReturnStatus"
        in (paths["/api/v1/returns/"]["post"]["responses"]["201"]["links"])
    )
    state_machine.run(settings=STATEFUL_SETTINGS)
