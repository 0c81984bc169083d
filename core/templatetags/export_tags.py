"""The export job a list page was sent back with (?export_job=<id>): its
progress bar, then its download link (core/export_jobs.py)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from ..export_jobs import JOB_PARAM
from ..jobs import job_get, job_status_for

register = template.Library()


@register.inclusion_tag("includes/export_progress.html", takes_context=True)
def export_progress(context):
    request = context["request"]
    job_id = request.GET.get(JOB_PARAM, "")
    job = job_get(job_id) if job_id.isalnum() else None
    if job is None or job.get("user_id") != request.user.pk:
        return {"job": None}
    return {
        "job": job_status_for(job, job_id),
        "url": reverse("job-status", args=[job_id]),
        "title": _("Export"),
    }
