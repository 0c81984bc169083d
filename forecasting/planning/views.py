"""Manager pages: the event calendar (promotions, events, presets) and the
outliers flagged in demand history."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.enqueue import enqueue
from core.errors import ServiceError
from core.listing import paginate
from core.roles import manager_required

from ..tasks import outliers_detect_task
from .cleaning import outlier_decide
from .forms import CalendarEventForm, PresetLoadForm, PromotionForm
from .models import (
    CalendarEvent,
    DemandOutlier,
    OutlierAction,
    OutlierStatus,
    Promotion,
)
from .outliers import (
    AUTO_ORDER_SHARE,
    AUTO_RULE,
    AUTO_SPIKE_RATIO,
    AUTO_Z_LIMIT,
    SPIKE_RATIO,
    WINDOW,
    Z_LIMIT,
)
from .services import (
    calendar_event_delete,
    calendar_event_save,
    calendar_presets_load,
    promotion_delete,
    promotion_save,
)

# The buttons of a flag: what each one decides.
DECISIONS = {
    "exclude": (OutlierStatus.APPROVED, OutlierAction.EXCLUDE),
    "cap": (OutlierStatus.APPROVED, OutlierAction.CAP),
    "dismiss": (OutlierStatus.DISMISSED, OutlierAction.EXCLUDE),
}


def _since() -> date:
    return date.today() - timedelta(days=30)


@manager_required
def calendar_page(request, presets_form=None):
    # A category names its parents: three levels come with the row.
    promotions = Promotion.objects.filter(end_date__gte=_since()).select_related(
        "product", "category__parent__parent", "shop"
    )
    events = CalendarEvent.objects.filter(end_date__gte=_since())
    return render(
        request,
        "forecasting/calendar.html",
        {
            "promotions": paginate(request, promotions),
            "events": events[:200],
            "presets_form": presets_form or PresetLoadForm(),
        },
    )


def _form_page(request, form, title, template="forecasting/calendar_form.html"):
    return render(request, template, {"form": form, "title": title})


@manager_required
def promotion_edit(request, pk=None):
    promotion = get_object_or_404(Promotion, pk=pk) if pk else None
    form = PromotionForm(request.POST or None, instance=promotion)
    if request.method == "POST" and form.is_valid():
        try:
            promotion_save(data=form.as_input(), promotion=promotion, user=request.user)
        except ServiceError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(request, _("Promotion saved."))
            return redirect("planning-calendar")
    title = _("Edit promotion") if promotion else _("New promotion")
    return _form_page(request, form, title)


@manager_required
def event_edit(request, pk=None):
    event = get_object_or_404(CalendarEvent, pk=pk) if pk else None
    form = CalendarEventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        calendar_event_save(event=event, **form.cleaned_data)
        messages.success(request, _("Event saved."))
        return redirect("planning-calendar")
    title = _("Edit event") if event else _("New event")
    return _form_page(request, form, title)


@require_POST
@manager_required
def promotion_remove(request, pk):
    promotion_delete(promotion=get_object_or_404(Promotion, pk=pk))
    messages.success(request, _("Promotion deleted."))
    return redirect("planning-calendar")


@require_POST
@manager_required
def event_remove(request, pk):
    calendar_event_delete(event=get_object_or_404(CalendarEvent, pk=pk))
    messages.success(request, _("Event deleted."))
    return redirect("planning-calendar")


@require_POST
@manager_required
def presets_load(request):
    form = PresetLoadForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            added = calendar_presets_load(
                first_year=d["first_year"],
                last_year=d["last_year"],
                regions=d["regions"],
            )
        except ServiceError as error:
            form.add_error(
                error.field if error.field in form.fields else None, error.message
            )
        else:
            messages.success(request, _("%(n)s calendar events added.") % {"n": added})
            return redirect("planning-calendar")
    return calendar_page(request, presets_form=form)


@manager_required
def outlier_list(request):
    status = request.GET.get("status", OutlierStatus.PENDING)
    if status not in OutlierStatus.values:
        status = OutlierStatus.PENDING
    flags = DemandOutlier.objects.filter(status=status).select_related(
        "product", "warehouse", "decided_by"
    )
    return render(
        request,
        "forecasting/outliers.html",
        {
            "page": paginate(request, flags),
            "status": status,
            "statuses": OutlierStatus.choices,
            "rule": _(
                "Hampel filter per series: a centred window of %(w)s days; flagged "
                "when the day is more than %(z)s robust standard deviations "
                "(1.4826 × MAD, at least 1 unit) above the window's median and "
                "more than %(r)s× the largest other day of the window."
            )
            % {"w": WINDOW, "z": f"{Z_LIMIT:g}", "r": f"{SPIKE_RATIO:g}"},
            "auto_rule": _auto_rule_text(),
            "auto_rule_code": AUTO_RULE,
        },
    )


def _auto_rule_text() -> str:
    if not getattr(settings, "STOCKWISE_OUTLIERS_AUTO", False):
        return _(
            "Automatic rule: off (setting STOCKWISE_OUTLIERS_AUTO); every flag "
            "waits for a decision."
        )
    return _(
        "Automatic rule: on. A flagged day is left out of training without "
        "waiting for a decision when it is more than %(z)s robust standard "
        "deviations above the window's median, more than %(r)s× the window's "
        "largest other day, and one order makes at least %(s)s of it. Imported "
        "days have no orders to test and always wait. You can still keep such "
        "a day as real demand."
    ) % {
        "z": f"{AUTO_Z_LIMIT:g}",
        "r": f"{AUTO_SPIKE_RATIO:g}",
        "s": f"{AUTO_ORDER_SHARE:.0%}",
    }


@require_POST
@manager_required
def outlier_scan(request):
    if enqueue(outliers_detect_task):
        messages.success(request, _("Scanning demand history for outliers."))
    else:
        messages.warning(request, _("The task queue is unreachable; try again later."))
    return redirect("planning-outliers")


@require_POST
@manager_required
def outlier_decide_submit(request, pk):
    try:
        status, action = DECISIONS.get(request.POST.get("decision"), ("", ""))
        outlier_decide(outlier_id=pk, status=status, action=action, user=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Decision saved; the next retrain uses it."))
    back = request.POST.get("back", OutlierStatus.PENDING)
    if back not in OutlierStatus.values:
        back = OutlierStatus.PENDING
    return redirect(f"{reverse('planning-outliers')}?status={back}")
