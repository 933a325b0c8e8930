"""The seed step gives every approved demo project a believable, idempotent workspace."""

import pytest
from django.core.management import call_command

from projects.models import Project, ProjectStatus
from workspace.demo import TOPICS, topic_for
from workspace.models import ChangeIdea, ClosureRequest, Driver, PDSACycle, ProgressScore, Story
from workspace.services import needing_attention


def test_topics_follow_the_project_title():
    assert topic_for("Reducing violence and aggression on Willow Ward") is TOPICS["violence"]
    assert topic_for("Reducing time to hire in Recruitment") is TOPICS["hiring"]
    assert topic_for("Something new altogether") is TOPICS["generic"]
    for topic in TOPICS.values():
        flat = sum(len(children) for _, children in topic.drivers)
        assert 2 <= len(topic.drivers) <= 3 and all(len(c) == 2 for _, c in topic.drivers)
        assert 3 <= len(topic.ideas) <= 6 and all(0 <= k < flat for _, _, ks in topic.ideas for k in ks)


@pytest.mark.django_db
def test_seed_demo_builds_workspaces_once():
    call_command("seed_demo", verbosity=0)
    # Projects moved in from the old tracker bring no driver diagram or closure review with them, and a
    # collaborative's teams work from their programme's driver diagram.
    approved = Project.objects.approved().filter(imported_as__isnull=True, programme_enrolments__isnull=True)
    assert approved.exists()
    assert not approved.exclude(drivers__isnull=False).exists()
    assert ChangeIdea.objects.exists() and PDSACycle.objects.filter(act_decision="adopt").exists()
    assert PDSACycle.objects.filter(builds_on__isnull=False).exists()
    assert ProgressScore.objects.exists()
    closing = approved.filter(status__in=[ProjectStatus.CLOSURE_REQUESTED, ProjectStatus.COMPLETED,
                                          ProjectStatus.STOPPED])
    assert ClosureRequest.objects.filter(project__in=closing).count() == closing.count()
    assert Story.objects.published().filter(project__status=ProjectStatus.COMPLETED).exists()
    import django.utils.timezone as tz

    assert needing_attention(Project.objects.all(), tz.localdate()).exists()
    counts = (Driver.objects.count(), PDSACycle.objects.count(), ProgressScore.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Driver.objects.count(), PDSACycle.objects.count(), ProgressScore.objects.count()) == counts
