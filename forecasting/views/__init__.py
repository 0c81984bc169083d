"""Manager web pages: forecast runs, the manager dashboard, the suggestion queue."""

from .dashboard import manager_dashboard, manager_dashboard_refresh
from .imports import sales_import_page
from .planning import (
    forecast_override_list,
    forecast_override_withdraw_submit,
    forecast_value_added_report,
    product_launch_plan_submit,
)
from .runs import forecast_retrain_now, forecast_run_list, forecast_run_status
from .suggestions import (
    suggestion_approve_selected,
    suggestion_approve_submit,
    suggestion_decide,
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
    "sales_import_page",
    "forecast_override_list",
    "forecast_override_withdraw_submit",
    "forecast_value_added_report",
    "product_launch_plan_submit",
    "forecast_retrain_now",
    "forecast_run_list",
    "forecast_run_status",
    "manager_dashboard",
    "manager_dashboard_refresh",
    "suggestion_approve_selected",
    "suggestion_approve_submit",
    "suggestion_decide",
    "suggestion_queue",
    "suggestion_rebuild",
    "suggestion_reject_submit",
    "suggestion_snooze_submit",
    "transfer_suggestion_approve_submit",
    "transfer_suggestion_list",
    "transfer_suggestion_rebuild",
    "transfer_suggestion_reject_submit",
]
