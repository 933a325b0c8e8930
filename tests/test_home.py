"""The home page shows each role what it needs first, at a cost that does not grow with the trust."""

import pytest
from django.urls import reverse

from organisation.models import Role

from .factories import ProjectFactory, TeamFactory, UserFactory
from .workflow import approved_project, submitted_idea

pytestmark = pytest.mark.django_db

PANELS = {
    "staff": {"panel-my-projects"},
    "chair": {"panel-my-projects", "panel-chair"},
    "coach": {"panel-my-projects", "panel-coach"},
    "sponsor": {"panel-my-projects", "panel-sponsor"},
    "ia": {"panel-my-projects", "panel-advisor"},
    "qiadmin": {"panel-my-projects", "panel-pipeline"},
    "board": {"panel-my-projects", "panel-pipeline"},
    "serviceuser": {"panel-my-projects", "panel-chair"},  # the service-user co-chair
}
ALL_PANELS = set().union(*PANELS.values())  # (the stories panel shows for everyone once a story is published)


@pytest.mark.parametrize("persona", list(PANELS), indirect=True)
def test_each_role_sees_its_panels_and_no_others(client, persona):
    client.force_login(persona)
    html = client.get(reverse("home")).content.decode()
    for panel in ALL_PANELS:
        assert (f'data-testid="{panel}"' in html) == (panel in PANELS[persona.username]), panel


def test_my_projects_lists_drafts_and_projects_of_the_person(client, staff, ward):
    ProjectFactory(team=ward, lead=staff, created_by=staff, title="Fewer missed doses")
    client.force_login(staff)
    assert "Fewer missed doses" in client.get(reverse("home")).content.decode()


def test_chair_sees_the_next_meeting_and_how_many_items_wait(client, chair, ward):
    submitted_idea(team=ward)
    submitted_idea(team=ward)
    client.force_login(chair)
    response = client.get(reverse("home"))
    assert response.context["panels"][1].context["meetings"][0].waiting == 2


def test_coach_sees_their_load(client, chair, coach, sponsor, ward):
    approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor, title="Reducing restraint on Willow")
    client.force_login(coach)
    html = client.get(reverse("home")).content.decode()
    assert "Reducing restraint on Willow" in html and "of 2 teams" in html


def test_qi_admin_sees_pipeline_and_share_aligned(client, qiadmin, chair, coach, sponsor, ward, ia):
    from tests.factories import ObjectiveFactory

    aligned = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    aligned.objectives.add(ObjectiveFactory())
    approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    client.force_login(qiadmin)
    response = client.get(reverse("home"))
    pipeline = next(p for p in response.context["panels"] if p.template == "home/_pipeline.html")
    assert (pipeline.context["aligned"], pipeline.context["approved"], pipeline.context["aligned_pct"]) == (1, 2, 50)


def _grow(ward, chair, sponsor, ia, n):
    from organisation.models import CoachProfile

    for _ in range(n):
        coach = UserFactory(team=ward, roles=[Role.STAFF, Role.COACH])
        CoachProfile.objects.create(user=coach, supervisor=ia)
        approved_project(team=TeamFactory(directorate=ward.directorate), chair=chair, coach=coach, sponsor=sponsor)
        submitted_idea(team=ward)


@pytest.mark.parametrize("persona", ["chair", "coach", "sponsor", "ia", "qiadmin", "board", "staff"], indirect=True)
def test_home_query_count_does_not_grow_with_data(client, persona, ward, chair, sponsor, ia,
                                                  django_assert_max_num_queries):
    client.force_login(persona)
    _grow(ward, chair, sponsor, ia, 2)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("home"))
    _grow(ward, chair, sponsor, ia, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_coach_sees_which_teams_need_attention(client, chair, coach, sponsor, ward):
    import datetime as dt

    from django.utils import timezone

    from projects.models import Project

    stale = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor, title="Stale project")
    Project.objects.filter(pk=stale.pk).update(approved_on=timezone.localdate() - dt.timedelta(days=60))
    client.force_login(coach)
    html = client.get(reverse("home")).content.decode()
    assert "Needs attention" in html


def test_published_stories_appear_on_everyones_home_page(client, staff, chair, coach, sponsor, ward):
    from projects.models import ProjectStatus
    from projects.services import transition
    from workspace.services import add_story

    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    transition(project, ProjectStatus.STOPPED, by=chair, summary="Stopped")
    add_story(project, by=chair, kind="improvement", title="How Willow Ward cut restraint by half",
              body="The team met every morning...", consent_confirmed=True)
    client.force_login(staff)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-stories"' in html and "How Willow Ward cut restraint by half" in html


def test_the_stories_panel_is_shared_and_a_new_story_shows_once_committed(
        client, staff, board, chair, coach, sponsor, ward, django_capture_on_commit_callbacks):
    from projects.models import ProjectStatus
    from projects.services import transition
    from workspace.models import Story
    from workspace.services import add_story

    project = approved_project(team=ward, chair=chair, coach=coach, sponsor=sponsor)
    transition(project, ProjectStatus.STOPPED, by=chair, summary="Stopped")
    with django_capture_on_commit_callbacks(execute=True):
        first = add_story(project, by=chair, kind="improvement", title="Fewer falls on Oak Ward",
                          body="Hourly rounding...", consent_confirmed=True)
    client.force_login(staff)
    assert "Fewer falls on Oak Ward" in client.get(reverse("home")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        add_story(project, by=chair, kind="patient", title="What changed for me",
                  body="I was asked...", consent_confirmed=True)
    client.force_login(board)
    html = client.get(reverse("home")).content.decode()
    assert "What changed for me" in html and "Fewer falls on Oak Ward" in html
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.filter(pk=first.pk).first().delete()
    assert "Fewer falls on Oak Ward" not in client.get(reverse("home")).content.decode()


def test_advisor_panel_counts_only_people_who_still_coach(client, ia, ward):
    from organisation.models import CoachProfile, RoleAssignment

    coaches = [UserFactory(team=ward, roles=[Role.STAFF, Role.COACH]) for _ in range(3)]
    for coach in coaches:
        CoachProfile.objects.create(user=coach, supervisor=ia, max_teams=1)
    RoleAssignment.objects.filter(user=coaches[0], role=Role.COACH).delete()  # stepped down, profile kept
    client.force_login(ia)
    response = client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p.template == "home/_advisor.html")
    assert panel.context["count"] == 2 and len(panel.context["loads"]) == 2


def test_my_projects_panel_merges_led_and_team_projects_drafts_first_at_most_eight(client, staff, ward):
    import datetime as dt

    from django.utils import timezone

    from projects.models import Project, ProjectMember, ProjectStatus

    ProjectFactory(team=ward, lead=staff, title="My own draft")
    others = [ProjectFactory(team=ward, title=f"Team project {i}") for i in range(9)]
    for i, project in enumerate(others):
        ProjectMember.objects.create(project=project, person=staff, joined_on=timezone.localdate())
        Project.objects.filter(pk=project.pk).update(
            status=ProjectStatus.SUBMITTED, updated_at=timezone.now() - dt.timedelta(days=i))
    left = ProjectFactory(team=ward, title="A team I left")
    ProjectMember.objects.create(project=left, person=staff, joined_on=timezone.localdate(),
                                 left_on=timezone.localdate())
    client.force_login(staff)
    response = client.get(reverse("home"))
    panel = next(p for p in response.context["panels"] if p.template == "home/_my_projects.html")
    titles = [p.title for p in panel.context["projects"]]
    assert titles == ["My own draft"] + [f"Team project {i}" for i in range(7)]  # draft first, newest next
    assert panel.context["drafts"] == 1


def test_each_pipeline_count_opens_the_list_it_counts(client, qiadmin, board):
    """QI admins see every draft, so their draft count is a link too; a board member's draft count is not,
    as the list would show them none of the drafts it counts."""
    client.force_login(qiadmin)
    html = client.get(reverse("home")).text
    assert f'href="{reverse("projects:list")}?status=submitted" data-testid="pipeline-submitted"' in html
    assert 'data-testid="pipeline-draft"' in html
    client.force_login(board)
    html = client.get(reverse("home")).text
    assert 'data-testid="pipeline-active"' in html and 'data-testid="pipeline-draft"' not in html
