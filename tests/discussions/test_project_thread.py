"""A discussion on each project: the team, coach, sponsor and forum chair write; @mentions notify; the
thread is part of the project's record; nobody reaches another team's draft through it."""

import pytest
from django.urls import reverse

from discussions.models import Comment
from notifications.models import Notification
from projects.models import ProjectStatus

from ..workflow import approved_project


@pytest.fixture
def project(ward, staff, coach, sponsor, chair):
    return approved_project(chair=chair, coach=coach, sponsor=sponsor, team=ward, lead=staff, created_by=staff)


def post(client, project, body):
    return client.post(reverse("discussions:post", args=["projects.project", project.pk]), {"body": body})


def test_the_coach_mentions_the_lead_who_is_told_and_the_team_hears_of_it(client, project, coach, staff, sponsor,
                                                                          mailoutbox,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(coach)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, project, "@staff could we look at the run chart on Tuesday?\nThe shift looks real.")
    comment = Comment.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#comment-{comment.pk}")
    assert list(comment.mentioned.all()) == [staff]
    mention = Notification.objects.get(user=staff, kind__startswith="discussion")
    assert mention.kind == "discussion_mention" and "Chris Adeyemi mentioned you" in mention.text
    assert Notification.objects.get(user=sponsor, kind__startswith="discussion").kind == "discussion_comment"
    assert not Notification.objects.filter(user=coach, kind__startswith="discussion").exists()  # own words
    assert [m.to for m in mailoutbox if "mentioned you" in m.subject] == [[staff.email]]
    page = client.get(project.get_absolute_url()).content.decode()
    assert '<strong class="mention">@staff</strong> could we look' in page and "The shift looks real." in page


@pytest.mark.parametrize("persona", ["staff", "coach", "sponsor", "chair", "serviceuser", "qiadmin", "ia"],
                         indirect=True)
def test_the_people_around_the_project_may_write(client, project, persona):
    """serviceuser co-chairs the directorate's forum; ia is an Improvement Advisor."""
    client.force_login(persona)
    assert post(client, project, "Noted.").status_code == 302


@pytest.mark.parametrize("persona", ["outsider", "board", "other_chair"], indirect=True)
def test_others_read_but_may_not_write(client, project, persona):
    client.force_login(persona)
    assert 'data-testid="discussion"' in client.get(project.get_absolute_url()).content.decode()
    assert post(client, project, "Let me in").status_code == 403
    assert not Comment.objects.exists()


def test_another_teams_draft_is_not_there_for_an_outsider(client, project, outsider):
    project.status = ProjectStatus.DRAFT
    project.save(update_fields=["status"])
    client.force_login(outsider)
    assert post(client, project, "Hello").status_code == 404
    assert client.post(reverse("discussions:post", args=["auth.user", 1]), {"body": "x"}).status_code == 404


def test_a_mention_of_someone_who_may_not_read_a_draft_tells_them_nothing(client, project, staff, outsider):
    project.status = ProjectStatus.DRAFT
    project.save(update_fields=["status"])
    client.force_login(staff)
    post(client, project, "@outsider have a look")
    assert not Notification.objects.filter(user=outsider, kind__startswith="discussion").exists()


def test_an_empty_comment_is_refused_beside_the_field_and_a_long_one_keeps_its_words(client, project, staff):
    client.force_login(staff)
    response = post(client, project, "   ")
    assert response.status_code == 400 and "Write something before posting." in response.content.decode()
    long = "A" * 4001
    response = post(client, project, long)
    assert response.status_code == 400 and long in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_are_records(project, staff):
    comment = Comment.objects.create(target_type="projects.project", target_id=project.pk, author=staff, body="x")
    comment.body = "changed"
    with pytest.raises(ValueError):
        comment.save()


def test_the_project_page_reads_the_thread_in_a_fixed_number_of_queries(client, project, staff, coach,
                                                                        django_assert_max_num_queries):
    client.force_login(staff)
    post(client, project, "one")
    client.get(project.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(project.get_absolute_url())
    for i in range(30):
        Comment.objects.create(target_type="projects.project", target_id=project.pk, author=coach, body=f"n{i}")
    with django_assert_max_num_queries(len(few)):
        client.get(project.get_absolute_url())
