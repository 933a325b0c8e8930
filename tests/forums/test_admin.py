"""The QI department configures forums in settings; decisions there are read-only records."""

import pytest
from django.urls import reverse

from forums.models import Decision, Outcome
from forums.services import decide

from ..workflow import agenda_item, submitted_idea

pytestmark = pytest.mark.django_db


def test_qi_admin_configures_a_forum(login, qiadmin, forum):
    client = login(qiadmin)
    assert client.get(reverse("admin:forums_forum_changelist")).status_code == 200
    assert client.get(reverse("admin:forums_forum_change", args=[forum.pk])).status_code == 200
    assert client.get(reverse("admin:forums_meeting_changelist")).status_code == 200


def test_decisions_are_read_only_in_settings(login, qiadmin, chair, ward):
    decision = decide(agenda_item(submitted_idea(team=ward)), outcome=Outcome.DECLINE, by=chair, rationale="No")
    client = login(qiadmin)
    assert client.get(reverse("admin:forums_decision_changelist")).status_code == 200
    page = client.get(reverse("admin:forums_decision_change", args=[decision.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(reverse("admin:forums_decision_change", args=[decision.pk]),
                       {"rationale": "changed", "outcome": "approve"}).status_code == 403
    assert client.get(reverse("admin:forums_decision_add")).status_code == 403
    assert client.post(reverse("admin:forums_decision_delete", args=[decision.pk]), {"post": "yes"}).status_code == 403
    assert Decision.objects.get().rationale == "No"


def test_chairs_cannot_open_forum_settings(login, chair, forum):
    assert login(chair).get(reverse("admin:forums_forum_change", args=[forum.pk])).status_code == 403
