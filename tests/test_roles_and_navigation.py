import pytest
from django.urls import reverse

from organisation import rules as roles

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["staff", "serviceuser", "coach", "sponsor", "ia", "chair", "board"],
                         indirect=True)
def test_only_qi_admins_reach_organisation_settings(client, persona):
    client.force_login(persona)
    assert client.get("/settings/").status_code == 403
    assert client.get("/settings/organisation/team/").status_code == 403
    assert client.get("/settings/organisation/team/add/").status_code == 403


def test_qi_admin_maintains_teams_in_settings(client, qiadmin, directorate):
    client.force_login(qiadmin)
    assert client.get("/settings/").status_code == 200
    response = client.post("/settings/organisation/team/add/", {
        "directorate": directorate.pk, "name": "Rowan Ward", "kind": "ward", "site": "", "active": "on"})
    assert response.status_code == 302
    assert directorate.teams.filter(name="Rowan Ward").exists()


def test_anonymous_settings_visit_goes_to_the_product_login(client, db):
    response = client.get("/settings/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert response.status_code == 200


def test_role_predicates(chair, other_chair, directorate, other_directorate, serviceuser, qiadmin, staff):
    assert roles.chairs_directorate(chair, directorate)
    assert not roles.chairs_directorate(chair, other_directorate)
    assert roles.chairs_directorate(serviceuser, directorate)  # co-chair
    assert roles.is_forum_chair(other_chair)
    assert roles.is_qi_admin(qiadmin) and not roles.is_qi_admin(staff)
    assert roles.can_submit_ideas(staff) and roles.can_submit_ideas(serviceuser)


def test_roles_are_read_once_per_request(staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        for _ in range(5):
            roles.is_qi_admin(staff)
            roles.is_coach(staff)


NAV = {
    "staff": {"organisation:directory", "projects:list", "projects:idea_new"},
    "qiadmin": {"organisation:directory", "admin:index", "ingest:tokens", "coaching:index"},
}


@pytest.mark.parametrize("persona", ["staff", "qiadmin"], indirect=True)
def test_navigation_shows_each_role_its_pages(client, persona):
    client.force_login(persona)
    html = client.get(reverse("home")).content.decode()
    # Home is the brand's link, not an entry of its own.
    assert f'class="navbar-brand d-flex align-items-center gap-2" href="{reverse("home")}" aria-current="page"' in html
    assert 'data-nav="home"' not in html
    for url_name in NAV[persona.username]:
        assert f'data-nav="{url_name}"' in html
    if persona.username == "staff":
        assert 'data-nav="admin:index"' not in html
        assert 'data-nav="ingest:tokens"' not in html
        assert 'data-nav="coaching:index"' not in html
