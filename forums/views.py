"""QI forum pages: every forum, one forum, the meeting a chair runs in the room, its minutes and print."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from coaching.services import CapacityError
from organisation.models import Directorate, Role, RoleAssignment
from organisation.rules import chairs_directorate, is_qi_admin
from projects.models import ProjectStatus
from projects.services import TransitionError
from workspace.models import ClosureRequest

from . import agenda_sources
from .cases import attach_cases
from .forms import AllocationChoices, Candidate, DecisionForm, MinutesForm
from .models import DECIDABLE_KINDS, AgendaItem, AgendaKind, Forum, Meeting, Outcome
from .services import (
    AlreadyDecided,
    attendance_candidates,
    decide,
    ensure_next_meeting,
    forum_for,
    forum_leads,
    record_attendance,
    save_minutes,
)

# The order a forum works through its agenda, and what each section is for.
SECTIONS = [
    (AgendaKind.NEW, "New ideas", ""),
    (AgendaKind.RESUBMITTED, "Returned and resubmitted", "Ideas the team has reworked after the forum's feedback."),
    (AgendaKind.DEFERRED, "Deferred from an earlier meeting", ""),
    (AgendaKind.STALE, "Progress needing attention", "Projects whose monthly progress is missing or stuck."),
    (AgendaKind.CLOSURE, "Closure requests", "Teams asking the forum to close their project."),
    (AgendaKind.SIGNAL, "New signals in the data", "Measures showing special-cause variation."),
    (AgendaKind.PROGRAMME, "Teams joining improvement programmes",
     "For information: the programme approved these projects; nothing to decide."),
]
ALWAYS_SHOWN = {AgendaKind.NEW, AgendaKind.RESUBMITTED, AgendaKind.DEFERRED}


@dataclass
class Section:
    kind: str
    title: str
    blurb: str
    items: list


def _meeting_for(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("forum", "forum__directorate",
                                                            "minutes_updated_by"), pk=pk)


def _meeting_to_record(request: HttpRequest, pk: int) -> Meeting:
    meeting = _meeting_for(pk)
    if not request.user.has_perm("forums.record_minutes", meeting):
        raise PermissionDenied("Only the forum's chair, co-chair or the QI department record the minutes.")
    return meeting


def _item_to_decide(request: HttpRequest, pk: int) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.select_related("meeting", "meeting__forum", "project"), pk=pk)
    if not request.user.has_perm("forums.decide", item.meeting):
        raise PermissionDenied("Only the chair or co-chair of this directorate's forum decide on its ideas.")
    return item


def _leads_by_directorate() -> Prefetch:
    leads = (RoleAssignment.objects.filter(role__in=[Role.FORUM_CHAIR, Role.FORUM_CO_CHAIR])
             .select_related("user").order_by("role", "user__display_name"))
    return Prefetch("directorate__role_assignments", queryset=leads, to_attr="forum_leads")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    # A directorate the QI department has just added gets its forum on first sight.
    for directorate in Directorate.objects.filter(forum__isnull=True):
        forum_for(directorate)
    today = timezone.localdate()
    waiting = Q(meetings__date__gte=today, meetings__items__kind__in=DECIDABLE_KINDS,
                meetings__items__decision__isnull=True,
                meetings__items__project__status=ProjectStatus.SUBMITTED)
    next_date = Meeting.objects.filter(forum=OuterRef("pk"), date__gte=today).order_by("date").values("date")[:1]
    forums = list(Forum.objects.select_related("directorate")
                  .annotate(next_date=Subquery(next_date),
                            waiting=Count("meetings__items", filter=waiting, distinct=True))
                  .prefetch_related(_leads_by_directorate()))
    user = request.user
    member_of = set(user.forums.values_list("pk", flat=True))
    for forum in forums:
        forum.leads = forum.directorate.forum_leads
        # No meeting row yet: the date still follows from the forum's rule.
        forum.next_date = forum.next_date or forum.meeting_date_on_or_after(today)
        forum.is_mine = (chairs_directorate(user, forum.directorate_id) or forum.pk in member_of
                         or forum.directorate_id == user.directorate_id)
    forums.sort(key=lambda f: (not f.is_mine, f.directorate.name))
    return render(request, "forums/index.html", {"forums": forums})


@login_required
def forum(request: HttpRequest, pk: int) -> HttpResponse:
    forum = get_object_or_404(Forum.objects.select_related("directorate"), pk=pk)
    today = timezone.localdate()
    next_meeting = ensure_next_meeting(forum, today)
    counted = Meeting.objects.filter(forum=forum).annotate(
        item_count=Count("items", distinct=True),
        decided=Count("decisions", distinct=True),
        approved=Count("decisions", filter=Q(decisions__outcome=Outcome.APPROVE), distinct=True),
        returned=Count("decisions", filter=Q(decisions__outcome=Outcome.RETURN), distinct=True),
        declined=Count("decisions", filter=Q(decisions__outcome=Outcome.DECLINE), distinct=True),
        deferred=Count("decisions", filter=Q(decisions__outcome=Outcome.DEFER), distinct=True),
        waiting=Count("items", filter=Q(items__kind__in=DECIDABLE_KINDS, items__decision__isnull=True,
                                        items__project__status=ProjectStatus.SUBMITTED), distinct=True),
    )
    upcoming = list(counted.upcoming(today))
    past = list(counted.past(today)[:24])
    context = {
        "forum": forum,
        "next_meeting": next(m for m in upcoming if m.pk == next_meeting.pk),
        "later_meetings": [m for m in upcoming if m.pk != next_meeting.pk],
        "past_meetings": past,
        "leads": forum_leads(forum.directorate_id),
        "members": forum.members.filter(is_active=True).select_related("team").order_by("display_name"),
        "is_qi_admin": is_qi_admin(request.user),
    }
    return render(request, "forums/forum.html", context)


def _sections(items: list[AgendaItem]) -> list[Section]:
    by_kind: dict[str, list] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    return [Section(kind, title, blurb, by_kind.get(kind, [])) for kind, title, blurb in SECTIONS
            if kind in ALWAYS_SHOWN or by_kind.get(kind)]


def _attach_closures(items: list[AgendaItem]) -> None:
    """Closure items link to the request the chair reviews (one query for the whole agenda)."""
    wanted = {item.project_id for item in items if item.kind == AgendaKind.CLOSURE}
    if not wanted:
        return
    latest = {c.project_id: c for c in ClosureRequest.objects.filter(project_id__in=wanted)
              .select_related("reviewed_by").order_by("requested_at")}
    for item in items:
        item.closure = latest.get(item.project_id) if item.kind == AgendaKind.CLOSURE else None


_FORM_SLOT = 987_654_321_012  # stands for an item's pk in the one blank decision form rendered per page


def _blank_decision_form(request: HttpRequest, choices: AllocationChoices) -> str:
    """Every undecided item's blank form differs only in its item's pk (names, ids, action); the coach, sponsor
    and advisor lists are the forum's. Rendered once and copied, not once per item (1.3 ms each)."""
    slot = SimpleNamespace(pk=_FORM_SLOT)
    return render_to_string("forums/_decision_form.html", {
        "form": DecisionForm(prefix=f"item-{_FORM_SLOT}", choices=choices), "item": slot}, request=request)


def _render_meeting(request: HttpRequest, meeting: Meeting, *, bound: dict[int, DecisionForm] | None = None,
                    status: int = 200) -> HttpResponse:
    items = list(AgendaItem.objects.filter(meeting=meeting).for_agenda_list())
    attach_cases(items)
    can_decide = request.user.has_perm("forums.decide", meeting)
    bound = bound or {}
    if can_decide:
        choices = AllocationChoices.for_directorate(meeting.forum.directorate_id)
        blank = None
        for item in items:
            if item.pk in bound:
                item.form = bound[item.pk]
            elif item.awaits_decision:
                blank = blank or _blank_decision_form(request, choices)
                item.form_html = mark_safe(blank.replace(str(_FORM_SLOT), str(item.pk)))  # noqa: S308
    _attach_closures(items)
    decided_items = [item for item in items if getattr(item, "decision", None) is not None]
    undecided = sum(1 for item in items if item.awaits_decision)
    context = {
        "meeting": meeting,
        "forum": meeting.forum,
        "sections": _sections(items),
        "extra_sections": agenda_sources.sections_for(meeting),
        "decided_items": decided_items,
        "undecided": undecided,
        "item_count": len(items),
        "can_decide": can_decide,
        "can_record_minutes": request.user.has_perm("forums.record_minutes", meeting),
        "attendance": meeting.attendance.select_related("person").order_by("role", "person__display_name"),
        "leads": forum_leads(meeting.forum.directorate_id),
        "previous_meeting": meeting.forum.meetings.filter(date__lt=meeting.date).order_by("-date").first(),
        "following_meeting": meeting.forum.meetings.filter(date__gt=meeting.date).order_by("date").first(),
        "is_past": meeting.date < timezone.localdate(),
        "failed_item": next(iter(bound), None),
    }
    return render(request, "forums/meeting.html", context, status=status)


@login_required
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    # Agendas are open to everyone who can log in; only the forms depend on the person.
    return _render_meeting(request, _meeting_for(pk))


@login_required
def meeting_print(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for(pk)
    items = list(AgendaItem.objects.filter(meeting=meeting).for_agenda())
    return render(request, "forums/meeting_print.html", {
        "meeting": meeting, "forum": meeting.forum, "sections": _sections(items), "item_count": len(items),
        "leads": forum_leads(meeting.forum.directorate_id),
    })


@login_required
@require_POST
def decide_item(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = _item_to_decide(request, item_pk)
    meeting = item.meeting
    back = f"{reverse('forums:meeting', args=[meeting.pk])}#item-{item.pk}"
    choices = AllocationChoices.for_directorate(meeting.forum.directorate_id)
    form = DecisionForm(request.POST, prefix=f"item-{item.pk}", choices=choices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decide(item, outcome=data["outcome"], by=request.user, rationale=data["rationale"],
                   coach=data["coach"], sponsor=data["sponsor"], advisor=data["advisor"],
                   override_reason=data["override_reason"])
        except AlreadyDecided as exc:
            messages.warning(request, str(exc))
            return redirect(back)
        except CapacityError as exc:
            form.add_error("coach", str(exc))
        except TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            label = Outcome(data["outcome"]).label.lower()
            messages.success(request, f"Recorded: “{item.project.title}” – {label}.")
            return redirect(back)
    return _render_meeting(request, meeting, bound={item.pk: form})


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_to_record(request, pk)
    candidates = [Candidate(person, role) for person, role in attendance_candidates(meeting)]
    present = [str(pk) for pk in meeting.attendance.filter(present=True).values_list("person_id", flat=True)]
    initial_pks = {str(c.person.pk) for c in candidates}
    form = MinutesForm(request.POST or None, candidates=candidates,
                       initial={"minutes": meeting.minutes, "present": [p for p in present if p in initial_pks]})
    if request.method == "POST" and form.is_valid():
        save_minutes(meeting, minutes=form.cleaned_data["minutes"], by=request.user)
        record_attendance(meeting, form.attendees())
        messages.success(request, "Minutes and attendance saved.")
        return redirect(f"{reverse('forums:meeting', args=[meeting.pk])}#minutes")
    return render(request, "forums/minutes.html", {"meeting": meeting, "forum": meeting.forum, "form": form})
