"""Two years of daily stock for the demo catalog, with no database.

Pure numpy, seeded, so the same seed always yields the same shop; the
builders in stock.demo.build turn these plain values into rows through the
services.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .catalog import CATALOG, STORAGE_BINS, SUPPLIERS, WAREHOUSES

# Monday first: shoppers buy most on Sunday evening and Monday.
WEEKDAY_PROFILE = np.array([1.15, 1.05, 1.0, 0.95, 0.9, 0.8, 1.1])


@dataclass
class ProductSpec:
    sku: str
    name: str
    category: tuple[str, str]
    unit_cost: float
    price: float
    pack_size: int
    launch_date: date
    is_active: bool
    supplier: int  # index into SUPPLIERS
    alt_supplier: int | None
    lead_time_override: int | None
    moq: int
    season: tuple[int, float]
    warehouses: list[int] = field(default_factory=list)  # indexes into WAREHOUSES
    bin_index: int = 0


@dataclass
class History:
    """Daily quantities per pair; day 0 is `start`."""

    start: date
    pairs: list[tuple[int, int]]  # (product index, warehouse index)
    sold: np.ndarray  # (pairs, days) units shipped
    received: np.ndarray  # (pairs, days) units received in the morning
    on_hand: np.ndarray  # (pairs,) closing stock on the last day
    pending: np.ndarray  # (pairs, 120) ordered, arriving today + column days


def _price(cost: float, rng: np.random.Generator) -> float:
    return float(np.floor(cost * rng.uniform(1.9, 3.2)) + 0.99)


def build_products(
    rng: np.random.Generator, count: int, today: date, days: int
) -> list[ProductSpec]:
    combos = [
        (leaf, item, variant)
        for leaf, spec in CATALOG.items()
        for item in spec["items"]
        for variant in spec["variants"]
    ]
    order = rng.permutation(len(combos))[: min(count, len(combos))]
    products = []
    for rank, index in enumerate(sorted(order)):
        leaf, (item_name, item_code, cost_range), (variant, variant_code) = combos[
            index
        ]
        spec = CATALOG[leaf]
        cost = round(float(rng.uniform(*cost_range)), 2)
        suppliers = [i for i, s in enumerate(SUPPLIERS) if spec["prefix"] in s[4]]
        supplier = int(rng.choice(suppliers))
        others = [i for i in suppliers if i != supplier]
        alt = int(rng.choice(others)) if others and rng.random() < 0.4 else None
        roll = rng.random()
        if roll < 0.06:  # new this season: a few weeks of history at most
            launched = today - timedelta(days=int(rng.integers(10, 60)))
        elif roll < 0.2:
            launched = today - timedelta(days=int(rng.integers(60, days)))
        else:
            launched = today - timedelta(days=int(rng.integers(days, days + 900)))
        pack = int(rng.choice([1, 1, 1, 2, 4, 6, 12]))
        n_wh = int(rng.choice([1, 1, 2, 2, 3]))
        products.append(
            ProductSpec(
                sku=f"{spec['prefix']}-{item_code}-{variant_code}",
                name=f"{item_name}, {variant}",
                category=leaf,
                unit_cost=cost,
                price=_price(cost, rng),
                pack_size=pack,
                launch_date=launched,
                # Every 25th product is discontinued (sells out, never reordered).
                is_active=rank % 25 != 7,
                supplier=supplier,
                alt_supplier=alt,
                lead_time_override=(
                    int(rng.integers(5, 40)) if rng.random() < 0.15 else None
                ),
                moq=pack * int(rng.choice([1, 2, 5, 10])),
                season=spec["season"],
                warehouses=sorted(
                    int(w) for w in rng.choice(3, size=n_wh, replace=False)
                ),
                bin_index=int(rng.integers(len(STORAGE_BINS))),
            )
        )
    return products


def lead_time(product: ProductSpec) -> int:
    if product.lead_time_override is not None:
        return product.lead_time_override
    return SUPPLIERS[product.supplier][2]


def _demand(
    rng: np.random.Generator,
    products: list[ProductSpec],
    pairs: list[tuple[int, int]],
    start: date,
    days: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Daily demand per pair and each pair's mean rate, all pairs at once."""
    n = len(pairs)
    day_index = np.arange(days)
    dates = [start + timedelta(days=int(d)) for d in day_index]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    # Black Friday weekend and the week before Christmas lift everything.
    event = np.ones(days)
    for d, when in enumerate(dates):
        if when.month == 11 and 23 <= when.day <= 29 and when.weekday() >= 4:
            event[d] = 2.5
        elif when.month == 12 and 10 <= when.day <= 20:
            event[d] = 1.4

    # Speed classes: fast movers, steady sellers, slow and intermittent items.
    speed = rng.choice(3, size=n, p=[0.2, 0.4, 0.4])
    base = np.where(
        speed == 0,
        rng.lognormal(np.log(7.0), 0.5, n),
        np.where(
            speed == 1, rng.lognormal(np.log(1.5), 0.4, n), rng.uniform(0.04, 0.4, n)
        ),
    )
    share = np.array([WAREHOUSES[w][3] for _, w in pairs])
    peak = np.array([products[p].season[0] for p, _ in pairs])
    amplitude = np.array([products[p].season[1] for p, _ in pairs])
    trend = rng.uniform(-0.1, 0.3, n)

    rate = (base * share)[:, None] * WEEKDAY_PROFILE[weekday][None, :]
    rate = rate * (
        1
        + amplitude[:, None] * np.cos(2 * np.pi * (doy[None, :] - peak[:, None]) / 365)
    )
    rate = rate * (1 + trend[:, None] * day_index[None, :] / 365) * event[None, :]
    # Promotions: a few short uplift periods per pair.
    for row in range(n):
        for _ in range(int(rng.poisson(days / 200))):
            first = int(rng.integers(0, days))
            rate[row, first : first + int(rng.integers(4, 11))] *= rng.uniform(1.6, 3.0)
    # Gamma-Poisson: demand is more variable than a plain Poisson.
    demand = rng.poisson(rate * rng.gamma(3.0, 1 / 3.0, size=rate.shape))
    # Nothing sells before launch.
    launch = np.array([(products[p].launch_date - start).days for p, _ in pairs])
    demand[day_index[None, :] < launch[:, None]] = 0
    return demand, rate.mean(axis=1)


def simulate_history(
    rng: np.random.Generator, products: list[ProductSpec], today: date, days: int
) -> History:
    """Sales and replenishment receipts per product x warehouse, day by day.

    A reorder-point policy orders a fixed quantity when stock falls to the
    reorder point; some orders arrive late, so stock runs out and stays at zero
    until the receipt. Discontinued products are never reordered.
    """
    start = today - timedelta(days=days)
    pairs = [(p, w) for p, spec in enumerate(products) for w in spec.warehouses]
    n = len(pairs)
    demand, mean_rate = _demand(rng, products, pairs, start, days)

    lead = np.array([lead_time(products[p]) for p, _ in pairs])
    pack = np.array([products[p].pack_size for p, _ in pairs])
    moq = np.array([products[p].moq for p, _ in pairs])
    # Planners under- or overestimate: some pairs keep too little safety stock.
    cover = rng.uniform(0.9, 1.9, n)
    reorder_point = np.ceil(mean_rate * (lead + 4) * cover)
    order_qty = np.maximum(moq, np.ceil(mean_rate * rng.uniform(25, 60, n)))
    order_qty = (np.ceil(order_qty / pack) * pack).astype(np.int64)
    launch = np.array([(products[p].launch_date - start).days for p, _ in pairs])
    first_day = np.clip(launch - 1, 0, days - 1)
    discontinued_from = np.array(
        [days // 2 if not products[p].is_active else days for p, _ in pairs]
    )

    sold = np.zeros((n, days), dtype=np.int64)
    received = np.zeros((n, days + 120), dtype=np.int64)
    rows = np.arange(n)
    received[rows, first_day] = order_qty + reorder_point.astype(np.int64)
    on_hand = np.zeros(n, dtype=np.int64)
    on_order = np.zeros(n, dtype=bool)
    # The first fast mover's first reorder is held up for two weeks, so even a
    # small demo has a stock-out with its recovery.
    forced_delay = int(np.argmax(mean_rate))
    for d in range(days):
        arriving = received[:, d]
        on_hand += arriving
        on_order &= arriving == 0
        sale = np.minimum(demand[:, d], on_hand)
        sale[d < first_day] = 0
        sold[:, d] = sale
        on_hand -= sale
        reorder = (
            ~on_order
            & (on_hand <= reorder_point)
            & (d >= first_day)
            & (d < discontinued_from)
        )
        for row in np.flatnonzero(reorder):
            delay = int(rng.integers(8, 25)) if rng.random() < 0.1 else 0
            if row == forced_delay:
                delay, forced_delay = 14, -1
            received[row, d + lead[row] + delay] += order_qty[row]
            on_order[row] = True
    return History(start, pairs, sold, received[:, :days], on_hand, received[:, days:])
