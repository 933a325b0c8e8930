"""Publishing freezes the report; corrections are new versions that supersede the old, with a note."""

import pytest
from django.urls import reverse

from board import services
from board.models import BoardReport, FrozenError, MeasureNarrative
from measures.models import DataPoint
from measures.services import PointInput, save_points

from .conftest import MEETING, add_points, make_wsm


def by_name(report: BoardReport) -> dict:
    return {m["name"]: m for m in report.content["measures"]}


def test_publishing_captures_the_charts_icons_narratives_and_portfolio(published, wsms):
    content = published.content
    assert published.is_published and published.published_at
    violence = by_name(published)["Inpatient violence per 1,000 OBD"]
    assert violence["variation_icon"] == "concern_high"
    assert violence["narrative"] == "Rising since the summer; a review is under way."
    assert violence["figure"]["data"] and violence["reading"]
    assert violence["latest_value"] == 18
    assert "<svg" in violence["sparkline"]
    assert by_name(published)["Agency spend £k"]["assurance_icon"] == "fail"
    assert by_name(published)["Staff engagement"]["reading_kind"] == "none"
    assert set(content["portfolio"]) >= {"stages", "progress", "alignment", "aims", "coaching", "decisions"}
    assert content["data_to"] == "2026-02-28"


def test_concerns_come_first_within_each_domain(qiadmin, owner):
    from measures.models import Domain

    from .conftest import RISING, STABLE
    make_wsm("A stable measure", values=STABLE, owner=owner)
    make_wsm("Z worsening measure", values=RISING, owner=owner)
    make_wsm("Value measure", domain=Domain.VALUE, values=STABLE)
    report = services.publish(services.create_draft(meeting_date=MEETING, by=qiadmin), by=qiadmin)
    groups = report.content["groupings"]["domain"]
    names = {m["id"]: m["name"] for m in report.content["measures"]}
    assert [g["label"] for g in groups] == ["Experience of care", "Value"]
    assert [names[i] for i in groups[0]["measure_ids"]] == ["Z worsening measure", "A stable measure"]


def test_data_corrected_after_publishing_do_not_change_the_report(client, published, wsms, board, qiadmin):
    violence = wsms[0]
    before = published.content
    save_points(violence, [PointInput(period_start=DataPoint.objects.filter(measure=violence).latest(
        "period_start").period_start, value=2)], by=qiadmin)
    add_points(violence, [1, 1, 1], start=MEETING.replace(day=1, month=1))
    make_wsm("A measure added later", values=[1, 2, 3])
    violence.name = "Renamed measure"
    violence.save()

    published.refresh_from_db()
    assert published.content == before
    client.force_login(board)
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Inpatient violence per 1,000 OBD" in page
    assert "A measure added later" not in page and "Renamed measure" not in page


def test_a_published_report_and_its_narratives_refuse_edits(published, wsms, qiadmin):
    published.title = "Something else"
    with pytest.raises(FrozenError):
        published.save()
    narrative = MeasureNarrative.objects.get(report=published, measure=wsms[0])
    narrative.text = "Rewritten"
    with pytest.raises(FrozenError):
        narrative.save()
    with pytest.raises(FrozenError):
        published.delete()
    with pytest.raises(services.ReportError):
        services.publish(published, by=qiadmin)
    with pytest.raises(services.ReportError):
        services.save_narrative(published, wsms[0], text="Late", by=qiadmin)


def test_a_correction_is_a_new_version_that_supersedes_the_old_with_a_visible_note(client, published, wsms,
                                                                                   qiadmin, board):
    with pytest.raises(services.ReportError):
        services.correct(published, note="  ", by=qiadmin)
    v2 = services.correct(published, note="October's agency spend was double counted.", by=qiadmin)
    assert (v2.version, v2.supersedes, v2.meeting_date, v2.status) == (2, published, published.meeting_date, "draft")
    assert MeasureNarrative.objects.get(report=v2, measure=wsms[0]).text.startswith("Rising since the summer")
    with pytest.raises(services.ReportError):
        services.correct(published, note="Again", by=qiadmin)

    # Until v2 is published, the board sees v1 as it was, not superseded.
    client.force_login(board)
    page = client.get(published.get_absolute_url()).content.decode()
    assert 'data-testid="superseded"' not in page
    assert client.get(v2.get_absolute_url()).status_code == 404

    services.save_narrative(v2, wsms[0], text="Corrected figures: still rising.", by=qiadmin)
    v2 = services.publish(v2, by=qiadmin)
    old = client.get(published.get_absolute_url()).content.decode()
    assert 'data-testid="superseded"' in old and "double counted" in old
    assert "Rising since the summer" in old  # the old version keeps its own narrative
    new = client.get(v2.get_absolute_url()).content.decode()
    assert 'data-testid="correction-note"' in new and "double counted" in new
    assert "Corrected figures: still rising." in new
    listing = client.get(reverse("board:index")).content.decode()
    assert "Superseded" in listing and "double counted" in listing


def test_a_meeting_has_one_first_version(draft, qiadmin):
    with pytest.raises(services.ReportError):
        services.create_draft(meeting_date=draft.meeting_date, by=qiadmin)


def test_qi_admin_prepares_previews_and_publishes_through_the_pages(client, wsms, qiadmin, owner):
    from workspace.models import Story

    client.force_login(qiadmin)
    response = client.post(reverse("board:index"), {"meeting_date": MEETING.isoformat(), "title": ""})
    report = BoardReport.objects.get()
    assert response.url == reverse("board:edit", args=[report.pk])
    form = {"title": "March board", "meeting_date": MEETING.isoformat(), "patient_story": "",
            "improvement_story": "", **{f"narrative_{m.pk}": f"Narrative for {m.name}" for m in wsms}}
    assert client.get(reverse("board:edit", args=[report.pk])).status_code == 200
    response = client.post(reverse("board:edit", args=[report.pk]), form)
    assert response.status_code == 302
    preview = client.get(report.get_absolute_url()).content.decode()
    assert "Draft – preview" in preview and "Narrative for Agency spend £k" in preview
    client.post(reverse("board:publish", args=[report.pk]))
    report.refresh_from_db()
    assert report.is_published and report.title == "March board"
    assert by_name(report)["Staff engagement"]["narrative"] == "Narrative for Staff engagement"
    assert Story.objects.count() == 0


def test_a_measure_owner_writes_their_narrative_for_the_draft(client, draft, wsms, owner, staff):
    url = reverse("board:narrative", args=[draft.pk, wsms[0].pk])
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(owner)
    assert "Narratives for your measures" in client.get(reverse("board:index")).content.decode()
    client.post(url, {"text": "Owner's words."})
    assert MeasureNarrative.objects.get(report=draft, measure=wsms[0]).text == "Owner's words."
    assert client.get(reverse("board:narrative", args=[draft.pk, wsms[1].pk])).status_code == 403
