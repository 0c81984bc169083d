"""The review queue: open returns awaiting a decision (or all, or the closed
ones), one click to accept or correct each, and the list as a file."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy

from core.export_jobs import export_response
from core.exports import Column, export_format
from core.listing import paginate
from core.roles import operator_required

from ..forms import (
    ReviewForm,
)
from ..models import ReasonCategory, ReturnRequest, ReturnStatus

OPEN = [ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED]


VIEWS = {
    "review": gettext_lazy("Needs review"),
    "open": gettext_lazy("All open"),
    "closed": gettext_lazy("Resolved or rejected"),
}


def _lines_text(item) -> str:
    lines = item.lines.all()
    return ", ".join(f"{line.quantity} x {line.product.sku}" for line in lines)


RETURN_COLUMNS = [
    Column(gettext_lazy("Return"), str),
    Column(gettext_lazy("Shop"), "shop.code"),
    Column(gettext_lazy("Order"), "order_reference"),
    Column(gettext_lazy("Warehouse"), "warehouse.code"),
    Column(gettext_lazy("Status"), "get_status_display"),
    Column(gettext_lazy("Created"), "created_at"),
    Column(gettext_lazy("Lines"), _lines_text),
    Column(gettext_lazy("Customer's words"), "reason_text"),
    Column(gettext_lazy("Reason code"), "reason_code"),
    Column(gettext_lazy("Proposed reason"), "get_predicted_category_display"),
    Column(gettext_lazy("Reason confidence"), "category_confidence"),
    Column(gettext_lazy("Proposed disposition"), "get_predicted_disposition_display"),
    Column(gettext_lazy("Disposition confidence"), "disposition_confidence"),
    Column(gettext_lazy("Reason"), "get_category_display"),
    Column(gettext_lazy("Disposition"), "get_disposition_display"),
    Column(gettext_lazy("Auto-accepted"), "auto_accepted"),
]


@operator_required
def return_queue(request):
    view = request.GET.get("view", "review")
    rows = ReturnRequest.objects.select_related("shop", "warehouse").prefetch_related(
        "lines__product"
    )
    if view == "closed":
        rows = rows.exclude(status__in=OPEN)
    else:
        rows = rows.filter(status__in=OPEN)
        if view == "review":
            rows = rows.filter(category="")
    rows = rows.order_by("created_at", "id")
    if fmt := export_format(request):
        return export_response(
            request, rows=rows, columns=RETURN_COLUMNS, filename="returns", fmt=fmt
        )
    page = paginate(request, rows)
    reasons = dict(ReasonCategory.choices)
    for item in page:
        # The classifier stores reason codes; people read their labels.
        item.alternative_labels = [
            (reasons.get(code, code), p) for code, p in item.alternatives[1:]
        ]
        item.secondary_labels = [
            (reasons.get(code, code), p) for code, p in item.secondary_reasons
        ]
        item.review_form = ReviewForm(
            initial={
                "category": item.predicted_category,
                "disposition": item.predicted_disposition,
            },
            prefix=f"r{item.pk}",
        )
    return render(
        request,
        "returns/queue.html",
        {"page": page, "view": view, "views": VIEWS, "query": f"view={view}"},
    )
