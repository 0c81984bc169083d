"""Alert rules in the web (managers): list, create, edit, switch, delete."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.roles import manager_required

from ..forms import AlertRuleForm
from ..models import ACTIVE_ALERT_STATUSES, AlertRule
from ..services.rule_edit import (
    alert_rule_delete,
    alert_rule_save,
    alert_rule_set_active,
)


@manager_required
def alert_rule_list(request):
    rules = (
        AlertRule.objects.select_related(
            "category", "product", "warehouse", "location__warehouse"
        )
        .annotate(
            active_alerts=Count(
                "alerts", filter=Q(alerts__status__in=ACTIVE_ALERT_STATUSES)
            )
        )
        .order_by("kind", "name", "pk")
    )
    return render(request, "notifications/rule_list.html", {"rules": rules})


def _rule_form(request, rule: AlertRule | None):
    form = AlertRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = alert_rule_save(rule=form.instance)
        text = _("Rule “%(name)s” saved; the stock is being checked against it.")
        messages.success(request, text % {"name": saved.name})
        return redirect("alert-rule-list")
    return render(
        request,
        "notifications/rule_form.html",
        {"form": form, "rule": rule},
    )


@manager_required
def alert_rule_create(request):
    return _rule_form(request, None)


@manager_required
def alert_rule_edit(request, pk: int):
    return _rule_form(request, get_object_or_404(AlertRule, pk=pk))


@require_POST
@manager_required
def alert_rule_toggle(request, pk: int):
    rule = get_object_or_404(AlertRule, pk=pk)
    alert_rule_set_active(rule=rule, active=not rule.is_active)
    text = (
        _("Rule “%(name)s” switched on.")
        if rule.is_active
        else _("Rule “%(name)s” switched off; its alerts resolve.")
    )
    messages.success(request, text % {"name": rule.name})
    return redirect("alert-rule-list")


@require_POST
@manager_required
def alert_rule_delete_view(request, pk: int):
    rule = get_object_or_404(AlertRule, pk=pk)
    alert_rule_delete(rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("alert-rule-list")
