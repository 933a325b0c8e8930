"""Closed projects become the learning library; their teams tell stories, with consent."""

import pytest
from django.urls import reverse

from workspace import services
from workspace.models import Story, StoryKind
from workspace.services import add_change_idea, published_stories

pytestmark = pytest.mark.django_db


def close(project, lead, chair, *, outcome="aim_met", learning="Start small: one nurse, one shift."):
    closure = services.request_closure(project, by=lead, outcome=outcome, results="Fell by half", learning=learning,
                                       sustain_plan="Ward manager owns it")
    services.review_closure(closure, by=chair, confirm=True)
    project.refresh_from_db()
    return project


@pytest.fixture
def closed(project, staff, chair):
    add_change_idea(project, title="Calm boxes on each corridor")
    return close(project, staff, chair)


STORY = {"kind": "patient", "title": "I felt listened to", "body": "Evenings used to be frightening.",
         "consent_confirmed": "on", "consent_note": "Robin agreed, in writing", "published": "on"}


def test_the_team_tells_a_story_with_consent_and_it_is_published(client, staff, closed):
    client.force_login(staff)
    url = reverse("workspace:story_new", args=[closed.pk])
    assert client.get(url).status_code == 200
    no_consent = client.post(url, {**STORY, "consent_confirmed": ""})
    assert no_consent.status_code == 200 and not Story.objects.exists()
    response = client.post(url, STORY)
    story = Story.objects.get()
    assert response.status_code == 302 and response.url == reverse("workspace:story", args=[story.pk])
    assert story.published and story.consent_confirmed and story.created_by == staff
    assert published_stories(3) == [story]
    assert "I felt listened to" in client.get(reverse("workspace:stories")).content.decode()


def test_stories_wait_until_the_project_has_closed(client, staff, project):
    client.force_login(staff)
    assert client.get(reverse("workspace:story_new", args=[project.pk])).status_code == 403
    with pytest.raises(services.WorkspaceError):
        services.add_story(project, by=staff, kind=StoryKind.PATIENT, title="t", body="b", consent_confirmed=True)


@pytest.mark.parametrize("who", ["board", "outsider", "coach"])
def test_only_the_team_or_qi_admin_tells_the_story(client, request, closed, who):
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("workspace:story_new", args=[closed.pk]), STORY).status_code == 403


def test_unpublished_stories_are_hidden_from_others(client, staff, board, closed):
    story = services.add_story(closed, by=staff, kind=StoryKind.IMPROVEMENT, title="Draft", body="b",
                               consent_confirmed=True, published=False)
    assert published_stories() == []
    client.force_login(board)
    assert client.get(reverse("workspace:story", args=[story.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("workspace:story", args=[story.pk])).status_code == 200


def test_published_stories_newest_first_and_by_kind(staff, closed):
    a = services.add_story(closed, by=staff, kind=StoryKind.PATIENT, title="A", body="b", consent_confirmed=True)
    b = services.add_story(closed, by=staff, kind=StoryKind.IMPROVEMENT, title="B", body="b", consent_confirmed=True)
    assert published_stories(5) == [b, a]
    assert published_stories(5, kind=StoryKind.PATIENT) == [a]


def test_library_lists_closed_projects_and_searches_topic_ideas_learning_and_outcome(
        client, outsider, staff, chair, coach, sponsor, ward, closed):
    from tests.workflow import approved_project

    falls = approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward,
                             title="Reducing inpatient falls", problem="Six falls a month.")
    close(falls, staff, chair, outcome="aim_partly_met", learning="Night lights helped most.")
    approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, title="Still running: violence")
    client.force_login(outsider)  # everyone logged in reads the library
    url = reverse("workspace:library")

    def titles(**params):
        body = client.get(url, params).content.decode()
        return {t for t in ("Reducing violence and aggression", "Reducing inpatient falls", "Still running")
                if t in body}

    assert titles() == {"Reducing violence and aggression", "Reducing inpatient falls"}
    assert titles(q="falls") == {"Reducing inpatient falls"}  # title
    assert titles(q="calm boxes") == {"Reducing violence and aggression"}  # change idea
    assert titles(q="night lights") == {"Reducing inpatient falls"}  # learning
    assert titles(q="violence") == {"Reducing violence and aggression"}  # title, never the running one
    assert titles(outcome="aim_partly_met") == {"Reducing inpatient falls"}
    assert titles(q="nothing-like-this") == set()


def test_library_query_count_does_not_grow(client, outsider, staff, chair, coach, sponsor, ward, closed,
                                           django_assert_max_num_queries):
    from tests.workflow import approved_project

    for _ in range(5):
        close(approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward), staff, chair)
    client.force_login(outsider)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("workspace:library"), {"q": "violence"}).status_code == 200
