"""The days a dashboard period covers."""

from datetime import date, timedelta

from django.utils import timezone


def period_dates(period_days: int, today: date | None = None) -> tuple[date, date]:
    """[since, until): the ``period_days`` days before ``today`` (local date)."""
    until = today or timezone.localdate()
    return until - timedelta(days=period_days), until
