"""The managers' sales-history import: upload a CSV, checked at once; the
rows are written by a worker job whose progress the page shows."""

import uuid

from django.contrib import messages
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.enqueue import enqueue
from core.jobs import job_get, job_start, job_status_for
from core.roles import manager_required

from ..forms import SalesImportForm
from ..tasks import sales_import_task


@manager_required
def sales_import_page(request):
    form = SalesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name = default_storage.save(
            f"imports/{uuid.uuid4().hex}.csv", form.cleaned_data["file"]
        )
        job_id = job_start(
            user_id=request.user.pk, stage=gettext_noop("Waiting for a worker")
        )
        if not enqueue(sales_import_task, job_id=job_id, name=name):
            default_storage.delete(name)
            messages.error(
                request, _("The task queue is unreachable; try again later.")
            )
            return redirect("sales-import")
        messages.success(
            request,
            _("The file passed the checks (%(n)s rows); importing it now.")
            % {"n": form.report.valid},
        )
        return redirect(f"{reverse('sales-import')}?job={job_id}")
    return render(
        request,
        "forecasting/sales_import.html",
        {"form": form, "job": _job(request), "job_id": request.GET.get("job", "")},
    )


def _job(request) -> dict | None:
    """The import this manager started (?job=<id>), for its progress bar."""
    job_id = request.GET.get("job", "")
    job = job_get(job_id) if job_id.isalnum() else None
    if job is None or job.get("user_id") != request.user.pk:
        return None
    return job_status_for(job, job_id)
