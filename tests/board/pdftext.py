"""Just enough PDF reading for the tests, without poppler: the bookmark titles of a WeasyPrint PDF, and
the text WeasyPrint laid out on each page."""

from __future__ import annotations

import re
import zlib


def _unescape(raw: bytes) -> str:
    raw = re.sub(rb"\\([()\\])", rb"\1", raw)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def bookmark_titles(pdf: bytes) -> list[str]:
    """The outline (bookmark) titles, from the PDF's own objects, compressed object streams included."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    titles = []
    for chunk in chunks:
        for m in re.finditer(rb"/Title\s*\(((?:\\.|[^\\)])*)\)\s*/Dest", chunk):
            titles.append(_unescape(m.group(1)))
        for m in re.finditer(rb"/Title\s*<([0-9A-Fa-f]+)>\s*/Dest", chunk):
            titles.append(_unescape(bytes.fromhex(m.group(1).decode())))
    return titles


def page_texts(document) -> list[str]:
    """The text of each page of a rendered weasyprint Document (margin boxes, i.e. page numbers, included)."""
    def walk(box, parts: list[str]) -> list[str]:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", ()) or ():
            walk(child, parts)
        return parts

    return [" ".join(walk(page._page_box, [])) for page in document.pages]
