"""Every page renders for a logged-in person, within a query budget that does not grow with data."""

import pytest
from django.urls import reverse

from organisation.models import Role

from .factories import DirectorateFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grow(n: int) -> None:
    for _ in range(n):
        d = DirectorateFactory()
        for _ in range(3):
            team = TeamFactory(directorate=d)
            UserFactory(team=team, roles=[Role.STAFF, (Role.FORUM_CHAIR, d)])


@pytest.mark.parametrize("url_name", ["home", "organisation:directory", "organisation:profile"])
def test_page_query_count_does_not_grow_with_the_organisation(client, qiadmin, url_name,
                                                               django_assert_max_num_queries):
    client.force_login(qiadmin)
    _grow(2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _grow(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_directorate_page_lists_teams_and_roles(client, staff, chair, directorate, ward):
    client.force_login(staff)
    html = client.get(reverse("organisation:directorate", args=[directorate.slug])).content.decode()
    assert ward.name in html and chair.name in html


def test_person_page(client, staff, coach):
    client.force_login(staff)
    html = client.get(reverse("organisation:person", args=[coach.pk])).content.decode()
    assert "QI coach" in html and "Maximum concurrent teams" in html
