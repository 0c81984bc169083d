"""CSV and Excel downloads of the list pages: one mechanism every list view shares.

A list view calls ``export_format(request)``; when the page was asked for with
``?export=csv`` or ``?export=xlsx`` it hands the queryset it already filtered to
``core.export_jobs.export_response``. In the web request that only starts an
export job and sends the person back to the page, which shows its
progress bar and then the download link. The worker calls the same view again
with the same query and user, so the file carries the page's filters and
permission, and there the rows are written to a file (here: how).
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise

FORMATS = ("csv", "xlsx")
# Rows fetched per query while streaming; prefetches run once per chunk.
CHUNK_SIZE = 2000
# A text cell starting with one of these is a formula to Excel or LibreOffice
# (OWASP "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32767
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One exported column: its header and how to read it from a row.

    ``value`` is a dotted attribute path (``"warehouse.code"``; a callable at
    the end is called, so ``"get_status_display"`` works) or a function of the row.
    """

    header: str | Promise
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        current = row
        for part in self.value.split("."):
            current = getattr(current, part, None)
            if current is None:
                return None
            if callable(current):
                current = current()
        return current


def export_format(request) -> str | None:
    """'csv' or 'xlsx' when the page was asked for as a download, else None."""
    fmt = request.GET.get("export", "")
    return fmt if fmt in FORMATS else None


def rows_count(rows: Iterable[Any]) -> int | None:
    """How many rows an export will write, when it can be known cheaply."""
    if isinstance(rows, QuerySet):
        return rows.count()
    return len(rows) if hasattr(rows, "__len__") else None


def write_csv(rows, columns, output, progress: Callable[[int], None]) -> None:
    """The rows as UTF-8 CSV into ``output`` (a binary file); ``progress(n)``
    after each row."""
    for done, line in enumerate(_csv_lines(rows, columns)):
        output.write(line.encode("utf-8"))
        if done:
            progress(done)


def write_xlsx(rows, columns, output, *, sheet: str, progress) -> None:
    """The rows as an .xlsx workbook into ``output`` (a binary file)."""
    workbook = _xlsx_workbook(rows, columns, sheet=sheet, progress=progress)
    workbook.save(output)


def _iterate(rows: Iterable[Any]) -> Iterator[Any]:
    # iterator() keeps memory flat on long lists and still runs prefetch_related
    # once per chunk, so the query count does not grow with the rows.
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK_SIZE)
    return iter(rows)


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell(value: Any) -> Any:
    """A typed value for a spreadsheet cell: numbers, dates, booleans, text."""
    if value is None:
        return None
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones: local wall-clock time, as the page shows it.
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return _safe_text(force_str(value))


def _csv_text(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # The byte-order mark tells Excel the file is UTF-8 (Chinese names, etc.).
    yield "\ufeff" + writer.writerow([_safe_text(force_str(c.header)) for c in columns])
    for row in _iterate(rows):
        yield writer.writerow([_csv_text(column.read(row)) for column in columns])


def _xlsx_cell(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Control characters make openpyxl refuse the cell, and Excel refuses a
        # cell longer than 32,767 characters: text typed by shops may hold both.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
    return value


def _xlsx_workbook(rows: Iterable[Any], columns: list[Column], *, sheet, progress):
    # Imported here: only an Excel export pays for loading openpyxl.
    from openpyxl import Workbook

    # Write-only mode streams rows to the file instead of building every cell
    # object in memory.
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append([force_str(column.header) for column in columns])
    for done, row in enumerate(_iterate(rows), start=1):
        worksheet.append([_xlsx_cell(column.read(row)) for column in columns])
        progress(done)
    return workbook
