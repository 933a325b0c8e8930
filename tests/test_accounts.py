import pytest
from django.urls import reverse

from organisation.models import Role

pytestmark = pytest.mark.django_db


def test_staff_logs_in_with_username(client, staff, password):
    response = client.post(reverse("login"), {"username": "staff", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_staff_logs_in_with_email_in_any_case(client, staff, password):
    response = client.post(reverse("login"), {"username": "STAFF@example.nhs.uk", "password": password})
    assert response.status_code == 302


def test_wrong_password_shows_a_message_and_keeps_the_username(client, staff):
    response = client.post(reverse("login"), {"username": "staff", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert 'value="staff"' in response.content.decode()


def test_demo_persona_is_refused_outside_demo_mode(client, staff, password, settings):
    staff.is_demo_persona = True
    staff.save()
    settings.DEMO_MODE = False
    response = client.post(reverse("login"), {"username": "staff", "password": password})
    assert response.status_code == 200
    settings.DEMO_MODE = True
    response = client.post(reverse("login"), {"username": "staff", "password": password})
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, staff):
    client.force_login(staff)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_anonymous_people_are_sent_to_log_in(client, db):
    for name in ["home", "organisation:profile", "organisation:directory", "password_change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login"))


def test_password_change_rejects_a_weak_password_beside_the_field(client, staff, password):
    client.force_login(staff)
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "a-much-better-passphrase",
        "new_password2": "a-much-better-passphrase"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a-much-better-passphrase")


def test_profile_lists_every_role_with_its_directorate(client, chair, directorate):
    client.force_login(chair)
    html = client.get(reverse("organisation:profile")).content.decode()
    assert "Forum chair" in html
    assert "Staff member" in html
    assert directorate.name in html


def test_profile_edit_keeps_input_and_explains_a_taken_email(client, staff, coach):
    client.force_login(staff)
    response = client.post(reverse("organisation:profile"), {
        "display_name": "Sam O.", "email": coach.email, "job_title": "Matron", "team": staff.team_id})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Another account already uses this e-mail address." in html
    assert 'value="Matron"' in html
    response = client.post(reverse("organisation:profile"), {
        "display_name": "Sam O.", "email": "sam@example.nhs.uk", "job_title": "Matron", "team": staff.team_id})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert (staff.display_name, staff.job_title) == ("Sam O.", "Matron")


def test_a_person_holds_several_roles_at_once(coach):
    assert set(coach.role_assignments.values_list("role", flat=True)) == {Role.STAFF, Role.COACH}


def test_profile_offers_own_directorates_teams_and_accepts_any_other(client, staff):
    from organisation.models import Team
    from tests.factories import DirectorateFactory, TeamFactory

    elsewhere = TeamFactory.create_batch(30, directorate=DirectorateFactory())
    client.force_login(staff)
    html = client.get(reverse("organisation:profile")).content.decode()
    assert staff.team.name in html
    assert not any(f">{t.name}<" in html for t in elsewhere)  # found by name, not listed
    assert "Find it by name" in html
    moved = elsewhere[0]
    response = client.post(reverse("organisation:profile"), {
        "display_name": staff.display_name, "email": staff.email, "job_title": "Matron", "team": moved.pk})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.team == moved and staff.directorate_id == moved.directorate_id
    assert Team.objects.count() >= 31


def test_directory_counts_teams_and_people_per_directorate_in_bounded_queries(
        client, staff, django_assert_max_num_queries):
    from tests.factories import DirectorateFactory, TeamFactory, UserFactory

    for _ in range(3):
        d = DirectorateFactory()
        for team in TeamFactory.create_batch(4, directorate=d):
            UserFactory.create_batch(2, team=team, directorate=d)
    empty = DirectorateFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisation:directory"))
    rows = {d.pk: d for d in response.context["directorates"]}
    assert (rows[d.pk].team_count, rows[d.pk].people_count) == (4, 8)
    assert (rows[empty.pk].team_count, rows[empty.pk].people_count) == (0, 0)
