"""Core's worker tasks, here for Celery's autodiscovery: list exports
(defined with their mechanism in core/export_jobs.py)."""

from .export_jobs import export_run_task, exports_prune_task

__all__ = ["export_run_task", "exports_prune_task"]
