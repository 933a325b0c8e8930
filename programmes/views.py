"""Programme pages. Thin views: who may, the form, one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from coaching.services import CapacityError
from discussions.forms import CommentForm
from discussions.services import thread
from organisation.rules import is_qi_admin

from . import reading, services
from .forms import (
    AcceptForm,
    ApplyForm,
    AttendanceForm,
    DeclineForm,
    DriverForm,
    EvaluationForm,
    InviteForm,
    LinkForm,
    MoveForm,
    PackageIdeaForm,
    ProgrammeForm,
    SessionForm,
    SessionRecordForm,
    TeamOutcomeForm,
    TemplateForm,
    WaveForm,
)
from .models import ALLOWED_MOVES, STAGE_ORDER, Candidacy, LearningSession, Programme, RecruitKind, RecruitStatus, Stage
from .rules import may_comment, may_manage, may_read
from .services import ProgrammeError


def _programme(request: HttpRequest, pk: int, *, manage: bool = False) -> Programme:
    """The programme, or 404 for someone who may not see it, 403 for someone who may see but not manage it."""
    programme = get_object_or_404(Programme.objects.select_related("lead", "priority", "objective"), pk=pk)
    if not programme.is_draft and not manage:
        return programme  # open to everyone signed in (login_required came first): no need to ask who sponsors
    if not may_read(request.user, programme):
        raise Http404("No such programme.")
    if manage and not may_manage(request.user, programme):
        raise PermissionDenied("Programmes are managed by their lead and the QI department.")
    return programme


def _tabs(programme: Programme, request: HttpRequest, active: str) -> dict:
    return {"programme": programme, "active_tab": active, "can_manage": may_manage(request.user, programme)}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    programmes = list(Programme.objects.visible_to(request.user).select_related("lead", "priority").with_counts())
    return render(request, "programmes/index.html", {"programmes": programmes,
                                                     "can_create": is_qi_admin(request.user)})


@login_required
def themes(request: HttpRequest) -> HttpResponse:
    """For the QI department: running projects that share a priority or wording, to bring into a programme."""
    if not is_qi_admin(request.user):
        raise PermissionDenied("Themes across the portfolio are for the QI department.")
    recruiting = list(Programme.objects.filter(stage__in=(Stage.DESIGN, Stage.RECRUIT, Stage.DELIVER))
                      .order_by("title"))
    return render(request, "programmes/themes.html", {"themes": reading.themes(), "recruiting": recruiting})


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not is_qi_admin(request.user):
        raise PermissionDenied("Programmes are set up by the QI department.")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        programme = services.create_programme(by=request.user, **data)
        messages.success(request, f"“{programme.title}” is being scoped. Fill in its checklist to move on.")
        return redirect(programme)
    return render(request, "programmes/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.set_sponsors(programme, form.cleaned_data["sponsors"])
        messages.success(request, "Saved.")
        return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, **_tabs(programme, request, "overview")})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    enrolments, templates = reading.results(programme)
    drivers, ideas = reading.driver_rows(programme)
    sponsors = [s.person for s in programme.executive_sponsors.select_related("person")]
    # Who may comment, from what the page has read anyway (rules.sponsors_of would ask again).
    programme._sponsor_ids = {p.pk for p in sponsors} | {e.local_sponsor_id for e in enrolments if e.local_sponsor_id}
    chosen = request.GET.get("safety")
    safety = next((t for t in templates if str(t.template.pk) == chosen), templates[0] if templates else None)
    index = STAGE_ORDER.index(programme.stage)
    moves = [(s, Stage(s).label, STAGE_ORDER.index(s) > index) for s in ALLOWED_MOVES[programme.stage]]
    return render(request, "programmes/detail.html", {
        **_tabs(programme, request, "overview"),
        "stages": [(i, value, label) for i, (value, label) in enumerate(Stage.choices)], "stage_index": index,
        "checklist": services.checklist(programme), "moves": sorted(moves, key=lambda m: not m[2]),
        "sponsors": sponsors,
        "enrolments": enrolments, "team_list": reading.team_list(enrolments), "templates": templates, "safety": safety,
        "drivers": drivers, "package": ideas, "diagram": reading.diagram(programme, drivers, ideas),
        "history": programme.moves.select_related("by").order_by("-at", "-pk"),
        "next_session": programme.sessions.filter(date__gte=timezone.localdate()).order_by("date").first(),
        "waves": list(programme.waves.all()),
        "thread": thread(programme, request.user), "comment_form": CommentForm(),
        "driver_form": DriverForm(programme=programme, drivers=drivers),
        "idea_form": PackageIdeaForm(programme=programme, drivers=drivers),
        "wave_form": WaveForm(), "can_comment": may_comment(request.user, programme),
    })


def _back(programme: Programme, anchor: str = "") -> HttpResponse:
    return redirect(programme.get_absolute_url() + (f"#{anchor}" if anchor else ""))


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a stage to move to.")
        return _back(programme)
    try:
        services.move_stage(programme, form.cleaned_data["to_stage"], by=request.user,
                            note=form.cleaned_data["note"], expected_from=form.cleaned_data["expected_from"])
    except ProgrammeError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, f"The programme is now in “{programme.get_stage_display()}”.")
    return _back(programme, "stage")


def _plan_post(request: HttpRequest, programme: Programme, form, action, anchor: str) -> HttpResponse:
    """The small forms of the plan: on a mistake, the page again with the message beside the field."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ProgrammeError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, "Added.")
            return _back(programme, anchor)
    return render(request, "programmes/plan_form.html", {**_tabs(programme, request, "overview"), "form": form,
                                                          "anchor": anchor}, status=400 if form.errors else 200)


@login_required
@require_POST
def add_driver(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    return _plan_post(request, programme, DriverForm(request.POST, programme=programme),
                      lambda d: services.add_driver(programme, text=d["text"], parent=d["parent"]), "theory")


@login_required
@require_POST
def add_package_idea(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    return _plan_post(request, programme, PackageIdeaForm(request.POST, programme=programme),
                      lambda d: services.add_package_idea(programme, **d), "theory")


@login_required
@require_POST
def add_wave(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    return _plan_post(request, programme, WaveForm(request.POST),
                      lambda d: services.add_wave(programme, starts_on=d["starts_on"]), "plan")


@login_required
@require_http_methods(["GET", "POST"])
def add_template(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk, manage=True)
    form = TemplateForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        services.add_template(programme, **form.cleaned_data)
        messages.success(request, f"“{form.cleaned_data['name']}” is in the measurement plan; every team enrolled "
                                  "has its own copy.")
        return _back(programme, "plan")
    return render(request, "programmes/template_form.html", {**_tabs(programme, request, "overview"),
                                                             "form": form})


# --------------------------------------------------------------------------- recruitment


@login_required
@require_http_methods(["GET", "POST"])
def recruitment(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    manage = may_manage(request.user, programme)
    invite = InviteForm(user=request.user)
    apply = ApplyForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "invite":
            if not manage:
                raise PermissionDenied("The QI department invites teams.")
            invite = InviteForm(request.POST, user=request.user)
            if invite.is_valid():
                try:
                    services.propose(programme, by=request.user, kind=RecruitKind.INVITED, **invite.cleaned_data)
                except ProgrammeError as e:
                    invite.add_error("team", str(e))
                else:
                    messages.success(request, f"{invite.cleaned_data['team']} is invited.")
                    return redirect("programmes:recruitment", programme.pk)
        elif action == "apply":
            if request.user.team_id is None:
                raise PermissionDenied("Teams apply through their own members.")
            apply = ApplyForm(request.POST)
            if apply.is_valid():
                try:
                    services.propose(programme, team=request.user.team, by=request.user, kind=RecruitKind.APPLIED,
                                     note=apply.cleaned_data["note"])
                except ProgrammeError as e:
                    apply.add_error(None, str(e))
                else:
                    messages.success(request, "Your team's application is with the QI department.")
                    return redirect("programmes:recruitment", programme.pk)
        else:
            raise PermissionDenied("Unknown action.")
    candidacies = list(programme.candidacies.select_related("team", "team__directorate", "by", "partner",
                                                            "decided_by"))
    own_team = request.user.team
    return render(request, "programmes/recruitment.html", {
        **_tabs(programme, request, "recruitment"), "invite_form": invite, "apply_form": apply,
        "open": [c for c in candidacies if c.status == RecruitStatus.OPEN],
        "decided": [c for c in candidacies if c.status != RecruitStatus.OPEN],
        "enrolments": list(programme.enrolments.for_rows()),
        "may_apply": programme.stage == Stage.RECRUIT and own_team is not None and not manage,
        "own_team": own_team,
    }, status=400 if (invite.errors or apply.errors) else 200)


def _candidacy(request: HttpRequest, pk: int, candidacy_pk: int) -> tuple[Programme, Candidacy]:
    programme = _programme(request, pk, manage=True)
    candidacy = get_object_or_404(Candidacy.objects.select_related("team", "team__directorate", "partner"),
                                  pk=candidacy_pk, programme=programme, status=RecruitStatus.OPEN)
    return programme, candidacy


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, pk: int, candidacy_pk: int) -> HttpResponse:
    programme, candidacy = _candidacy(request, pk, candidacy_pk)
    form = AcceptForm(request.POST or None, programme=programme, team=candidacy.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept(candidacy, by=request.user, **form.cleaned_data)
        except (ProgrammeError, CapacityError) as e:
            form.add_error("coach" if isinstance(e, CapacityError) else None, str(e))
        else:
            messages.success(request, f"{candidacy.team} is enrolled, with its own project and measures.")
            return redirect("programmes:recruitment", programme.pk)
    return render(request, "programmes/accept.html", {**_tabs(programme, request, "recruitment"), "form": form,
                                                      "candidacy": candidacy},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, pk: int, candidacy_pk: int) -> HttpResponse:
    programme, candidacy = _candidacy(request, pk, candidacy_pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.decline(candidacy, by=request.user, note=form.cleaned_data["note"])
        messages.success(request, f"{candidacy.team} was declined.")
        return redirect("programmes:recruitment", programme.pk)
    return render(request, "programmes/decline.html", {**_tabs(programme, request, "recruitment"), "form": form,
                                                       "candidacy": candidacy}, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- learning sessions


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST":
        if not may_manage(request.user, programme):
            raise PermissionDenied("Learning sessions are scheduled by the programme's lead and the QI department.")
        if form.is_valid():
            session = services.schedule_session(programme, **form.cleaned_data)
            messages.success(request, f"{session} is scheduled for {session.date:%-d %B %Y}.")
            return redirect("programmes:sessions", programme.pk)
    rows = list(programme.sessions.annotate(teams=Count("attendance", filter=Q(attendance__attended=True))))
    today = timezone.localdate()
    return render(request, "programmes/sessions.html", {
        **_tabs(programme, request, "sessions"), "form": form, "today": today,
        "past": [s for s in rows if s.date < today], "coming": [s for s in rows if s.date >= today],
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    item = get_object_or_404(LearningSession, pk=session_pk, programme=programme)
    enrolments = list(programme.enrolments.for_rows())
    existing = {a.enrolment_id: a for a in item.attendance.all()}
    manage = may_manage(request.user, programme)
    data = request.POST if request.method == "POST" else None
    if data is not None and not manage:
        raise PermissionDenied("Learning sessions are recorded by the programme's lead and the QI department.")
    record = SessionRecordForm(data, initial={"shared": item.shared})
    rows = []
    for e in enrolments:
        a = existing.get(e.pk)
        rows.append((e, AttendanceForm(data, prefix=f"t{e.pk}", initial={
            "attended": a.attended if a else False, "who": a.who if a else "", "next_plan": a.next_plan if a else ""})))
    if data is not None and record.is_valid() and all(f.is_valid() for _, f in rows):
        try:
            services.record_session(item, shared=record.cleaned_data["shared"], attendance=[
                {"enrolment": e, **f.cleaned_data} for e, f in rows])
        except ProgrammeError as e:
            record.add_error(None, str(e))
        else:
            messages.success(request, f"{item} is recorded.")
            return redirect(item)
    return render(request, "programmes/session.html", {
        **_tabs(programme, request, "sessions"), "session": item, "record_form": record, "rows": rows,
        "attendance": [(e, existing.get(e.pk)) for e in enrolments],
    }, status=400 if (record.errors or any(f.errors for _, f in rows)) else 200)


# --------------------------------------------------------------------------- change package, spread, evaluation


@login_required
@require_http_methods(["GET", "POST"])
def package(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    manage = may_manage(request.user, programme)
    linkable = list(reading.linkable_ideas(programme)) if manage else []
    form = LinkForm(request.POST or None, programme=programme, change_ideas=linkable)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("The programme's lead and the QI department link ideas to the package.")
        if form.is_valid():
            idea = next(i for i in linkable if str(i.pk) == form.cleaned_data["change_idea"])
            try:
                services.link_idea(form.cleaned_data["package_idea"], idea, by=request.user)
            except ProgrammeError as e:
                form.add_error("change_idea", str(e))
            else:
                messages.success(request, f"{idea.project.team.name}'s “{idea.title}” is linked.")
                return redirect("programmes:package", programme.pk)
    ideas, enrolments, cells = reading.matrix(programme)
    grid = [(idea, [cells.get((idea.pk, e.pk)) for e in enrolments]) for idea in ideas]
    return render(request, "programmes/package.html", {
        **_tabs(programme, request, "package"), "grid": grid, "enrolments": enrolments, "form": form,
        "linkable": linkable}, status=400 if form.errors else 200)


@login_required
def spread(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    groups = reading.spread(programme)
    waves = list(programme.waves.all())
    return render(request, "programmes/spread.html", {**_tabs(programme, request, "spread"), "groups": groups,
                                                      "waves": waves})


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme(request, pk)
    enrolments = list(programme.enrolments.for_rows())
    manage = may_manage(request.user, programme) and programme.stage == Stage.EVALUATE
    data = request.POST if request.method == "POST" else None
    if data is not None and not manage:
        raise PermissionDenied("The programme is evaluated by its lead and the QI department, in its evaluate stage.")
    overall = EvaluationForm(data, initial={"outcome": programme.outcome, "learning": programme.learning})
    rows = [(e, TeamOutcomeForm(data, prefix=f"t{e.pk}", initial={"outcome": e.outcome,
                                                                   "outcome_note": e.outcome_note}))
            for e in enrolments]
    if data is not None and overall.is_valid() and all(f.is_valid() for _, f in rows):
        with transaction.atomic():
            for e, f in rows:
                services.evaluate_team(e, **f.cleaned_data)
            services.evaluate(programme, **overall.cleaned_data)
        messages.success(request, "The evaluation is saved.")
        return redirect("programmes:evaluation", programme.pk)
    _, templates = reading.results(programme)
    return render(request, "programmes/evaluation.html", {
        **_tabs(programme, request, "evaluation"), "form": overall, "rows": rows, "manage": manage,
        "templates": templates, "met": sum(1 for e in enrolments if e.outcome == "aim_met"),
    }, status=400 if (overall.errors or any(f.errors for _, f in rows)) else 200)
