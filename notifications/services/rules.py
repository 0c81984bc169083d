"""Choosing the alert rule that applies to a product where it is stocked."""

from dataclasses import dataclass, field

from catalog.models import Category, Product
from stock.selectors import abc_xyz_get

from ..models import AlertRule, RuleScope

ABC_PERIOD_DAYS = 90


@dataclass
class RuleBook:
    """The active rules and the category tree, loaded once per evaluation run."""

    rules: list[AlertRule]
    parents: dict[int, int | None]
    abc: dict[int, str] = field(default_factory=dict)  # product id -> "A" | "B" | "C"

    @classmethod
    def load(cls) -> "RuleBook":
        rules = list(AlertRule.objects.filter(is_active=True).order_by("pk"))
        parents, abc = {}, {}
        if any(rule.scope == RuleScope.CATEGORY for rule in rules):
            parents = dict(Category.objects.values_list("pk", "parent_id"))
        if any(rule.scope == RuleScope.ABC_CLASS for rule in rules):
            # The dashboard's classes (cached): revenue over ABC_PERIOD_DAYS.
            classes = abc_xyz_get(period_days=ABC_PERIOD_DAYS).classes
            abc = {pk: cell[0] for pk, cell in classes.items()}
        return cls(rules=rules, parents=parents, abc=abc)

    def ancestry(self, category_id: int) -> list[int]:
        """The category and its parents, nearest first (a loop ends the walk)."""
        chain: list[int] = []
        node = category_id
        while node is not None and node not in chain:
            chain.append(node)
            node = self.parents.get(node)
        return chain

    def winner(
        self,
        *,
        kind: str,
        product: Product,
        warehouse_id: int,
        location_id: int | None = None,
    ) -> AlertRule | None:
        """The most specific active rule of this kind for the product there:
        location > product x warehouse > product > nearest category > ABC
        class > warehouse > all.
        None when no rule of the kind applies."""
        ancestry = self.ancestry(product.category_id)
        best, best_score = None, None
        for rule in self.rules:
            if rule.kind != kind:
                continue
            score = _score(rule, product, warehouse_id, location_id, ancestry, self.abc)
            if score is not None and (best_score is None or score > best_score):
                best, best_score = rule, score
        return best


def _score(
    rule: AlertRule,
    product: Product,
    warehouse_id: int,
    location_id: int | None,
    ancestry: list[int],
    abc: dict[int, str],
) -> tuple[int, int] | None:
    """How specifically `rule` covers the product there (higher wins), or None
    when it does not cover it: its scope's rank, then the category's nearness."""
    if rule.scope == RuleScope.LOCATION:
        covers = location_id is not None and rule.location_id == location_id
    elif rule.scope == RuleScope.PRODUCT_WAREHOUSE:
        covers = (rule.product_id, rule.warehouse_id) == (product.pk, warehouse_id)
    elif rule.scope == RuleScope.PRODUCT:
        covers = rule.product_id == product.pk
    elif rule.scope == RuleScope.WAREHOUSE:
        covers = rule.warehouse_id == warehouse_id
    elif rule.scope == RuleScope.ABC_CLASS:
        covers = abc.get(product.pk) == rule.abc_class
    elif rule.scope == RuleScope.CATEGORY:
        if rule.category_id not in ancestry:
            return None
        return (rule.rank, -ancestry.index(rule.category_id))
    else:
        covers = True
    return (rule.rank, 0) if covers else None
