import datetime as dt

import pytest

from capability import services
from capability.models import Attendance, Enrolment, EnrolmentEvent, EnrolmentStatus, Route
from organisation.models import ExternalOrganisation, StaffGroup

from ..factories import ObjectiveFactory, ProjectFactory
from .conftest import make_cohort

pytestmark = pytest.mark.django_db


def attend(enrolment, numbers, by=None):
    sessions = {s.number: s for s in enrolment.cohort.session_set.all()}
    return services.record_attendance(enrolment.cohort, {(enrolment.pk, sessions[n].pk): True for n in numbers},
                                      by=by)


def test_completion_is_worked_out_from_the_rule_sessions_and_presentation(wave, make_person, ia):
    enrolment = services.enrol(wave, make_person(), by=ia, route=Route.MANAGER)
    attend(enrolment, [1, 2, 3])
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None  # three of the four days needed
    attend(enrolment, [5])
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None  # four days, but the project is not presented yet
    services.mark_presented(enrolment, dt.date(2026, 6, 1), by=ia)
    enrolment.refresh_from_db()
    assert enrolment.completed_on == dt.date(2026, 6, 1)
    assert list(enrolment.events.values_list("kind", flat=True)) == ["enrolled", "presented", "completed"]


def test_taking_back_an_attendance_mark_takes_back_the_completion(pocket_cohort, make_person):
    enrolment = services.enrol(pocket_cohort, make_person())
    attend(enrolment, [1])
    enrolment.refresh_from_db()
    assert enrolment.completed_on == pocket_cohort.session_set.get().date
    session = pocket_cohort.session_set.get()
    services.record_attendance(pocket_cohort, {(enrolment.pk, session.pk): False})
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None
    assert enrolment.events.filter(kind=EnrolmentEvent.Kind.UNCOMPLETED).exists()


def test_recording_the_same_attendance_twice_changes_nothing(pocket_cohort, make_person):
    enrolment = services.enrol(pocket_cohort, make_person())
    assert attend(enrolment, [1]) == 1
    assert attend(enrolment, [1]) == 0
    assert Attendance.objects.count() == 1
    assert enrolment.events.filter(kind="completed").count() == 1


def test_a_full_cohort_puts_people_on_the_waiting_list_and_a_withdrawal_gives_the_first_the_place(
        pocket_qi, make_person):
    cohort = make_cohort(pocket_qi, capacity=1)
    first = services.enrol(cohort, make_person())
    second = services.enrol(cohort, make_person())
    third = services.enrol(cohort, make_person())
    assert [first.status, second.status, third.status] == ["enrolled", "waiting", "waiting"]
    promoted = services.withdraw(first)
    assert promoted == second
    second.refresh_from_db()
    assert second.status == EnrolmentStatus.ENROLLED
    assert second.events.filter(kind="promoted").exists()


def test_more_places_go_to_the_waiting_list_in_order(pocket_qi, make_person):
    cohort = make_cohort(pocket_qi, capacity=1)
    services.enrol(cohort, make_person())
    waiting = [services.enrol(cohort, make_person()) for _ in range(3)]
    promoted = services.set_capacity(cohort, 3)
    assert promoted == waiting[:2]


def test_nobody_is_enrolled_twice_or_after_leaving(pocket_cohort, make_person):
    person = make_person()
    services.enrol(pocket_cohort, person)
    with pytest.raises(services.EnrolmentError, match="already on"):
        services.enrol(pocket_cohort, person)
    leaver = make_person(left_on=dt.date(2025, 1, 1))
    with pytest.raises(services.EnrolmentError, match="has left"):
        services.enrol(pocket_cohort, leaver)


def test_a_closed_cohort_takes_nobody(pocket_cohort, make_person):
    pocket_cohort.open_for_enrolment = False
    pocket_cohort.save()
    with pytest.raises(services.EnrolmentError, match="not open"):
        services.enrol(pocket_cohort, make_person())


def test_a_refresher_is_for_graduates_of_its_course(pocket_qi, pocket_cohort, make_person):
    from capability.models import Course

    refresher = Course.objects.create(name="Pocket QI refresher", kind="refresher", audience=pocket_qi.audience,
                                      length="Two hours", refresher_of=pocket_qi)
    refresher_cohort = make_cohort(refresher, name="Spring")
    person = make_person()
    with pytest.raises(services.EnrolmentError, match="refresher"):
        services.enrol(refresher_cohort, person)
    attend(services.enrol(pocket_cohort, person), [1])
    assert services.enrol(refresher_cohort, person).status == "enrolled"


def test_a_project_brought_is_aligned_or_says_why_not(wave, make_person):
    person = make_person()
    enrolment = services.enrol(wave, person)
    unaligned = ProjectFactory(lead=person, team=person.team)
    with pytest.raises(services.EnrolmentError, match="not aligned"):
        services.link_project(enrolment, unaligned)
    services.link_project(enrolment, unaligned, not_aligned_reason="The ward's own biggest problem")
    assert Enrolment.objects.get(pk=enrolment.pk).not_aligned_reason == "The ward's own biggest problem"
    aligned = ProjectFactory(lead=person, team=person.team)
    aligned.objectives.add(ObjectiveFactory())
    services.link_project(enrolment, aligned, not_aligned_reason="ignored")
    enrolment.refresh_from_db()
    assert enrolment.project == aligned and enrolment.not_aligned_reason == ""


def test_completion_callbacks_hear_of_each_new_graduate_once(pocket_cohort, make_person):
    heard = []

    def callback(enrolment, by=None):
        heard.append(enrolment.pk)

    services._on_completed.append(callback)
    try:
        enrolment = services.enrol(pocket_cohort, make_person())
        attend(enrolment, [1])
        attend(enrolment, [1])
    finally:
        services._on_completed.remove(callback)
    assert heard == [enrolment.pk]


def test_dashboard_counts_trained_against_needed_without_leavers_and_partners_apart(
        targets, pocket_cohort, wave, make_person):
    partner_org = ExternalOrganisation.objects.create(name="Riverside Council")
    staff = [make_person(staff_group=StaffGroup.NURSING) for _ in range(4)]
    leaver = make_person()
    partner = make_person(external_organisation=partner_org)
    for person in [*staff[:2], leaver, partner]:
        attend(services.enrol(pocket_cohort, person), [1])
    leaver.left_on = dt.date(2026, 3, 1)
    leaver.save()
    board = services.dashboard(2026, today=dt.date(2026, 6, 30))
    pocket = next(r for r in board.staff if r.target.course.name == "Pocket QI")
    assert (pocket.trained, pocket.needed, pocket.gap) == (2, 50, 48)
    leads = next(r for r in board.staff if r.target.course.kind == "leaders")
    assert leads.audience_size == 5 and leads.needed == 3  # half of the five staff in post (the IA too), rounded up
    assert [r.target.audience.name for r in board.partners] == ["External partners"]
    assert board.partners_trained[pocket_cohort.course_id] == 1
    nursing = next(r for r in board.by_staff_group.rows() if r["name"] == "Nursing and midwifery")
    assert nursing["headcount"] == 4 and nursing["cells"][board.courses.index(pocket_cohort.course)] == 2
    assert board.cumulative[pocket_cohort.course_id][-1] == (2026, 2)  # staff in post, as the table


def test_dashboard_query_count_does_not_grow_with_data(targets, pocket_cohort, make_person,
                                                      django_assert_max_num_queries):
    attend(services.enrol(pocket_cohort, make_person()), [1])
    with django_assert_max_num_queries(13) as small:
        services.dashboard(2026)
    for _ in range(5):
        attend(services.enrol(pocket_cohort, make_person()), [1])
    with django_assert_max_num_queries(len(small.captured_queries)):
        services.dashboard(2026)
