"""An evaluated programme's learning is written up to the learning library, beside the closed projects."""

import pytest
from django.urls import reverse

from programmes import services
from programmes.figures import library_entries
from programmes.models import Stage

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def evaluating(programme):
    """Straight to the last stage (its checklist, tested in test_services, is not what these tests are about)."""
    type(programme).objects.filter(pk=programme.pk).update(stage=Stage.EVALUATE)
    programme.refresh_from_db()


@pytest.fixture
def evaluated(recruiting, enrol_team, qiadmin):
    enrol_team()
    services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)
    evaluating(recruiting)
    services.evaluate(recruiting, outcome="aim_partly_met",
                      learning="Huddles worked where the nurse in charge led them; safety crosses needed a champion.")
    return recruiting


def test_the_library_shows_an_evaluated_programme_s_learning(client, evaluated, staff):
    client.force_login(staff)
    page = client.get(reverse("workspace:library")).content.decode()
    assert 'data-testid="library-programmes"' in page
    assert "Violence reduction collaborative" in page and "Huddles worked where the nurse in charge" in page
    assert "Aim partly met · 1 team" in page


def test_it_is_found_by_its_words_and_its_outcome_and_only_then(evaluated):
    assert [e.title for e in library_entries("nurse huddles")] == ["Violence reduction collaborative"]
    assert [e.title for e in library_entries("", "aim_partly_met")] == ["Violence reduction collaborative"]
    assert library_entries("", "aim_met") == []
    assert library_entries("falls") == []


def test_a_programme_still_running_or_with_nothing_written_is_not_there(recruiting, enrol_team, qiadmin, client, staff):
    enrol_team()
    services.move_stage(recruiting, Stage.DELIVER, by=qiadmin)
    assert library_entries() == []
    evaluating(recruiting)
    assert library_entries() == []  # evaluated, but no learning written up yet
    client.force_login(staff)
    assert 'data-testid="library-programmes"' not in client.get(reverse("workspace:library")).content.decode()


def test_the_library_asks_the_same_queries_however_many_programmes(client, evaluated, staff, qiadmin, exec_sponsor,
                                                                   django_assert_max_num_queries):
    client.force_login(staff)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("workspace:library"), {"q": "huddles"}).status_code == 200
    for i in range(4):
        other = make_programme(lead=qiadmin, sponsors=[exec_sponsor], title=f"Huddles everywhere {i}", topic="huddles")
        other.stage, other.learning, other.outcome = Stage.EVALUATE, "Huddles help.", "aim_met"
        other.save()
    with django_assert_max_num_queries(9):
        body = client.get(reverse("workspace:library"), {"q": "huddles"}).content.decode()
    assert body.count("Improvement programme ·") == 5
