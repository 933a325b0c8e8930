"""The board pack: requested from the report page, built by the Celery task (eager here), polled through
the status endpoint, downloaded; its text holds every measure."""

from django.urls import reverse

from board import pdf as board_pdf
from board import services
from board.models import PDFStatus, ReportPDF

from .pdftext import bookmark_titles, page_texts


def request_pdf(client, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("board:pdf_request", args=[report.pk]))
    assert response.status_code == 302
    return client.get(reverse("board:pdf_status", args=[report.pk])).json()


def test_board_member_makes_and_downloads_the_pdf(client, published, wsms, board,
                                                  django_capture_on_commit_callbacks):
    client.force_login(board)
    assert client.get(reverse("board:pdf_status", args=[published.pk])).json() == {"status": "none"}
    status = request_pdf(client, published, django_capture_on_commit_callbacks)
    assert status["status"] == "ready" and status["percent"] == 100 and status["pages"] >= 4
    response = client.get(status["download"])
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF-")
    titles = bookmark_titles(data)
    for measure in wsms:
        assert measure.name in titles
    assert any("QI portfolio" in t for t in titles) and any("Stories" in t for t in titles)
    # A second request does not build it again: the frozen report's PDF never changes.
    with_pdf = client.get(published.get_absolute_url()).content.decode()
    assert 'data-testid="pdf-download"' in with_pdf
    request_pdf(client, published, django_capture_on_commit_callbacks)
    assert ReportPDF.objects.count() == 1


def test_the_pdf_pages_hold_contents_page_numbers_measures_and_narratives(published, wsms):
    import weasyprint

    html = board_pdf.build_html(services.report_meta(published), published.content)
    texts = page_texts(weasyprint.HTML(string=html).render())
    everything = " ".join(texts)
    assert "Contents" in texts[0]
    assert f"Page 1 of {len(texts)}" in texts[0]
    for measure in wsms:
        assert measure.name in everything
    assert "Rising since the summer; a review is under way." in everything
    assert "Special cause variation – concern (high)" in everything or "concern" in everything
    assert "Closed projects that met their aim" in everything


def test_a_failed_build_is_shown_and_can_be_tried_again(client, published, qiadmin, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("font cache unavailable")

    monkeypatch.setattr(services, "render_pdf", broken)
    client.force_login(qiadmin)
    # Eager, the build runs after the request's commit; its failure is logged and shown, never a 500.
    request_pdf(client, published, django_capture_on_commit_callbacks)
    status = client.get(reverse("board:pdf_status", args=[published.pk])).json()
    assert status["status"] == PDFStatus.FAILED and "font cache" in status["error"]
    monkeypatch.undo()
    assert request_pdf(client, published, django_capture_on_commit_callbacks)["status"] == "ready"


def test_drafts_have_no_pdf(client, draft, qiadmin, django_capture_on_commit_callbacks):
    client.force_login(qiadmin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("board:pdf_request", args=[draft.pk]))
    assert not ReportPDF.objects.exists()
    assert client.get(reverse("board:pdf_download", args=[draft.pk])).status_code == 404
