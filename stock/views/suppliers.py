"""The supplier scorecard: how each supplier delivers (managers)."""

from django.shortcuts import render

from core.roles import manager_required

from ..selectors.supplier_performance import supplier_scorecards

TREND_MONTHS = 6


@manager_required
def supplier_scorecard(request):
    cards = supplier_scorecards(months=TREND_MONTHS)
    months = [m for m, _ in cards[0].months] if cards else []
    return render(
        request,
        "stock/supplier_scorecard.html",
        {"cards": cards, "months": months},
    )
