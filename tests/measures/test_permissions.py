"""Who may read, enter data, change definitions and settings; each refusal is a 403 (or a 404 for drafts)."""

import pytest
from django.urls import reverse

from measures.models import Measure
from tests.factories import ProjectFactory, UserFactory

from .conftest import make_measure

pytestmark = pytest.mark.django_db


def add_period(client, measure):
    return client.post(reverse("measures:detail", args=[measure.pk]), {
        "points-TOTAL_FORMS": "1", "points-INITIAL_FORMS": "0", "points-0-period_start": "2024-01-01",
        "points-0-value": "3"})


def test_everyone_logged_in_reads_measures_and_the_summary(client, outsider, project_measure, ward_measure,
                                                           system_measure):
    client.force_login(outsider)
    for m in (project_measure, ward_measure, system_measure):
        page = client.get(reverse("measures:detail", args=[m.pk]))
        assert page.status_code == 200 and "Save the data" not in page.text
    assert client.get(reverse("measures:summary")).status_code == 200


def test_anonymous_people_are_sent_to_log_in(client, system_measure):
    assert client.get(reverse("measures:summary")).status_code == 302
    assert client.get(reverse("measures:detail", args=[system_measure.pk])).status_code == 302


def test_a_draft_projects_measures_are_404_outside_its_team(client, staff, outsider, ward):
    measure = make_measure(project=ProjectFactory(team=ward, lead=staff))
    client.force_login(outsider)
    assert client.get(reverse("measures:detail", args=[measure.pk])).status_code == 404
    assert client.get(reverse("measures:export_csv", args=[measure.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("measures:detail", args=[measure.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "board", "serviceuser_off_team"])
def test_people_not_working_on_a_project_cannot_enter_its_data(client, request, project_measure, who):
    user = (UserFactory(roles=["service_user"]) if who == "serviceuser_off_team" else request.getfixturevalue(who))
    client.force_login(user)
    assert add_period(client, project_measure).status_code == 403
    assert client.get(reverse("measures:upload", args=[project_measure.pk])).status_code == 403
    assert client.post(reverse("measures:phase_add", args=[project_measure.pk]), {}).status_code == 403
    assert client.post(reverse("measures:annotation_add", args=[project_measure.pk]), {}).status_code == 403
    assert client.get(reverse("measures:edit", args=[project_measure.pk])).status_code == 403
    assert not project_measure.points.exists()


@pytest.mark.parametrize("who", ["staff", "coach", "sponsor", "ia", "qiadmin"])
def test_people_working_on_a_project_enter_its_data(client, request, project_measure, who):
    client.force_login(request.getfixturevalue(who))
    assert add_period(client, project_measure).status_code == 302
    assert project_measure.points.count() == 1


def test_ward_indicators_take_data_from_the_wards_people_ias_and_the_qi_department(
        client, ward_measure, staff, ia, qiadmin, outsider, board):
    client.force_login(outsider)
    assert add_period(client, ward_measure).status_code == 403
    board.team = None
    board.save()
    client.force_login(board)
    assert add_period(client, ward_measure).status_code == 403
    for person in (staff, ia, qiadmin):
        client.force_login(person)
        ward_measure.points.all().delete()
        assert add_period(client, ward_measure).status_code == 302


def test_whole_system_measures_take_data_from_the_owner_and_the_qi_department(client, system_measure, staff, ia,
                                                                              qiadmin):
    for person in (staff, ia):
        client.force_login(person)
        assert add_period(client, system_measure).status_code == 403
    system_measure.owner = staff
    system_measure.save()
    client.force_login(staff)
    assert add_period(client, system_measure).status_code == 302


def test_team_and_system_measures_are_defined_by_the_qi_department_and_ias(client, ward, staff, ia, qiadmin,
                                                                          system_measure):
    data = {"name": "Falls", "measure_type": "outcome", "definition": "Any fall", "period": "month",
            "chart_type": "c", "improvement": "decrease", "multiplier": "1", "early_warning": "on"}
    url = reverse("measures:create")
    client.force_login(staff)
    assert client.get(url, {"team": ward.pk}).status_code == 403
    assert client.post(url, {**data, "team": ward.pk}).status_code == 403
    assert client.get(reverse("measures:edit", args=[system_measure.pk])).status_code == 403
    client.force_login(qiadmin)
    assert client.post(url, {**data, "team": ward.pk}).status_code == 302
    created = Measure.objects.get(name="Falls")
    assert created.team == ward and created.early_warning and created.owner == qiadmin
    client.force_login(ia)
    assert client.post(url, {**data, "name": "Harm", "domain": "value"}).status_code == 302
    assert Measure.objects.get(name="Harm").scope == "system"
    assert client.get(reverse("measures:edit", args=[system_measure.pk])).status_code == 200


def test_project_team_adds_a_measure_to_their_project(client, staff, outsider, project):
    data = {"name": "Restraints", "measure_type": "outcome", "definition": "Every restraint", "period": "month",
            "chart_type": "p", "improvement": "decrease", "multiplier": "1", "unit": "%", "project": project.pk}
    client.force_login(outsider)
    assert client.post(reverse("measures:create"), data).status_code == 403
    client.force_login(staff)
    response = client.post(reverse("measures:create"), data)
    assert "needs both a numerator and a denominator" in response.text
    data.update(numerator="Restraints debriefed", denominator="Restraints")
    assert client.post(reverse("measures:create"), data).status_code == 302
    measure = Measure.objects.get(name="Restraints")
    assert measure.project == project and measure.multiplier == 100


def test_only_the_qi_department_changes_the_spc_settings(client, ia, qiadmin):
    url = reverse("measures:config")
    data = {"method": "anhoej", "shift_length": "8", "trend_length": "6", "two_of_three": "on"}
    client.force_login(ia)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(qiadmin)
    assert client.post(url, data).status_code == 302
    from measures.models import SPCConfig

    config = SPCConfig.current()
    assert (config.method, config.shift_length, config.screen_moving_ranges) == ("anhoej", 8, False)


def test_upload_batches_belong_to_people_who_may_enter_the_data(client, qiadmin, outsider, ward_measure):
    from measures.models import UploadBatch

    batch = UploadBatch.objects.create(measure=ward_measure, filename="a.csv", uploaded_by=qiadmin, status="ready")
    client.force_login(outsider)
    assert client.get(batch.get_absolute_url()).status_code == 403
    assert client.post(batch.get_absolute_url(), {"on_duplicate": "skip"}).status_code == 403
