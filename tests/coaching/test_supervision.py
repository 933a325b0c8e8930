"""An Improvement Advisor logs the monthly supervision of a coach they supervise."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import Supervision
from organisation.models import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def url(coach):
    return reverse("coaching:supervision_new", args=[coach.pk])


def test_ia_logs_a_supervision_for_their_coach(client, ia, coach, project):
    client.force_login(ia)
    page = client.get(url(coach))
    assert page.status_code == 200
    html = page.content.decode()
    assert coach.name in html and project.title in html and "No supervision has been logged" in html
    assert page.context["form"].initial["date"] == timezone.localdate()

    response = client.post(url(coach), {"date": "2025-05-02", "notes": "Reviewed the run chart; PDSA 3 next."})
    assert response.status_code == 302 and response.url == reverse("coaching:index")
    supervision = Supervision.objects.get()
    assert (supervision.advisor, supervision.coach, supervision.date) == (ia, coach, dt.date(2025, 5, 2))
    assert supervision.notes == "Reviewed the run chart; PDSA 3 next."

    index = client.get(response.url)
    assert "has been logged" in index.content.decode()
    assert [r["last_supervised"] for r in index.context["supervised"]] == [dt.date(2025, 5, 2)]


def test_past_supervisions_are_listed_newest_first(client, ia, coach, qiadmin):
    Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 1, 10), notes="January notes")
    Supervision.objects.create(advisor=qiadmin, coach=coach, date=dt.date(2025, 2, 12), notes="February notes")
    client.force_login(ia)
    html = client.get(url(coach)).content.decode()
    assert html.index("February notes") < html.index("January notes")
    assert "12 February 2025" in html and qiadmin.name in html


def test_future_date_is_refused_beside_the_field_and_typed_text_is_kept(client, ia, coach):
    client.force_login(ia)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url(coach), {"date": tomorrow.isoformat(), "notes": "Talked about the huddle board"})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["date"]
    html = response.content.decode()
    assert "cannot be in the future" in html
    assert 'id="error_1_id_date"' in html  # crispy puts the message beside the field
    assert "Talked about the huddle board" in html
    assert not Supervision.objects.exists()


def test_notes_are_required(client, ia, coach):
    client.force_login(ia)
    response = client.post(url(coach), {"date": "2025-05-02", "notes": "   "})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["notes"]
    assert 'value="2025-05-02"' in response.content.decode()
    assert not Supervision.objects.exists()


def test_qi_admin_may_log_a_supervision(client, qiadmin, coach):
    client.force_login(qiadmin)
    response = client.post(url(coach), {"date": "2025-05-02", "notes": "Covering while the IA is away"})
    assert response.status_code == 302
    assert Supervision.objects.get().advisor == qiadmin


def test_another_ia_may_not_log_for_a_coach_they_do_not_supervise(client, coach, ward):
    other_ia = UserFactory(team=ward, roles=[Role.STAFF, Role.IMPROVEMENT_ADVISOR])
    client.force_login(other_ia)
    assert client.get(url(coach)).status_code == 403
    assert client.post(url(coach), {"date": "2025-05-02", "notes": "x"}).status_code == 403
    assert not Supervision.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "coach", "chair", "sponsor", "board"], indirect=True)
def test_everyone_else_is_refused(client, persona, coach):
    client.force_login(persona)
    assert client.get(url(coach)).status_code == 403


def test_someone_who_is_not_a_coach_is_not_found(client, qiadmin, staff):
    client.force_login(qiadmin)
    assert client.get(url(staff)).status_code == 404


def test_supervision_page_query_count_does_not_grow(client, ia, coach, django_assert_max_num_queries):
    client.force_login(ia)
    for day in range(1, 3):
        Supervision.objects.create(advisor=ia, coach=coach, date=dt.date(2025, 1, day), notes="n")
    with django_assert_max_num_queries(12) as small:
        assert client.get(url(coach)).status_code == 200
    for day in range(3, 20):
        Supervision.objects.create(advisor=UserFactory(), coach=coach, date=dt.date(2025, 1, day), notes="n")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url(coach)).status_code == 200
