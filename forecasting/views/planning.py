"""Demand planning pages: planner overrides, forecast value added, a new
product's launch plan."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Product
from catalog.services import product_launch_plan_set
from core.errors import ServiceError
from core.listing import paginate
from core.roles import manager_required

from ..forms import ForecastOverrideForm, LaunchPlanForm
from ..models import ForecastOverride
from ..selectors.fva import forecast_value_added
from ..services.overrides import forecast_override_create, forecast_override_withdraw

OVERRIDES_PER_PAGE = 25


def _form_error(form, error: ServiceError) -> None:
    field = {"reference_sku": "reference_sku"}.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


@manager_required
def forecast_override_list(request):
    """Overrides in force and past ones, and the form that makes one."""
    initial = {"sku": request.GET.get("sku", "")}
    form = ForecastOverrideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            forecast_override_create(
                product=data["sku"],
                warehouse=data["warehouse"],
                kind=data["kind"],
                value=data["value"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                reason=data["reason"],
                actor=request.user,
            )
        except ServiceError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Override saved: the next suggestion build plans on it."),
            )
            return redirect("forecast-overrides")
    today = timezone.localdate()
    rows = ForecastOverride.objects.select_related(
        "product", "warehouse", "created_by"
    ).order_by("withdrawn_at", "-ends_on", "-pk")
    return render(
        request,
        "forecasting/overrides.html",
        {
            "form": form,
            "page": paginate(request, rows, OVERRIDES_PER_PAGE),
            "today": today,
            "section": "forecast-runs",
        },
        status=400 if request.method == "POST" else 200,
    )


@manager_required
@require_POST
def forecast_override_withdraw_submit(request, pk: int):
    override = get_object_or_404(ForecastOverride, pk=pk)
    try:
        forecast_override_withdraw(override=override, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Override withdrawn."))
    return redirect("forecast-overrides")


@manager_required
def forecast_value_added_report(request):
    return render(
        request,
        "forecasting/value_added.html",
        {"fva": forecast_value_added(), "section": "forecast-runs"},
    )


@manager_required
@require_POST
def product_launch_plan_submit(request, sku: str):
    product = get_object_or_404(Product, sku=sku)
    form = LaunchPlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            product_launch_plan_set(
                product=product,
                launch_date=data["launch_date"],
                reference_product=data["reference_sku"],
                planned_launch_units=data["planned_launch_units"],
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Launch plan saved: the next suggestion build plans on it."),
            )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(f"{product.get_absolute_url()}#launch")
