"""Minutes and attendance: recorded by the chairs and the QI department, read by everyone."""

import pytest
from django.urls import reverse

from forums.models import Attendance

from ..factories import UserFactory
from ..workflow import submitted_idea

pytestmark = pytest.mark.django_db


@pytest.fixture
def minutes_url(meeting):
    return reverse("forums:minutes", args=[meeting.pk])


def test_chair_records_minutes_and_who_was_present(login, chair, serviceuser, forum, ward, meeting, minutes_url,
                                                  meeting_url, staff):
    member = UserFactory(display_name="Dana Member", team=ward)
    forum.members.add(member)
    project = submitted_idea(team=ward)
    guest = UserFactory(username="visitor", display_name="Vic Visitor", team=ward)
    client = login(chair)
    form = client.get(minutes_url).context["form"]
    assert {c.person for c in form.candidates.values()} == {chair, serviceuser, member, project.lead}
    response = client.post(minutes_url, {"minutes": "Good discussion on evenings.\nAction: Sam to share data.",
                                         "present": [chair.pk, serviceuser.pk, project.lead.pk],
                                         "guests": "visitor"})
    assert response.status_code == 302
    assert response["Location"] == f"{meeting_url}#minutes"
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("Good discussion") and meeting.minutes_updated_by == chair
    roles = dict(Attendance.objects.filter(meeting=meeting).values_list("person__username", "role"))
    assert roles == {chair.username: "chair", serviceuser.username: "co_chair", project.lead.username: "presenter",
                     guest.username: "guest"}
    page = login(staff).get(meeting_url).content.decode()
    assert "Action: Sam to share data." in page and "Vic Visitor" in page and "Presenting a project" in page
    assert "Dana Member" not in page.split('id="minutes"')[1]


def test_unticking_someone_removes_them(login, chair, serviceuser, meeting, minutes_url):
    client = login(chair)
    client.post(minutes_url, {"minutes": "x", "present": [chair.pk, serviceuser.pk]})
    client.post(minutes_url, {"minutes": "x", "present": [chair.pk]})
    assert list(meeting.attendance.values_list("person", flat=True)) == [chair.pk]


def test_an_unknown_guest_is_an_error_beside_the_field(login, chair, meeting, minutes_url):
    response = login(chair).post(minutes_url, {"minutes": "Kept text", "guests": "nobody@example.org"})
    assert response.status_code == 200
    assert "No one found with the user name or e-mail: nobody@example.org." in response.content.decode()
    assert "Kept text</textarea>" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_the_qi_department_may_record_minutes(login, qiadmin, meeting, minutes_url):
    assert login(qiadmin).post(minutes_url, {"minutes": "By the QI team"}).status_code == 302


@pytest.mark.parametrize("persona", ["staff", "coach", "board", "other_chair", "outsider", "sponsor"],
                         indirect=True)
def test_people_who_do_not_chair_this_forum_cannot_record_minutes(login, persona, meeting, minutes_url, meeting_url):
    client = login(persona)
    assert client.get(minutes_url).status_code == 403
    assert client.post(minutes_url, {"minutes": "Hijack"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.minutes == ""
    assert minutes_url not in client.get(meeting_url).content.decode()
