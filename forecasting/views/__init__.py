"""Manager web pages: forecast runs, the manager dashboard, the suggestion queue."""

from .dashboard import manager_dashboard, manager_dashboard_refresh
from .runs import forecast_retrain_now, forecast_run_list
from .suggestions import (
    suggestion_approve_selected,
    suggestion_approve_submit,
    suggestion_queue,
    suggestion_rebuild,
    suggestion_reject_submit,
    suggestion_snooze_submit,
)
from .transfers import (
    transfer_suggestion_approve_submit,
    transfer_suggestion_list,
    transfer_suggestion_rebuild,
    transfer_suggestion_reject_submit,
)

__all__ = [
    "forecast_retrain_now",
    "forecast_run_list",
    "manager_dashboard",
    "manager_dashboard_refresh",
    "suggestion_approve_selected",
    "suggestion_approve_submit",
    "suggestion_queue",
    "suggestion_rebuild",
    "suggestion_reject_submit",
    "suggestion_snooze_submit",
    "transfer_suggestion_approve_submit",
    "transfer_suggestion_list",
    "transfer_suggestion_rebuild",
    "transfer_suggestion_reject_submit",
]
