import datetime as dt

import pytest
from django.urls import reverse

from capability import services
from capability.models import Attendance, Enrolment
from organisation.models import Role

from ..factories import ObjectiveFactory, ProjectFactory, UserFactory
from .conftest import make_cohort

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_anyone_signed_in_sees_open_courses_but_not_closed_ones(client, staff, pocket_qi, ilp, pocket_cohort):
    ilp.active = False
    ilp.save()
    page = login(client, staff).get(reverse("capability:index"))
    assert page.status_code == 200
    assert "Pocket QI" in page.content.decode() and "Improvement Leaders" not in page.content.decode()
    assert client.get(reverse("capability:course", args=[ilp.slug])).status_code == 404


def test_signed_out_people_are_sent_to_log_in(client, pocket_qi):
    assert client.get(reverse("capability:index")).status_code == 302


def test_a_person_enrols_themselves_and_sees_it_in_my_training(client, staff, pocket_cohort):
    login(client, staff)
    response = client.post(reverse("capability:enrol", args=[pocket_cohort.pk]))
    assert response.status_code == 302
    page = client.get(reverse("capability:mine")).content.decode()
    assert "Pocket QI" in page and "Enrolled" in page


def test_enrolling_twice_says_so_and_changes_nothing(client, staff, pocket_cohort):
    login(client, staff)
    client.post(reverse("capability:enrol", args=[pocket_cohort.pk]))
    response = client.post(reverse("capability:enrol", args=[pocket_cohort.pk]), follow=True)
    assert "already on" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_index_query_count_is_flat(client, staff, pocket_qi, ilp, django_assert_max_num_queries):
    make_cohort(pocket_qi)
    login(client, staff)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("capability:index"))
    for n in range(4):
        make_cohort(ilp, name=f"Wave {n + 2}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("capability:index"))


@pytest.mark.parametrize("persona", ["staff", "coach", "sponsor", "chair", "board"], indirect=True)
def test_only_the_qi_department_plans_cohorts(client, persona, ilp):
    login(client, persona)
    assert client.get(reverse("capability:cohort_new", args=[ilp.slug])).status_code == 403


def test_qi_admin_plans_a_cohort_with_dates_and_facilitators(client, qiadmin, ilp, ia):
    login(client, qiadmin)
    data = {"name": "Wave 9", "venue": "Trust HQ", "capacity": "30", "open_for_enrolment": "on",
            "facilitator_names": ia.email, **{f"session_{n}": f"2026-0{n + 1}-10" for n in range(1, 6)}}
    response = client.post(reverse("capability:cohort_new", args=[ilp.slug]), data)
    assert response.status_code == 302
    cohort = ilp.cohorts.get(name="Wave 9")
    assert cohort.session_set.count() == 5 and list(cohort.facilitators.all()) == [ia]


def test_a_cohort_form_with_bad_input_says_what_is_wrong_and_keeps_what_was_typed(client, qiadmin, ilp):
    login(client, qiadmin)
    data = {"name": "Wave 9", "venue": "Somewhere typed", "capacity": "0", "facilitator_names": "nobody@nowhere",
            "session_1": "not a date"}
    page = client.post(reverse("capability:cohort_new", args=[ilp.slug]), data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nobody is known as" in text and "Enter a valid date" in text and "Somewhere typed" in text
    assert not ilp.cohorts.exists()


def test_facilitator_records_attendance_and_completion_follows(client, ia, wave, make_person):
    person = make_person()
    enrolment = services.enrol(wave, person)
    sessions = list(wave.session_set.all())
    data = {f"a_{enrolment.pk}_{s.pk}": "on" for s in sessions[:4]}
    data[f"p_{enrolment.pk}"] = "2026-05-20"
    login(client, ia)
    assert client.post(reverse("capability:attendance", args=[wave.pk]), data).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.completed_on == dt.date(2026, 5, 20)
    assert Attendance.objects.filter(attended=True).count() == 4


def test_attendance_with_a_bad_date_saves_nothing_and_says_so(client, ia, wave, make_person):
    enrolment = services.enrol(wave, make_person())
    session = wave.session_set.first()
    login(client, ia)
    page = client.post(reverse("capability:attendance", args=[wave.pk]),
                       {f"a_{enrolment.pk}_{session.pk}": "on", f"p_{enrolment.pk}": "20th of May"})
    assert page.status_code == 400 and "nothing was saved" in page.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "coach", "sponsor", "chair", "board"], indirect=True)
def test_people_who_do_not_run_the_cohort_may_not_record_attendance(client, persona, wave):
    login(client, persona)
    assert client.post(reverse("capability:attendance", args=[wave.pk]), {}).status_code == 403
    page = client.get(reverse("capability:cohort", args=[wave.pk])).content.decode()
    assert "attendance-grid" not in page


def test_cohort_page_query_count_is_flat(client, ia, wave, make_person, django_assert_max_num_queries):
    services.enrol(wave, make_person())
    login(client, ia)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("capability:cohort", args=[wave.pk]))
    for _ in range(5):
        services.enrol(wave, make_person())
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("capability:cohort", args=[wave.pk]))


def test_a_sponsor_nominates_staff_of_their_directorate_only(client, sponsor, wave, make_person, outsider):
    login(client, sponsor)
    colleague = make_person()
    client.post(reverse("capability:nominate", args=[wave.pk]), {"person": colleague.email, "route": "manager"})
    enrolment = Enrolment.objects.get(person=colleague)
    assert enrolment.route == "manager" and enrolment.nominated_by == sponsor
    response = client.post(reverse("capability:nominate", args=[wave.pk]),
                           {"person": outsider.username, "route": "manager"}, follow=True)
    assert "not in a directorate whose staff you may nominate" in response.content.decode()
    assert not Enrolment.objects.filter(person=outsider).exists()


@pytest.mark.parametrize("persona", ["staff", "coach", "board"], indirect=True)
def test_people_who_manage_nobody_may_not_nominate(client, persona, wave, make_person):
    login(client, persona)
    response = client.post(reverse("capability:nominate", args=[wave.pk]), {"person": make_person().email,
                                                                            "route": "manager"})
    assert response.status_code == 403


def test_only_the_person_or_the_cohorts_runners_withdraw_an_enrolment(client, staff, outsider, ia, pocket_cohort):
    enrolment = services.enrol(pocket_cohort, staff)
    login(client, outsider)
    assert client.post(reverse("capability:withdraw", args=[enrolment.pk])).status_code == 403
    login(client, staff)
    assert client.post(reverse("capability:withdraw", args=[enrolment.pk])).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"


def test_a_participant_links_the_project_they_bring_aligned_or_saying_why_not(client, staff, wave):
    enrolment = services.enrol(wave, staff)
    project = ProjectFactory(lead=staff, team=staff.team)
    login(client, staff)
    url = reverse("capability:link_project", args=[enrolment.pk])
    page = client.post(url, {f"e{enrolment.pk}-project": project.pk})
    assert page.status_code == 400 and "say why it matters" in page.content.decode()
    client.post(url, {f"e{enrolment.pk}-project": project.pk, f"e{enrolment.pk}-not_aligned_reason": "Our ward's"})
    enrolment.refresh_from_db()
    assert enrolment.project == project
    project.objectives.add(ObjectiveFactory())
    client.post(url, {f"e{enrolment.pk}-project": project.pk})
    enrolment.refresh_from_db()
    assert enrolment.not_aligned_reason == ""


def test_nobody_links_a_project_to_someone_elses_enrolment(client, staff, outsider, wave):
    enrolment = services.enrol(wave, staff)
    login(client, outsider)
    assert client.post(reverse("capability:link_project", args=[enrolment.pk]), {}).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "coach", "sponsor", "chair", "ia"], indirect=True)
def test_the_dashboard_is_for_the_board_and_qi_department(client, persona, targets):
    login(client, persona)
    assert client.get(reverse("capability:dashboard")).status_code == 403
    assert client.get(reverse("capability:dashboard_export")).status_code == 403


@pytest.mark.parametrize("persona", ["board", "qiadmin"], indirect=True)
def test_board_and_qi_department_read_the_dashboard_and_export_it(client, persona, targets, pocket_cohort):
    attend_all = services.enrol(pocket_cohort, UserFactory(team=persona.team, roles=[Role.STAFF]))
    services.record_attendance(pocket_cohort, {(attend_all.pk, pocket_cohort.session_set.get().pk): True})
    login(client, persona)
    page = client.get(reverse("capability:dashboard"), {"year": "2026"})
    assert page.status_code == 200 and "Pocket QI" in page.content.decode()
    export = client.get(reverse("capability:dashboard_export"), {"year": "2026"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames[:2] == ["Staff 2026", "Partners 2026"]
    assert [c.value for c in book["Staff 2026"][2]][:2] == ["All staff", "Pocket QI"]


def test_dashboard_query_count_is_flat(client, board, targets, pocket_cohort, make_person,
                                       django_assert_max_num_queries):
    services.enrol(pocket_cohort, make_person())
    login(client, board)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("capability:dashboard"))
    for _ in range(5):
        e = services.enrol(pocket_cohort, make_person())
        services.record_attendance(pocket_cohort, {(e.pk, pocket_cohort.session_set.get().pk): True})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("capability:dashboard"))
