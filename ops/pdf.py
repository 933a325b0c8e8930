"""Every PDF the product makes (the board pack, a project's storyboard, a course certificate) is laid out by
WeasyPrint here, the same way: from HTML that carries its own styles and images (`base_url=None`: nothing is
fetched, from the network or the disk), written as a tagged PDF so headings, tables and the charts' alternative
text reach screen readers. WeasyPrint takes 0.4 s to import, so only a request or task that makes a PDF pays it.
"""

from __future__ import annotations


def layout(html: str):
    """The laid-out document (its `.pages` counted), for a caller that reports progress between the steps."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=None).render()


def write(document) -> bytes:
    return document.write_pdf(pdf_tags=True)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages)."""
    document = layout(html)
    return write(document), len(document.pages)
