"""Every database constraint a form can hit speaks to a person: a message they can act on, never its name."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from assurance.models import Framework
from capability.models import Audience, Cohort, Course, CourseKind

from .programmes.conftest import make_programme

DEFAULT_MESSAGE = models.BaseConstraint.default_violation_error_message


def own_models() -> list[type[models.Model]]:
    base = Path(settings.BASE_DIR).resolve()
    own = [config for config in apps.get_app_configs()
           if Path(config.path).resolve().is_relative_to(base) and ".venv" not in Path(config.path).parts]
    return [model for config in own for model in config.get_models()]


def constraints() -> list[tuple[type[models.Model], models.BaseConstraint]]:
    return [(model, constraint) for model in own_models() for constraint in model._meta.constraints]


def test_the_walk_finds_the_projects_constraints_and_none_of_djangos():
    labels = {model._meta.app_label for model, _ in constraints()}
    assert {"organisation", "projects", "workspace", "measures", "board"} <= labels
    assert not labels & {"auth", "admin", "contenttypes", "django_celery_beat", "axes", "auditlog"}
    assert len(constraints()) >= 89


@pytest.mark.parametrize(("model", "constraint"), constraints(),
                         ids=lambda c: c.name if isinstance(c, models.BaseConstraint) else c.__name__)
def test_each_constraint_has_a_human_message_without_its_name(model, constraint):
    message = constraint.get_violation_error_message()
    assert constraint.violation_error_message != DEFAULT_MESSAGE
    assert constraint.name not in message and "“" not in message
    assert message[0].isupper() and message.endswith(".")


@pytest.mark.parametrize(("model", "constraint"), constraints(),
                         ids=lambda c: c.name if isinstance(c, models.BaseConstraint) else c.__name__)
def test_a_constraints_code_is_the_field_its_message_belongs_beside(model, constraint):
    """organisation.forms.ConstraintErrorsBesideFields moves a message to the field its code names; Django itself
    puts a single-field unique constraint's "unique" beside its field."""
    code = constraint.violation_error_code
    if code is None:
        return
    if code == "unique":
        assert isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1
    else:
        assert code in {field.name for field in model._meta.get_fields()}


def test_a_cohort_with_no_places_is_refused_beside_the_capacity(client, qiadmin):
    course = Course.objects.create(name="Pocket QI", kind=CourseKind.INTRODUCTION, sessions=1, min_sessions=1,
                                   audience=Audience.objects.create(name="All staff", order=1), length="One day")
    client.force_login(qiadmin)
    data = {"name": "Wave 9", "venue": "Trust HQ", "capacity": "0", "facilitator_names": "", "session_1": "2026-02-10"}
    page = client.post(reverse("capability:cohort_new", args=[course.slug]), data)
    text = page.content.decode()
    assert page.status_code == 200 and not Cohort.objects.exists()
    assert 'id="error_1_id_capacity"' in text and "A cohort needs at least one place." in text
    assert "cohort_capacity_positive" not in text and "is violated" not in text
    assert 'value="Wave 9"' in text


def test_a_measurement_plan_multiplier_of_zero_is_refused_beside_the_multiplier(client, qiadmin):
    programme = make_programme(lead=qiadmin)
    client.force_login(qiadmin)
    page = client.post(reverse("programmes:add_template", args=[programme.pk]), {
        "name": "Falls", "definition": "Falls a month", "measure_type": "outcome", "period": "month",
        "chart_type": "c", "improvement": "decrease", "multiplier": "0"})
    text = page.content.decode()
    assert page.status_code == 200 and not programme.templates.exists()
    assert 'id="error_1_id_multiplier"' in text and "The multiplier must be more than 0" in text
    assert "template_multiplier_positive" not in text and "is violated" not in text


def test_award_thresholds_out_of_order_are_explained_at_the_top_of_the_settings_form(client, qiadmin):
    client.force_login(qiadmin)
    url = reverse("admin:assurance_framework_add")
    prefix = client.get(url).context["inline_admin_formsets"][0].formset.prefix
    page = client.post(url, {
        "name": "Service-user-led accreditation", "version": "1", "gold_min_met": "5", "silver_min_met": "8",
        "bronze_min_met": "2", "months_valid": "24", "months_valid_not_accredited": "6",
        f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    text = page.content.decode()
    assert page.status_code == 200 and not Framework.objects.exists()
    assert "The award thresholds must rise from bronze to gold" in text
    assert "framework_thresholds_ordered" not in text and "is violated" not in text


def test_the_same_role_twice_on_a_persons_settings_page_is_refused_beside_the_role(client, ward):
    from organisation.models import Role, User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    person = User.objects.create(username="p1", display_name="Pat One")
    url = reverse("admin:organisation_user_change", args=[person.pk])
    context = client.get(url).context
    data = {name: value for name, value in context["adminform"].form.initial.items()
            if value not in (None, False, "") and not isinstance(value, (list, tuple)) and name != "password"}
    data.update(username="p1", display_name="Pat One", date_joined_0="2026-01-01", date_joined_1="09:00")
    for inline in context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        if inline.formset.model._meta.model_name == "roleassignment":
            data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-0-role": Role.STAFF, f"{prefix}-1-role": Role.STAFF})
    page = client.post(url, data)
    text = page.content.decode()
    assert page.status_code == 200 and not person.role_assignments.exists()
    assert not page.context["adminform"].form.errors  # refused for the role alone
    assert "This person already has this role across the organisation." in text
    assert "role_unique_org_wide" not in text
