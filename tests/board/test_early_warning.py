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
