"""Reading a report's frozen content: its groupings of measures and when its portfolio was read.

Plain functions of the JSON a published report keeps (no queries), shared by the pages and the PDF.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

DOMAIN, OBJECTIVE = "domain", "objective"
GROUPINGS = {DOMAIN: "Triple Aim domain", OBJECTIVE: "strategic objective"}


def portfolio_built_on(content: dict[str, Any]) -> dt.date | None:
    """For content frozen before schema 3, whose portfolio is as it was the day the report was built: that day."""
    if (content.get("portfolio") or {}).get("state_at") or not content.get("built_at"):
        return None
    return timezone.localtime(dt.datetime.fromisoformat(content["built_at"])).date()


def groupings_of(content: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The groupings a report's content holds: content frozen before schema 2 holds the domain grouping only."""
    if "groupings" in content:
        return content["groupings"]
    return {DOMAIN: content.get("groups", [])}


def choose_grouping(content: dict[str, Any], asked: str | None) -> tuple[str, bool]:
    """(the grouping to show, whether the one asked for is missing from this report): anything unknown or
    missing is shown by domain."""
    if asked not in GROUPINGS:
        return DOMAIN, False
    if asked not in groupings_of(content):
        return DOMAIN, True
    return asked, False


def grouped(content: dict[str, Any], by: str = DOMAIN) -> list[dict[str, Any]]:
    """The content's groups (by domain or by objective) with their measures in order, for the templates."""
    measures = {m["id"]: m for m in content.get("measures", [])}
    by = by if by in groupings_of(content) else DOMAIN
    groups = groupings_of(content)[by]
    return [{**g, "anchor": f"group-{by}-{g['key'] or 'none'}",
             "measures": [measures[i] for i in g["measure_ids"] if i in measures]} for g in groups]
