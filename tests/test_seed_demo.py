import pytest
from django.core.management import call_command

from organisation.models import CoachProfile, Directorate, LivedExperience, Role, RoleAssignment, Team, TeamKind, User

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in (Directorate, Team, User, RoleAssignment, CoachProfile)}


def test_seed_demo_builds_a_believable_trust_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    assert first["Directorate"] >= 4
    assert Team.objects.count() >= 20 and Team.objects.filter(kind=TeamKind.WARD).count() >= 8
    assert RoleAssignment.objects.filter(role=Role.COACH).count() >= 15
    assert RoleAssignment.objects.filter(role=Role.IMPROVEMENT_ADVISOR).count() == 3
    assert RoleAssignment.objects.filter(role=Role.BOARD).count() >= 3
    co_chairs = User.objects.filter(role_assignments__role=Role.FORUM_CO_CHAIR)
    assert co_chairs.exclude(lived_experience=LivedExperience.NONE).exists()
    for name in ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board", "qiadmin"]:
        persona = User.objects.get(username=name)
        assert persona.is_demo_persona and persona.check_password("demo")
    # The staff persona's measure shows data kept honest: a correction, a removal with its reason, an upload
    # waiting to be confirmed with a row far outside the history.
    from measures.models import ChangeAction, DataPointChange, UploadBatch
    changes = DataPointChange.objects.filter(measure__project__lead__username="staff")
    assert set(changes.values_list("action", flat=True)) == {ChangeAction.CORRECT, ChangeAction.REMOVE}
    waiting = UploadBatch.objects.get(uploaded_by__username="staff", status="ready")
    assert waiting.rows[0]["unusual"] and not waiting.rows[0]["problems"]
    # A new coach co-facilitates the running Improvement Leaders' wave: it counts in their load.
    from organisation.models import CoachProfile
    assert CoachProfile.objects.filter(cohorts_facilitated=1).count() == 1
    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert changes.count() == 2 and UploadBatch.objects.count() == 1


def test_seed_demo_scale_grows_teams_and_people_within_tens_of_directorates():
    from organisation.demo import directorate_count

    assert directorate_count(1) == 5 and directorate_count(3) == 6 and directorate_count(250) == 30
    assert directorate_count(10_000) == 30  # a region, never hundreds of directorates
    call_command("seed_demo", verbosity=0)
    base = _counts()
    call_command("seed_demo", scale=3, verbosity=0)
    scaled = _counts()
    assert scaled["Directorate"] == 6
    assert scaled["Team"] > base["Team"] and scaled["User"] > base["User"]
    call_command("seed_demo", scale=3, verbosity=0)
    assert _counts() == scaled


def test_seed_demo_at_scale_gives_each_improvement_advisor_ten_to_fifteen_coaches():
    from django.db.models import Count

    from projects.models import Project

    call_command("seed_demo", scale=14, verbosity=0)
    loads = list(CoachProfile.objects.filter(supervisor__isnull=False).values("supervisor")
                 .annotate(n=Count("pk")).values_list("supervisor__username", "n"))
    assert max(n for _, n in loads) <= 15
    assert dict(loads)["ia"] >= 10
    assert Directorate.objects.count() == 7
    # A directorate grown to tens of teams gets projects in proportion, and a full next agenda.
    riverside = Directorate.objects.get(slug="riverside-mh")
    assert riverside.teams.count() > 8
    assert Project.objects.filter(directorate=riverside).count() > 20
    # The persona's own, not one per round (aside from idea drafts started from a WalkRound or an assessment,
    # and the ward's project in the violence-reduction collaborative).
    assert Project.objects.filter(lead__username="staff", assurance_link__isnull=True,
                                  programme_enrolments__isnull=True).count() == 3


def test_seed_demo_has_projects_in_every_state_and_the_next_meetings_agendas():
    from django.utils import timezone

    from forums.models import Decision, Forum, Meeting
    from projects.models import Project, ProjectStatus

    call_command("seed_demo", verbosity=0)
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == set(ProjectStatus.values)
    assert Project.objects.count() >= 40
    today = timezone.localdate()
    assert Decision.objects.filter(meeting__date__lt=today).count() >= 20
    assert Meeting.objects.filter(date__lt=today).exclude(minutes="").exists()
    for forum in Forum.objects.all():
        next_meeting = forum.meetings.upcoming(today).first()
        assert next_meeting is not None
    riverside = Forum.objects.get(directorate__slug="riverside-mh").meetings.upcoming(today).first()
    assert riverside.items.filter(decision__isnull=True).count() >= 2
    staff = Project.objects.filter(lead__username="staff")
    assert {ProjectStatus.ACTIVE, ProjectStatus.DRAFT, ProjectStatus.RETURNED} <= set(
        staff.values_list("status", flat=True))


def test_seed_demo_has_nothing_happen_in_the_future():
    """Ideas heading to next month's meeting were 'submitted' a week before it, which could be weeks ahead."""
    from django.utils import timezone

    from forums.models import AgendaItem, Decision
    from projects.models import Project, ProjectEvent

    call_command("seed_demo", verbosity=0)
    now = timezone.now()
    assert not Project.objects.filter(created_at__gt=now).exists()
    assert not Project.objects.filter(submitted_at__gt=now).exists()
    assert not Project.objects.filter(updated_at__gt=now).exists()
    assert not ProjectEvent.objects.filter(at__gt=now).exists()
    assert not AgendaItem.objects.filter(added_at__gt=now).exists()
    assert not Decision.objects.filter(decided_at__gt=now).exists()
    for project in Project.objects.exclude(submitted_at=None):  # history keeps its order
        assert project.created_at <= project.submitted_at


def test_seed_demo_has_monthly_supervision_with_a_few_coaches_due():
    from django.utils import timezone

    from coaching.models import Supervision
    from coaching.services import last_supervision_date, supervision_due
    from organisation.models import CoachProfile

    call_command("seed_demo", verbosity=0)
    sessions = Supervision.objects.count()
    assert sessions > 0
    assert not Supervision.objects.filter(date__gt=timezone.localdate()).exists()
    assert all(s.advisor_id == s.coach.coach_profile.supervisor_id for s in Supervision.objects.select_related(
        "coach__coach_profile")[:50])
    last = [p.last_supervised for p in CoachProfile.objects.filter(supervisor__isnull=False)
            .annotate(last_supervised=last_supervision_date())]
    due = [d for d in last if supervision_due(d)]
    assert 0 < len(due) < len(last) / 2  # most coaches are seen monthly; a few lapsed or new show as due
    assert None in due and any(d is not None for d in due)
    call_command("seed_demo", verbosity=0)
    assert Supervision.objects.count() == sessions


def test_seed_demo_comes_out_the_same_whatever_ids_the_database_hands_out():
    """A database that has had rows deleted (a test run before, a trust that removed a directorate) gives other
    ids: the persona projects and the staff persona's data care must still be there."""
    for i in range(3):
        Directorate.objects.create(name=f"Gone {i}", slug=f"gone-{i}").delete()
    call_command("seed_demo", verbosity=0)
    from measures.models import DataPointChange
    from projects.models import Project
    assert Project.objects.filter(title="Fewer restraints: reducing restrictive practice on Willow Ward").exists()
    assert DataPointChange.objects.filter(measure__project__lead__username="staff").count() == 2
