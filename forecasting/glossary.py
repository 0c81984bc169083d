"""What each metric, model and policy word means, in plain language: the one
list the pages read (``{% term %}``, ``|meaning``) so no name appears bare."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .engine.registry import YEARLY_BASES

METRICS = {
    "rmsse": (
        _("RMSSE"),
        _(
            "Forecast error compared with simply repeating yesterday's sales: "
            "below 1 the forecast beats that naive guess, above 1 it does worse."
        ),
    ),
    "mase": (
        _("MASE"),
        _(
            "Average size of the forecast's daily miss, compared with repeating "
            "yesterday's sales: below 1 is better than that naive guess."
        ),
    ),
    "wape": (
        _("WAPE"),
        _(
            "Units the forecast missed by, as a share of the units actually "
            "sold: 20% means it was off by 20 units per 100 sold."
        ),
    ),
    "bias": (
        _("Bias"),
        _(
            "Whether the forecast leans one way: above 0 it forecast more than "
            "sold (risk of overstock), below 0 less (risk of stock-outs)."
        ),
    ),
    "cover80": (
        _("80% cover"),
        _(
            "Share of actual days that fell inside the forecast's 80% band; "
            "close to 0.80 means the band is honest."
        ),
    ),
    "promised_wape": (
        _("Promised WAPE"),
        _("The WAPE the model reached on past data when it was chosen."),
    ),
    "turnover": (
        _("Inventory turnover"),
        _(
            "How many times a year the average stock is sold through: cost of "
            "goods shipped over the average inventory value, scaled to a year."
        ),
    ),
    "days_of_inventory": (
        _("Days of inventory"),
        _("How many days the average stock lasts at the period's shipping rate."),
    ),
    "fill_rate": (
        _("Fill rate"),
        _(
            "Share of sales order lines shipped rather than cancelled: the "
            "customer got what was ordered."
        ),
    ),
    "stockout_rate": (
        _("Stock-out rate"),
        _(
            "Share of product-days on which a product with demand history had "
            "nothing on the shelf."
        ),
    ),
    "inventory_value": (
        _("Inventory value"),
        _("Units on hand times their current unit cost, all warehouses."),
    ),
    "holding_cost": (
        _("Holding cost"),
        _(
            "What keeping the stock cost in the period (storage, capital, "
            "shrinkage), at the yearly rate set for the system."
        ),
    ),
    "slow_stock": (
        _("Slow stock"),
        _("Stock of products that shipped nothing from there in 90 days."),
    ),
    "dead_stock": (
        _("Dead stock"),
        _("Stock of products that shipped nothing from there in 180 days."),
    ),
    "open_po": (
        _("Open purchase orders"),
        _("Value of goods ordered from suppliers and not yet received."),
    ),
}

POLICY = {
    "position": (
        _("Inventory position"),
        _("On hand plus on order minus reserved: what the item can still give."),
    ),
    "reorder_point": (
        _("Reorder point"),
        _(
            "When the position falls to this, order: the demand expected until a "
            "new order can arrive, plus safety stock."
        ),
    ),
    "safety_stock": (
        _("Safety stock"),
        _(
            "Extra units held for demand above the forecast while an order is "
            "on its way."
        ),
    ),
    "order_up_to": (
        _("Order-up-to level"),
        _("The position an order brings the item back to."),
    ),
    "service_level": (
        _("Service level"),
        _("Target share of demand served from the shelf (the fill-rate target)."),
    ),
    "lead_time": (
        _("Lead time"),
        _("Days from placing an order with the supplier to having the goods."),
    ),
    "review": (
        _("Review period"),
        _("Days until the plan looks at the item again (the next chance to order)."),
    ),
    "eoq": (
        _("EOQ"),
        _(
            "Economic order quantity: the order size that balances the cost of "
            "placing orders against the cost of holding stock."
        ),
    ),
    "pack": (_("Pack"), _("Rounded up to whole packs the supplier sells.")),
    "moq": (_("MOQ"), _("Minimum order quantity the supplier accepts.")),
    "capacity": (
        _("Capacity"),
        _("Cut down to what the warehouse has room for."),
    ),
    "abc": (
        _("ABC class"),
        _("A: the products that make 80% of revenue, B: the next 15%, C: the rest."),
    ),
    "xyz": (
        _("XYZ class"),
        _("X: steady weekly demand, Y: variable, Z: erratic or none."),
    ),
    "category_profile": (
        _("Category profile"),
        _("A new product without its own history is planned on its category's demand."),
    ),
}

DEMAND_CLASSES = {
    "smooth": (_("steady"), _("Sells most days in similar amounts.")),
    "erratic": (
        _("erratic"),
        _("Sells most days, but the amounts swing widely."),
    ),
    "intermittent": (
        _("intermittent"),
        _("Many days without a sale; the amounts when it sells are similar."),
    ),
    "lumpy": (
        _("lumpy"),
        _("Many days without a sale, and very different amounts when it sells."),
    ),
}

_MODELS = {
    "zero": (_("zero"), _("Forecasts no demand: for items that stopped selling.")),
    "naive": (_("last value"), _("Repeats the last day's sales.")),
    "seasonal_naive": (
        _("same day last week"),
        _("Repeats the sales of the same weekday a season ago."),
    ),
    "moving_average": (
        _("moving average"),
        _("The average of the recent weeks' daily sales."),
    ),
    "ses": (
        _("exponential smoothing"),
        _("A weighted average in which recent days count more."),
    ),
    "ets": (
        _("exponential smoothing with trend and season"),
        _("Smoothing that also follows a trend and the weekly pattern."),
    ),
    "croston": (
        _("Croston"),
        _(
            "For items with many zero days: forecasts the size of a sale and "
            "how often one comes."
        ),
    ),
    "sba": (
        _("Croston (SBA)"),
        _("Croston's method with a correction for its tendency to over-forecast."),
    ),
    "tsb": (
        _("TSB"),
        _("Like Croston, but follows an item whose sales are fading out."),
    ),
    "adida": (
        _("ADIDA"),
        _("Adds days up into weeks, forecasts those, then splits back into days."),
    ),
    "imapa": (
        _("IMAPA"),
        _("Forecasts the sales summed over several window lengths and averages them."),
    ),
    "arima": (
        _("seasonal ARIMA"),
        _(
            "A statistical model of how sales follow the previous periods and "
            "the same period a season ago; its form is chosen for each item."
        ),
    ),
    "global_gbm": (
        _("gradient boosting (all items)"),
        _("A machine-learning model trained on the history of many items at once."),
    ),
    "global_linear": (
        _("linear model (all items)"),
        _("A regression on recent sales and weekdays, trained on many items at once."),
    ),
    "global_forest": (
        _("random forest (all items)"),
        _("Many decision trees trained on the history of many items at once."),
    ),
    "global_mlp": (
        _("neural network (all items)"),
        _("A small neural network trained on the history of many items at once."),
    ),
    "combo_smooth": (
        _("average of steady-demand models"),
        _(
            "The mean of several models that suit steady sellers; more robust "
            "than any one."
        ),
    ),
    "combo_intermittent": (
        _("average of intermittent-demand models"),
        _("The mean of several models that suit items with many zero days."),
    ),
    "combo_sparse": (
        _("average of sparse-demand models"),
        _("The mean of several models that suit rarely selling items."),
    ),
    "combo_smooth_yearly": (
        _("average of steady-demand models with yearly season"),
        _("The steady-demand average, on sales adjusted for the time of year."),
    ),
    "stopped": (_("stopped"), _("No forecast: the item has stopped selling.")),
}
MODELS = dict(_MODELS)
for _base in YEARLY_BASES:
    MODELS[f"{_base}_yearly"] = (
        format_lazy("{} ({})", _MODELS[_base][0], _("yearly season")),
        format_lazy(
            "{} {}", _MODELS[_base][1], _("Run on sales adjusted for the time of year.")
        ),
    )

TERMS = {**METRICS, **POLICY, **DEMAND_CLASSES, **MODELS}


def term_label(code: str) -> str:
    """The reader's word for ``code`` (the code itself when none is known)."""
    entry = TERMS.get(str(code))
    return str(entry[0]) if entry else str(code)


def term_meaning(code: str) -> str:
    """What ``code`` means in plain language ("" when none is known)."""
    entry = TERMS.get(str(code))
    return str(entry[1]) if entry else ""
