import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation.rules import is_qi_admin
from projects.models import Project

from . import services
from .forms import AuditFilterForm

PAGE_SIZE = 50


def _qi_admin_only(request: HttpRequest) -> None:
    if not is_qi_admin(request.user):
        raise PermissionDenied("The audit log is read by the QI department.")


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def log(request: HttpRequest, project_pk: int | None = None) -> HttpResponse:
    _qi_admin_only(request)
    # A deleted project's part of the log is still there to read; only its title is gone.
    project = Project.objects.only("title").filter(pk=project_pk).first() if project_pk else None
    form = AuditFilterForm(request.GET or None)
    qs = services.entries(form.filters, project_id=project_pk)
    if request.GET.get("format") == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(line) for line in services.csv_lines(qs)),
                                         content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"audit-log-project-{project_pk}-{stamp}.csv" if project_pk else f"audit-log-{stamp}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "audit/log.html", {
        "form": form,
        "page": page,
        "rows": services.rows(page),
        "project": project,
        "project_pk": project_pk,
        "query": params.urlencode(),
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    })
