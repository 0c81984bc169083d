"""Random sequences of every stock operation through the real services.

A Hypothesis state machine receives purchase orders, reserves, ships and
cancels shop orders, transfers between two warehouses, confirms counts of a
whole warehouse or of one location, adjusts and restocks returns, naming a
location or leaving it to the defaults and the pick rule. After every step
the database must hold no negative stock, 0 <= reserved <= on hand, balances
per warehouse and per location equal to the ledger (the check behind
`manage.py stock_reconcile`) and equal to a plain Python model of the
operations; an operation a service refuses must have changed nothing.

The default run is short enough for CI; `HYPOTHESIS_PROFILE=long` runs longer.
"""

import itertools
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from core.errors import InvalidInput, InvalidState
from returns.models import ReturnLine, ReturnRequest
from returns.services.intake import ReturnLineInput, return_create
from returns.services.review import return_receive, return_resolve, return_review
from stock.errors import InsufficientStock
from stock.models import (
    Location,
    LocationStockLevel,
    PurchaseOrder,
    PurchaseOrderLine,
    SalesOrder,
    StockLevel,
    StockMovement,
    Stocktake,
    StocktakeLine,
    Transfer,
    Warehouse,
)
from stock.selectors import stock_reconcile
from stock.services.operations import (
    TransferLineInput,
    stock_adjust,
    stocktake_confirm,
    stocktake_create,
    stocktake_record_counts,
    transfer_create,
)
from stock.services.orders import (
    OrderLineInput,
    sales_order_cancel,
    sales_order_create,
    sales_order_ship,
)
from stock.services.purchasing import (
    PurchaseLineInput,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests import factories

settings.register_profile(
    "ci",
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    # No example database: nothing is written into the working tree; a failure
    # prints its steps and a @reproduce_failure blob instead.
    database=None,
    print_blob=True,
)
settings.register_profile(
    "long",
    settings.get_profile("ci"),
    max_examples=500,
    stateful_step_count=60,
)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REFUSALS = (InsufficientStock, InvalidInput, InvalidState)
PRODUCTS = st.integers(0, 1)
WAREHOUSES = st.integers(0, 1)
# Three storage locations per warehouse: A-01 is picked first, C-03 receives.
CODES = ["A-01", "B-02", "C-03"]
PICK, RECEIVING = 0, 2
LOCATIONS = st.none() | st.integers(0, 2)  # None: the defaults and the pick rule
_external_ids = itertools.count(1)


def _fingerprint() -> tuple:
    """Everything an operation may write, to prove a refusal wrote nothing."""
    return (
        list(
            StockLevel.objects.order_by("pk").values_list("pk", "on_hand", "reserved")
        ),
        StockMovement.objects.count(),
        list(SalesOrder.objects.order_by("pk").values_list("pk", "status")),
        list(PurchaseOrder.objects.order_by("pk").values_list("pk", "status")),
        list(
            PurchaseOrderLine.objects.order_by("pk").values_list(
                "pk", "quantity_received"
            )
        ),
        Transfer.objects.count(),
        list(Stocktake.objects.order_by("pk").values_list("pk", "status")),
        list(
            StocktakeLine.objects.order_by("pk").values_list(
                "pk", "counted", "variance"
            )
        ),
        list(
            ReturnRequest.objects.order_by("pk").values_list(
                "pk", "status", "resolution"
            )
        ),
        ReturnLine.objects.count(),
        list(LocationStockLevel.objects.order_by("pk").values_list("pk", "on_hand")),
    )


class StockMachine(RuleBasedStateMachine):
    purchase_orders = Bundle("purchase_orders")
    orders = Bundle("orders")
    counts = Bundle("counts")

    def __init__(self):
        super().__init__()
        # Each run gets its own savepoint, rolled back in teardown, so runs
        # never see each other's stock (the test's own transaction wraps them).
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.warehouses = [factories.warehouse(), factories.warehouse()]
        self.locations = []  # per warehouse, the Location of each code
        for warehouse in self.warehouses:
            places = [warehouse.locations.get(code=CODES[0])] + [
                Location.objects.create(warehouse=warehouse, code=code)
                for code in CODES[1:]
            ]
            Warehouse.objects.filter(pk=warehouse.pk).update(
                default_pick_location=places[PICK],
                default_receiving_location=places[RECEIVING],
            )
            self.locations.append(places)
        self.products = [factories.product(), factories.product()]
        self.supplier = factories.supplier()
        self.shop, _ = factories.shop()
        self.actor = factories.user("manager")
        # The model: what the books must say.
        self.on_hand = {(p, w): 0 for p in range(2) for w in range(2)}
        self.reserved = dict.fromkeys(self.on_hand, 0)
        self.bins = {(p, w, i): 0 for (p, w) in self.on_hand for i in range(3)}
        self.po_state = {}  # po id -> [status, line id, product, warehouse, open]
        # order id -> [status, warehouse, {product: qty}, {(product, warehouse):
        # qty} held: the order's warehouse, or each of a split order's]
        self.order_state = {}
        self.returned = {}  # order id -> {product: quantity returned}
        # stocktake id -> [status, product, warehouse, counted, location or None]
        self.count_state = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ------------------------------------------------------------

    def available(self, p: int, w: int) -> int:
        return self.on_hand[(p, w)] - self.reserved[(p, w)]

    def location(self, w: int, i: int | None):
        return None if i is None else self.locations[w][i]

    def put(self, p: int, w: int, i: int | None, quantity: int) -> None:
        """Stock arrives: at the named location, else the receiving one."""
        self.on_hand[(p, w)] += quantity
        self.bins[(p, w, RECEIVING if i is None else i)] += quantity

    def take(self, p: int, w: int, i: int | None, quantity: int) -> None:
        """Stock leaves: the named location, else the pick rule (the picking
        location first, then the fullest, ties by code)."""
        self.on_hand[(p, w)] -= quantity
        if i is not None:
            self.bins[(p, w, i)] -= quantity
            return
        order = sorted(
            range(3), key=lambda b: (b != PICK, -self.bins[(p, w, b)], CODES[b])
        )
        for b in order:
            units = min(self.bins[(p, w, b)], quantity)
            self.bins[(p, w, b)] -= units
            quantity -= units
        assert quantity == 0, "the model's locations lack what its warehouse holds"

    def holds(self, p: int, w: int, i: int | None, quantity: int) -> bool:
        """Can quantity leave: available in the warehouse, and in the named
        location when one is named."""
        if self.available(p, w) < quantity:
            return False
        return i is None or self.bins[(p, w, i)] >= quantity

    def attempt(self, service, *, should_succeed: bool, **arguments):
        """Call a service; a refusal must be expected and change nothing."""
        event(f"{service.__name__}: {'done' if should_succeed else 'refused'}")
        # An unexpected refusal fails anyway, so only an expected one needs the
        # (costly) before-and-after comparison.
        before = None if should_succeed else _fingerprint()
        try:
            result = service(**arguments)
        except REFUSALS as error:
            assert not should_succeed, f"refused unexpectedly: {error}"
            assert _fingerprint() == before, f"refusal changed data: {error}"
            return None
        assert should_succeed, "the service accepted what it should refuse"
        return result

    # --- rules --------------------------------------------------------------

    def _purchase(self, p: int, w: int, quantity: int, send: bool) -> int:
        po = purchase_order_create(
            supplier=self.supplier,
            warehouse=self.warehouses[w],
            lines=[PurchaseLineInput(self.products[p], quantity)],
            actor=self.actor,
        )
        if send:
            purchase_order_send(purchase_order=po, actor=self.actor)
        self.po_state[po.pk] = [send, po.lines.get().pk, p, w, quantity]
        return po.pk

    def _receive(self, po_id: int, quantity: int, i: int | None = None) -> None:
        sent, line_id, p, w, open_quantity = self.po_state[po_id]
        done = self.attempt(
            purchase_order_receive,
            should_succeed=sent and quantity <= open_quantity,
            purchase_order=PurchaseOrder.objects.get(pk=po_id),
            quantities={line_id: quantity},
            actor=self.actor,
            location=self.location(w, i),
        )
        if done:
            self.po_state[po_id][4] -= quantity
            # A fully received order can be received no more.
            self.po_state[po_id][0] = self.po_state[po_id][4] > 0
            self.put(p, w, i, quantity)

    @initialize(
        target=purchase_orders,
        quantities=st.lists(st.integers(0, 30), min_size=4, max_size=4),
        places=st.lists(LOCATIONS, min_size=4, max_size=4),
    )
    def opening_stock(self, quantities, places):
        """Start with what purchase orders delivered, so orders can succeed."""
        pairs = [(p, w) for p in range(2) for w in range(2)]
        ids = []
        for (p, w), quantity, i in zip(pairs, quantities, places, strict=True):
            if quantity:
                ids.append(self._purchase(p, w, quantity, send=True))
                self._receive(ids[-1], quantity, i)
        return multiple(*ids)

    @rule(
        target=purchase_orders,
        p=PRODUCTS,
        w=WAREHOUSES,
        quantity=st.integers(1, 20),
        send=st.sampled_from([True, True, True, False]),
    )
    def order_purchase(self, p, w, quantity, send):
        return self._purchase(p, w, quantity, send)

    @rule(
        po_id=purchase_orders,
        part=st.sampled_from(["all", "all", "some", "too_many"]),
        i=LOCATIONS,
    )
    def receive(self, po_id, part, i):
        open_quantity = max(self.po_state[po_id][4], 1)
        quantity = {
            "all": open_quantity,
            "some": max(open_quantity // 2, 1),
            "too_many": open_quantity + 1,
        }[part]
        self._receive(po_id, quantity, i)

    @rule(
        target=orders,
        lines=st.lists(st.tuples(PRODUCTS, st.integers(1, 8)), min_size=1, max_size=3),
        w=st.none() | WAREHOUSES,
    )
    def reserve(self, lines, w):
        wanted: dict[int, int] = {}
        for p, quantity in lines:
            wanted[p] = wanted.get(p, 0) + quantity

        def fits(wi):
            return all(self.available(p, wi) >= q for p, q in wanted.items())

        possible = [wi for wi in range(2) if fits(wi)] if w is None else [w]
        # No one warehouse can: split over both when together they can (the
        # shop splits orders; naming a warehouse never splits).
        network = all(
            sum(self.available(p, wi) for wi in range(2)) >= q
            for p, q in wanted.items()
        )
        ok = fits(w) if w is not None else bool(possible) or network
        result = self.attempt(
            sales_order_create,
            should_succeed=ok,
            shop=self.shop,
            external_id=f"SM-{next(_external_ids)}",
            lines=[OrderLineInput(self.products[p], q) for p, q in lines],
            warehouse=None if w is None else self.warehouses[w],
        )
        if result is None:
            return multiple()
        order, created = result
        assert created
        pks = [wh.pk for wh in self.warehouses]
        wi = pks.index(order.warehouse_id)
        if order.is_split:
            assert not possible, "split an order one warehouse could fill"
            holds = {
                (
                    [pr.pk for pr in self.products].index(a.product_id),
                    pks.index(a.warehouse_id),
                ): a.quantity
                for a in order.allocations.all()
            }
            for p, q in wanted.items():
                assert sum(n for (pp, _), n in holds.items() if pp == p) == q
        else:
            assert wi in possible, "reserved in a warehouse that lacks the stock"
            holds = {(p, wi): q for p, q in wanted.items()}
        for (p, hw), q in holds.items():
            assert q <= self.available(p, hw), "reserved more than is there"
            self.reserved[(p, hw)] += q
        self.order_state[order.pk] = ["reserved", wi, wanted, holds]
        return order.pk

    @rule(order_id=orders)
    def ship(self, order_id):
        status, _, _, holds = self.order_state[order_id]
        done = self.attempt(
            sales_order_ship,
            should_succeed=status == "reserved",
            order=SalesOrder.objects.get(pk=order_id),
            actor=self.actor,
        )
        if done:
            self.order_state[order_id][0] = "shipped"
            for (p, w), q in holds.items():
                self.reserved[(p, w)] -= q
                self.take(p, w, None, q)

    @rule(order_id=orders)
    def cancel(self, order_id):
        status, _, _, holds = self.order_state[order_id]
        done = self.attempt(
            sales_order_cancel,
            should_succeed=status == "reserved",
            order=SalesOrder.objects.get(pk=order_id),
            actor=self.actor,
        )
        if done:
            self.order_state[order_id][0] = "cancelled"
            for (p, w), q in holds.items():
                self.reserved[(p, w)] -= q

    @rule(
        p=PRODUCTS,
        source=WAREHOUSES,
        quantity=st.integers(1, 10),
        out_of=LOCATIONS,
        into=LOCATIONS,
    )
    def transfer(self, p, source, quantity, out_of, into):
        target = 1 - source
        done = self.attempt(
            transfer_create,
            should_succeed=self.holds(p, source, out_of, quantity),
            from_warehouse=self.warehouses[source],
            to_warehouse=self.warehouses[target],
            lines=[TransferLineInput(self.products[p], quantity)],
            actor=self.actor,
            from_location=self.location(source, out_of),
            to_location=self.location(target, into),
        )
        if done:
            self.take(p, source, out_of, quantity)
            self.put(p, target, into, quantity)

    @rule(
        p=PRODUCTS,
        w=WAREHOUSES,
        quantity=st.integers(-10, 10).filter(bool),
        i=LOCATIONS,
    )
    def adjust(self, p, w, quantity, i):
        # A loss with no location named comes out of the picking location.
        out_of = PICK if i is None else i
        done = self.attempt(
            stock_adjust,
            should_succeed=quantity > 0 or self.holds(p, w, out_of, -quantity),
            product=self.products[p],
            warehouse=self.warehouses[w],
            quantity=quantity,
            reason="state machine",
            actor=self.actor,
            location=self.location(w, i),
        )
        if done:
            if quantity > 0:
                self.put(p, w, i, quantity)
            else:
                self.take(p, w, out_of, -quantity)

    @rule(
        target=counts,
        p=PRODUCTS,
        w=WAREHOUSES,
        counted=st.integers(0, 30),
        i=LOCATIONS,
    )
    def count(self, p, w, counted, i):
        """Count one product, in the whole warehouse or in one location, and
        submit the sheet; confirming is its own step, so movements may happen
        while the sheet waits."""
        sheet = stocktake_create(
            warehouse=self.warehouses[w],
            location=self.location(w, i),
            products=[self.products[p]],
            actor=self.actor,
        )
        line = sheet.lines.get(product=self.products[p])
        assert line.expected == (
            self.on_hand[(p, w)] if i is None else self.bins[(p, w, i)]
        )
        stocktake_record_counts(
            stocktake=sheet, counts={line.pk: counted}, actor=self.actor
        )
        self.count_state[sheet.pk] = ["submitted", p, w, counted, i]
        return sheet.pk

    @rule(sheet_id=counts)
    def confirm_count(self, sheet_id):
        status, p, w, counted, i = self.count_state[sheet_id]
        # The correction is taken against the books at confirmation (of the
        # location counted, or the whole warehouse) and may not take away
        # stock that open orders hold.
        book = self.on_hand[(p, w)] if i is None else self.bins[(p, w, i)]
        variance = counted - book
        ok = (
            status == "submitted"
            and self.on_hand[(p, w)] + variance >= self.reserved[(p, w)]
        )
        done = self.attempt(
            stocktake_confirm,
            should_succeed=ok,
            stocktake=Stocktake.objects.get(pk=sheet_id),
            actor=self.actor,
        )
        if done:
            self.count_state[sheet_id][0] = "confirmed"
            if variance > 0:
                self.put(p, w, i, variance)
            elif variance < 0:
                self.take(p, w, i, -variance)

    @rule(order_id=orders, which=st.integers(0, 2), quantity=st.integers(1, 6))
    def return_restock(self, order_id, which, quantity):
        status, w, wanted, _ = self.order_state[order_id]
        p = sorted(wanted)[which % len(wanted)]
        returnable = wanted[p] - self.returned.get(order_id, {}).get(p, 0)
        order = SalesOrder.objects.get(pk=order_id)
        result = self.attempt(
            return_create,
            should_succeed=status == "shipped" and quantity <= returnable,
            order_reference=order.external_id,
            lines=[ReturnLineInput(self.products[p], quantity)],
            shop=self.shop,
            reason_text="changed my mind",
        )
        if result is None:
            return
        request, created = result
        assert created
        return_review(
            request=request,
            category="changed_mind",
            disposition="restock",
            actor=self.actor,
        )
        return_receive(request=request, actor=self.actor)
        return_resolve(request=request, actor=self.actor)
        returned = self.returned.setdefault(order_id, {})
        returned[p] = returned.get(p, 0) + quantity
        self.put(p, w, None, quantity)  # into the receiving location
        # Resolving twice must never restock twice.
        self.attempt(
            return_resolve,
            should_succeed=False,
            request=request,
            actor=self.actor,
        )

    # --- invariants ---------------------------------------------------------

    @invariant()
    def books_are_sound(self):
        levels = {
            (lv.product_id, lv.warehouse_id): lv
            for lv in StockLevel.objects.filter(product__in=self.products)
        }
        for level in levels.values():
            assert level.on_hand >= 0
            assert 0 <= level.reserved <= level.on_hand
        for (p, w), on_hand in self.on_hand.items():
            level = levels.get((self.products[p].pk, self.warehouses[w].pk))
            actual = (level.on_hand, level.reserved) if level else (0, 0)
            assert actual == (on_hand, self.reserved[(p, w)]), (p, w)
        # Per location: exactly the model, and the locations add up.
        held = {
            (row.product_id, row.location_id): row.on_hand
            for row in LocationStockLevel.objects.filter(product__in=self.products)
        }
        for (p, w, i), quantity in self.bins.items():
            place = (self.products[p].pk, self.locations[w][i].pk)
            assert held.pop(place, 0) == quantity, (p, w, CODES[i])
        assert not any(held.values()), f"stock in a location outside the model: {held}"
        assert stock_reconcile() == []


@pytest.mark.django_db
def test_stock_operations_keep_the_books_exact():
    run_state_machine_as_test(StockMachine, settings=PROFILE)
