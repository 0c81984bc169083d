"""Import sales history from CSV: validate every row, then write all or nothing."""

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from catalog.models import Product
from stock.models import Warehouse

from ..models import DemandDay, DemandSource

REQUIRED = ["sku", "warehouse", "date", "quantity"]
OPTIONAL = ["price", "promo"]
TRUTHY = {"1", "true", "yes", "y", "t"}
FALSY = {"0", "false", "no", "n", "f", ""}
MAX_QUANTITY = 10_000_000


class UnusableFile(Exception):
    pass


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    written: int = 0
    duplicates_in_file: int = 0
    already_present: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _name(path) -> str:
    """How the file is called in a message: its path, or an upload's name."""
    return str(getattr(path, "name", path))


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise UnusableFile(
            _("Cannot read %(file)s: %(error)s") % {"file": _name(path), "error": error}
        ) from error
    except pd.errors.EmptyDataError as error:
        raise UnusableFile(_("%(file)s is empty.") % {"file": _name(path)}) from error
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise UnusableFile(
            _("Missing column(s): %(missing)s. Required: %(required)s.")
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED)}
        )
    if frame.empty:
        raise UnusableFile(
            _("%(file)s has a header but no rows.") % {"file": _name(path)}
        )
    for column in OPTIONAL:
        if column not in frame.columns:
            frame[column] = ""
    return frame[REQUIRED + OPTIONAL].apply(lambda s: s.str.strip())


def sales_validate(path: Path) -> tuple[pd.DataFrame, ImportReport]:
    """Valid rows (with product_id, warehouse_id) and a report of the bad ones."""
    frame = _read(path)
    report = ImportReport(rows=len(frame))
    frame["line"] = frame.index + 2  # the header is line 1
    reasons = pd.Series("", index=frame.index)

    def flag(mask, reason):
        reasons[mask & (reasons == "")] = reason

    products = dict(
        Product.objects.filter(sku__in=frame["sku"].unique()).values_list("sku", "pk")
    )
    warehouses = dict(Warehouse.objects.values_list("code", "pk"))
    frame["product_id"] = frame["sku"].map(products)
    frame["warehouse_id"] = frame["warehouse"].map(warehouses)
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    quantity = pd.to_numeric(frame["quantity"], errors="coerce")
    price = pd.to_numeric(frame["price"].replace("", None), errors="coerce")
    promo = frame["promo"].str.lower()

    flag(frame["sku"] == "", _("sku is empty"))
    flag(frame["product_id"].isna(), _("unknown sku"))
    flag(frame["warehouse_id"].isna(), _("unknown warehouse code"))
    flag(dates.isna(), _("date is not YYYY-MM-DD"))
    flag(dates > pd.Timestamp.today().normalize(), _("date is in the future"))
    flag(quantity.isna(), _("quantity is not a number"))
    flag(quantity.notna() & (quantity % 1 != 0), _("quantity is not a whole number"))
    flag(quantity < 0, _("quantity is negative"))
    flag(
        quantity > MAX_QUANTITY,
        _("quantity is above %(max)s") % {"max": MAX_QUANTITY},
    )
    flag((frame["price"] != "") & (price.isna() | (price < 0)), _("price is invalid"))
    flag(~promo.isin(TRUTHY | FALSY), _("promo is not true/false"))

    bad = reasons != ""
    report.errors = [
        (int(line), f"{reason} ({frame.at[i, 'sku']!r}, {frame.at[i, 'date']!r})")
        for i, line, reason in zip(
            frame.index[bad], frame["line"][bad], reasons[bad], strict=True
        )
    ]
    good = frame[~bad].assign(
        date=dates[~bad].dt.date,
        quantity=quantity[~bad].astype("int64"),
        price=price[~bad],
        promo=promo[~bad].isin(TRUTHY),
    )
    duplicated = good.duplicated(["product_id", "warehouse_id", "date"], keep="first")
    report.duplicates_in_file = int(duplicated.sum())
    good = good[~duplicated]
    report.valid = len(good)
    return good, report


def sales_import(
    *, path: Path, allow_partial: bool = False, progress=None
) -> ImportReport:
    """Write valid rows, skipping days already present; ``path`` is a path or
    an open file. ``progress(rows, total)`` after each batch written.

    With any invalid row nothing is written unless allow_partial is set.
    The command and the web import (a worker job) share it.
    """
    good, report = sales_validate(path)
    if report.errors and not allow_partial:
        return report
    objects = [
        DemandDay(
            product_id=int(row.product_id),
            warehouse_id=int(row.warehouse_id),
            date=row.date,
            quantity=int(row.quantity),
            price=None if pd.isna(row.price) else round(float(row.price), 2),
            promo=bool(row.promo),
            source=DemandSource.IMPORT,
        )
        for row in good.itertuples(index=False)
    ]
    before = DemandDay.objects.count()
    with transaction.atomic():
        for start in range(0, len(objects), 5000):
            batch = objects[start : start + 5000]
            DemandDay.objects.bulk_create(batch, ignore_conflicts=True)
            if progress:
                progress(len(batch), len(objects))
    report.written = DemandDay.objects.count() - before
    report.already_present = report.valid - report.written
    return report
