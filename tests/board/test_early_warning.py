"""The wards' early-warning board: every indicator's latest reading, wards with several concerns first."""

from django.urls import reverse

from tests.factories import TeamFactory

from .conftest import RISING, STABLE, make_wsm


def indicator(name, ward, values):
    return make_wsm(name, domain="", team=ward, early_warning=True, values=values, improvement="decrease")


def test_wards_with_several_concerns_stand_out_and_each_cell_opens_its_chart(client, staff, ward, directorate):
    calm = TeamFactory(directorate=directorate, name="Ash Ward")
    falls = indicator("Falls", ward, RISING)
    indicator("Restraints", ward, RISING)
    indicator("Falls", calm, STABLE)
    indicator("Restraints", calm, STABLE)
    make_wsm("Not an early-warning indicator", domain="", team=calm, values=RISING)

    client.force_login(staff)
    response = client.get(reverse("board:early_warning"))
    wards = response.context["wards"]
    assert [w["team"].name for w in wards] == [ward.name, "Ash Ward"]
    assert (wards[0]["concern"], wards[1]["concern"]) == (2, 0)
    assert response.context["indicators"] == ["Falls", "Restraints"]
    assert response.context["flagged"] == 1
    page = response.content.decode()
    assert reverse("measures:detail", args=[falls.pk]) in page
    assert "Not an early-warning indicator" not in page
    assert "2 concerns" in page


def test_the_board_can_be_narrowed_to_a_directorate(client, staff, ward, other_ward, other_directorate):
    indicator("Falls", ward, STABLE)
    indicator("Falls", other_ward, STABLE)
    client.force_login(staff)
    response = client.get(reverse("board:early_warning"), {"directorate": other_directorate.pk})
    assert [w["team"].name for w in response.context["wards"]] == [other_ward.name]


def test_trust_wide_the_board_shows_the_most_concerning_wards_and_a_directorate_shows_all(
        client, staff, ward, directorate, monkeypatch):
    from board import views

    monkeypatch.setattr(views, "WARDS_SHOWN_TRUST_WIDE", 2)
    indicator("Falls", ward, RISING)
    for name in ("Ash Ward", "Beech Ward"):
        indicator("Falls", TeamFactory(directorate=directorate, name=name), STABLE)
    client.force_login(staff)
    response = client.get(reverse("board:early_warning"))
    assert [w["team"].name for w in response.context["wards"]][0] == ward.name
    assert len(response.context["wards"]) == 2 and response.context["more"] == 1
    assert "of 3; choose a directorate" in response.content.decode()
    response = client.get(reverse("board:early_warning"), {"directorate": directorate.pk})
    assert len(response.context["wards"]) == 3 and response.context["more"] == 0
