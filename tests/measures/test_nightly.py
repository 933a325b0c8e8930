"""Nightly rendering: snapshots, incremental runs, chunks that survive a killed worker, the run log, health."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from measures import rendering
from measures.models import ChartSnapshot, Measure, RenderChunk, RenderFailure, RenderRun, SPCConfig
from measures.services import PointInput, save_points
from ops.models import JobRun, JobStatus

from .conftest import START, add_points, make_measure

pytestmark = pytest.mark.django_db

STEADY = [10, 12, 9, 11, 10, 12, 8, 11, 10, 9, 11, 10, 12, 9, 10, 11]


@pytest.fixture
def measures(ward, project):
    ms = [make_measure(name=f"Measure {i}", team=ward, chart_type="i") for i in range(5)]
    ms.append(make_measure(name="Project measure", project=project, chart_type="run"))
    for m in ms:
        add_points(m, STEADY)
    return ms


def snapshots() -> dict[int, ChartSnapshot]:
    return {s.measure_id: s for s in ChartSnapshot.objects.all()}


def test_a_run_stores_a_snapshot_of_every_measure_then_skips_what_is_unchanged(measures):
    first = rendering.render_all()
    assert (first.computed, first.skipped, first.failed) == (6, 0, 0)
    assert first.finished_at is not None
    snap = ChartSnapshot.objects.get(measure=measures[0])
    assert snap.figure and snap.phases[0]["ucl"] is not None and len(snap.input_hash) == 64
    assert snap.variation_icon == "common_cause" and snap.reading_kind == "common" and snap.n_points == 16

    second = rendering.render_all()
    assert (second.computed, second.skipped) == (0, 6)

    save_points(measures[2], [PointInput(period_start=START, value=30)], by=None)
    third = rendering.render_all()
    assert (third.computed, third.skipped) == (1, 5)
    assert rendering.render_all(force=True).computed == 6


def test_phase_annotation_and_settings_changes_make_the_snapshot_stale(client, staff, measures, project):
    rendering.render_all()
    m = measures[-1]
    client.force_login(staff)
    client.post(reverse("measures:annotation_add", args=[m.pk]), {"note-date": START.isoformat(),
                                                                  "note-text": "New form"})
    assert rendering.render_all().computed == 1


def test_a_change_of_the_organisations_rules_recomputes_everything(measures):
    rendering.render_all()
    config = SPCConfig.current()
    config.shift_length = 6
    config.save()
    run = rendering.render_all()
    assert (run.computed, run.skipped) == (6, 0)


def test_snapshots_rendered_as_the_configuration_row_is_created_stay_fresh(db):
    measure = make_measure(name="First measure of a new trust")
    add_points(measure, [3, 4, 5])
    assert not SPCConfig.objects.exists()
    rendering.render_measures([measure.pk])  # creates the configuration row, holding Method.MDC, not 'mdc'
    assert rendering.is_fresh(ChartSnapshot.objects.get(measure=measure), measure, SPCConfig.current())


def test_a_chunk_run_twice_is_counted_once(measures):
    run = rendering.render_all(chunk_size=4)
    assert run.chunks == 2 and run.computed == 6
    before = snapshots()
    chunk = RenderChunk.objects.filter(run=run).first()
    rendering.run_chunk(chunk)  # redelivered after the worker acknowledged late
    run.refresh_from_db()
    assert (run.computed, run.chunks_done) == (6, 2)
    assert {k: s.input_hash for k, s in snapshots().items()} == {k: s.input_hash for k, s in before.items()}


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing in the chunk gets to handle it."""


def test_a_worker_killed_mid_chunk_leaves_the_old_snapshots_and_the_chunk_is_redone(measures, monkeypatch):
    rendering.render_all()
    old = snapshots()
    for m in measures:
        save_points(m, [PointInput(period_start=START, value=40)], by=None)
    run = RenderRun.objects.create(total=6, chunks=1)
    chunk = RenderChunk.objects.create(run=run, index=0, measure_ids=[m.pk for m in measures])

    def killed(*args, **kwargs):
        raise WorkerKilled

    # Snapshots are written before the signals: killing it there proves the chunk's writes are one transaction.
    monkeypatch.setattr(rendering.signals, "record_new_signals", killed)
    with pytest.raises(WorkerKilled):
        rendering.run_chunk(chunk)
    after = snapshots()
    assert {k: s.input_hash for k, s in after.items()} == {k: s.input_hash for k, s in old.items()}
    chunk.refresh_from_db()
    run.refresh_from_db()
    assert not chunk.done and run.computed == 0 and run.finished_at is None

    monkeypatch.undo()
    rendering.run_chunk(chunk)
    run.refresh_from_db()
    assert run.computed == 6 and run.finished_at is not None
    assert all(s.input_hash != old[k].input_hash for k, s in snapshots().items())


def test_one_broken_measure_is_logged_never_blocks_the_rest_and_is_retried(measures, monkeypatch, client, qiadmin):
    rendering.render_all()
    for m in measures:
        save_points(m, [PointInput(period_start=START, value=40)], by=None)
    broken = measures[1]
    real = rendering.chart_for

    def chart_for(measure, *args, **kwargs):
        if measure.pk == broken.pk:
            raise RuntimeError("bad data")
        return real(measure, *args, **kwargs)

    monkeypatch.setattr(rendering, "chart_for", chart_for)
    old = ChartSnapshot.objects.get(measure=broken)
    run = rendering.render_all()
    assert (run.computed, run.failed) == (5, 1) and run.finished_at is not None
    failure = RenderFailure.objects.get(run=run)
    assert failure.measure == broken and "RuntimeError: bad data" in failure.error and "Traceback" in failure.traceback
    assert ChartSnapshot.objects.get(measure=broken).input_hash == old.input_hash  # the old chart still shows

    client.force_login(qiadmin)
    page = client.get(reverse("measures:render_runs")).content.decode()
    assert "bad data" in page and broken.name in page

    monkeypatch.undo()
    retry = rendering.render_all()
    assert (retry.computed, retry.failed, retry.skipped) == (1, 0, 5)


def test_the_run_log_is_for_the_qi_department(client, staff):
    client.force_login(staff)
    assert client.get(reverse("measures:render_runs")).status_code == 403


def test_data_saved_by_hand_is_rendered_right_after_commit(measures, django_capture_on_commit_callbacks):
    rendering.render_all()
    m = measures[0]
    with django_capture_on_commit_callbacks(execute=True):
        save_points(m, [PointInput(period_start=dt.date(2030, 1, 1), value=11)], by=None)
    m.refresh_from_db()
    snap = ChartSnapshot.objects.get(measure=m)
    assert snap.measure_stamp == m.updated_at and snap.n_points == 17


def test_pages_serve_the_snapshot_without_recomputing(client, staff, measures, monkeypatch):
    rendering.render_all()

    def boom(*args, **kwargs):
        raise AssertionError("recomputed on a request")

    monkeypatch.setattr(rendering, "chart_for", boom)
    client.force_login(staff)
    page = client.get(reverse("measures:detail", args=[measures[0].pk]))
    assert page.status_code == 200 and b"measure-figure" in page.content
    summary = client.get(reverse("measures:summary") + "?reading=common")
    assert summary.status_code == 200 and measures[0].name in summary.content.decode()
    assert client.get(reverse("measures:summary") + "?reading=concern").context["page"].paginator.count == 0


def test_render_charts_command_runs_the_same_job(measures, capsys):
    call_command("render_charts")
    assert "6 computed, 0 unchanged, 0 failed" in capsys.readouterr().out
    call_command("render_charts")
    assert "0 computed, 6 unchanged" in capsys.readouterr().out
    call_command("render_charts", "--all")
    assert "6 computed" in capsys.readouterr().out


def test_the_nightly_job_renders_charts_and_health_reports_the_last_run(measures, client):
    from ops.services import run_nightly

    job = run_nightly()
    assert job.detail["charts"]["computed"] == 6
    assert Measure.objects.filter(snapshot__isnull=True).count() == 0
    body = client.get("/health/").json()
    assert body["checks"]["nightly"]["charts_last_success"] is not None


def test_health_turns_unhealthy_when_the_nightly_job_has_not_succeeded_for_26_hours(measures, client):
    from django.utils import timezone

    rendering.render_all()  # charts rendered by hand do not stand in for the nightly job
    long_ago = timezone.now() - dt.timedelta(hours=27)
    JobRun.objects.create(name="nightly", started_at=long_ago, finished_at=long_ago, status=JobStatus.SUCCEEDED)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["nightly"]["ok"] is False
