"""People hear of a training place someone else gave them, and of a place come free off the waiting list."""

import pytest

from capability import services
from notifications.models import Notification

from .conftest import make_cohort

pytestmark = pytest.mark.django_db


def notices(person):
    return list(Notification.objects.filter(user=person, kind=services.PLACE_KIND).values_list("text", flat=True))


def test_a_nominated_person_hears_of_the_place_and_someone_enrolling_themselves_does_not(ilp, make_person, ia):
    cohort = make_cohort(ilp, capacity=1)
    nominated, volunteer = make_person(display_name="Sam Okafor"), make_person()
    services.enrol(cohort, nominated, by=ia, route="manager")
    services.enrol(cohort, volunteer)
    assert notices(nominated) == [f"{ia.name} nominated you: you have a place on {ilp} – Wave 1."]
    assert notices(volunteer) == []  # they know: they did it, and the page told them they are waiting


def test_the_first_on_the_waiting_list_hears_when_a_place_comes_free(ilp, make_person, ia):
    cohort = make_cohort(ilp, capacity=1)
    placed, first, second = make_person(), make_person(), make_person()
    taken = services.enrol(cohort, placed)
    services.enrol(cohort, first)
    services.enrol(cohort, second)
    assert services.withdraw(taken, by=placed).person == first
    assert notices(first) == [f"A place came free: you are off the waiting list and on {ilp} – Wave 1."]
    assert notices(second) == [] and notices(placed) == []
