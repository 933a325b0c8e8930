"""seed_demo's programmes step: a violence-reduction collaborative delivering across the trust's wards, and a
programme being designed; idempotent."""

from django.core.management import call_command
from django.urls import reverse

from programmes import demo
from programmes.models import Aggregate, Programme, Stage
from programmes.reading import spread


def test_seed_demo_runs_a_violence_reduction_collaborative_and_designs_another(client, db):
    call_command("seed_demo", verbosity=0)
    violence = Programme.objects.get(title=demo.VIOLENCE)
    assert violence.stage == Stage.DELIVER
    assert violence.enrolments.count() >= 10
    assert set(violence.enrolments.values_list("wave__number", flat=True)) == {1, 2, 3}
    assert violence.sessions.exclude(shared="").count() == 4
    assert violence.templates.count() == 3  # outcome, process and balancing
    template = violence.templates.get(chart_type="u")
    assert template.chart_type == "u" and "per 1,000 occupied bed days" in template.name
    assert set(violence.package_ideas.values_list("title", flat=True)) >= {"Safety huddles", "Safety crosses"}
    for aggregate in Aggregate.objects.filter(template__programme=violence):
        assert aggregate.teams == violence.enrolments.count() and aggregate.figure and not aggregate.error
    rows = [r for _, group in spread(violence) for r in group]
    assert 0 < sum(r.sustaining for r in rows) < len(rows)  # improving in some wards, not in others
    assert Programme.objects.get(title=demo.ACCESS).stage == Stage.DESIGN
    # A small collaborative has finished: evaluated, each ward's outcome kept, its learning in the library.
    falls = Programme.objects.get(title=demo.FALLS)
    assert falls.stage == Stage.EVALUATE and falls.outcome and falls.learning
    assert falls.enrolments.exclude(outcome="").count() == falls.enrolments.count() == 2
    assert list(falls.moves.values_list("to_stage", flat=True)) == Stage.values
    assert falls.templates.get(chart_type="u").aggregate.teams == 2
    from programmes.figures import library_entries
    assert [e.title for e in library_entries("bay nursing")] == [demo.FALLS]

    call_command("seed_demo", verbosity=0)
    assert Programme.objects.count() == 3 and violence.enrolments.count() == len(rows)

    client.login(username="board", password="demo")
    assert client.get(reverse("programmes:detail", args=[violence.pk])).status_code == 200
