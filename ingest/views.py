"""The QI department's API token pages, and the API's guide for the people who connect systems to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ops import queue
from ops.models import ImportStatus
from ops.tables import UploadError
from organisation.rules import is_qi_admin

from . import importing
from .forms import MappingForm, PortfolioFileForm, RevokeForm, TokenForm
from .models import ApiToken, PortfolioImport


def qi_admin_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_qi_admin(request.user):
            raise PermissionDenied("API tokens are issued by the QI department.")
        return view(request, *args, **kwargs)

    return wrapper


@qi_admin_required
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "ingest/tokens.html", {"tokens": ApiToken.objects.for_list()})


@never_cache  # the page that shows the secret must not sit in any cache
@qi_admin_required
@require_http_methods(["GET", "POST"])
def token_new(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token, secret = ApiToken.issue(by=request.user, **form.issue_kwargs())
        # Shown in the response to the POST and nowhere else: the secret is never stored, not even in the
        # session, so there is no page to come back to.
        return render(request, "ingest/token_created.html", {"token": token, "secret": secret})
    return render(request, "ingest/token_form.html", {"form": form})


@qi_admin_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("created_by", "revoked_by"), pk=pk)
    if token.is_revoked:
        messages.info(request, f"“{token.name}” was already revoked.")
        return redirect("ingest:tokens")
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if token.revoke(by=request.user):
            messages.success(request, f"“{token.name}” is revoked: it no longer works.")
        return redirect("ingest:tokens")
    return render(request, "ingest/token_revoke.html", {"token": token, "form": form})


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("ingest:ingest-api:api-root"))
    return render(request, "ingest/api_docs.html", {"base": base.rstrip("/"),
                                                    "is_qi_admin": is_qi_admin(request.user)})


# --------------------------------------------------------------------------- moving in an old portfolio


@qi_admin_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Upload the file; the earlier imports are listed below it."""
    form = PortfolioFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            batch = importing.stage(f.read(), f.name, by=request.user)
        except UploadError as e:
            form.add_error("file", str(e))
        else:
            return redirect("portfolio_import:columns", batch.pk)
    imports = PortfolioImport.objects.select_related("uploaded_by").defer("rows", "sheets", "headings")[:20]
    return render(request, "ingest/portfolio_start.html", {"form": form, "imports": imports})


def _batch_for(request: HttpRequest, pk: int) -> PortfolioImport:
    return get_object_or_404(PortfolioImport.objects.select_related("uploaded_by"), pk=pk)


@qi_admin_required
@require_http_methods(["GET", "POST"])
def columns(request: HttpRequest, pk: int) -> HttpResponse:
    """The column-mapping step: guessed from the headings, checked that nothing is chosen twice."""
    batch = _batch_for(request, pk)
    if batch.mapped:
        return redirect(batch)
    form = MappingForm(request.POST or None, headings=batch.headings, initial_mapping=batch.mapping)
    if request.method == "POST" and form.is_valid():
        if importing.choose_mapping(batch, form.cleaned_data):
            queue.after_commit("ingest.tasks.check_portfolio", batch.pk)
        return redirect(batch)
    return render(request, "ingest/portfolio_columns.html", {
        "batch": batch, "form": form, "sample": batch.rows[:5],
        "sheets": {kind: sheet["sheet"] for kind, sheet in batch.sheets.items()}})


@qi_admin_required
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview (every row's problems, the people to be made), the confirmation, the result."""
    batch = _batch_for(request, pk)
    if not batch.mapped:
        return redirect("portfolio_import:columns", batch.pk)
    if request.method == "POST":
        if request.POST.get("cancel"):
            if PortfolioImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
                    status=ImportStatus.CANCELLED, finished_at=timezone.now()):
                messages.info(request, "Import cancelled: nothing was brought in.")
            return redirect("portfolio_import:start")
        # Claim the batch so that a double click imports it once.
        with transaction.atomic():
            if PortfolioImport.objects.filter(pk=batch.pk, status=ImportStatus.READY).update(
                    status=ImportStatus.IMPORTING):
                queue.after_commit("ingest.tasks.import_portfolio", batch.pk)
            else:
                messages.error(request, "This import is not waiting for confirmation.")
        return redirect(batch)
    sheets = {kind: sheet.get("checked", []) for kind, sheet in batch.sheets.items()}
    return render(request, "ingest/portfolio_batch.html", {
        "batch": batch, "importable": batch.importable_rows, "problems": batch.problem_rows,
        "existing": [r for r in batch.valid_rows if r.get("exists")], "unknown": importing.unknown_people(batch),
        "sheets": sheets, "sheet_problems": {k: [r for r in v if r["problems"]] for k, v in sheets.items()},
        "percent": int(100 * batch.processed_rows / batch.total_rows) if batch.total_rows else 100,
        "labels": {c.field: importing.portfolio.FIELD_LABELS[c.field] for c in importing.portfolio.FIELDS}})


@qi_admin_required
def sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(importing.portfolio.sample_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="portfolio-sample.xlsx"'
    return response
