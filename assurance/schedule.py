"""Which teams each executive should visit next: a pure function, no Django.

The rule the trust uses: the teams not visited for longest come first (never visited before any), and an
executive's next visits are spread across directorates rather than spent in one. Teams are first put in one
queue that takes each directorate's most overdue team in turn, then the queue is dealt to the executives
in turns, each executive taking the most overdue team from a directorate not yet in their list (so two
executives are never proposed the same team, and each one's list spans directorates).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    team_id: int
    directorate_id: int
    last_visit: dt.date | None
    name: str = ""


def _overdue_key(c: Candidate) -> tuple:
    return (c.last_visit is not None, c.last_visit or dt.date.min, c.name, c.team_id)


def queue(candidates: list[Candidate]) -> list[Candidate]:
    """All candidates, longest unvisited first, taking directorates in turn."""
    by_directorate: dict[int, list[Candidate]] = defaultdict(list)
    for c in sorted(candidates, key=_overdue_key):
        by_directorate[c.directorate_id].append(c)
    out: list[Candidate] = []
    while by_directorate:
        # Each round takes one team from every directorate still holding some, most overdue first.
        heads = sorted(by_directorate.items(), key=lambda item: _overdue_key(item[1][0]))
        for directorate_id, teams in heads:
            out.append(teams.pop(0))
            if not teams:
                del by_directorate[directorate_id]
    return out


def propose(candidates: list[Candidate], executive_ids: list[int],
            per_executive: int = 4) -> dict[int, list[Candidate]]:
    """The next `per_executive` teams for each executive, dealt from the queue in turns."""
    proposals: dict[int, list[Candidate]] = {pk: [] for pk in executive_ids}
    remaining = queue(candidates)
    for _ in range(per_executive):
        for pk in executive_ids:
            if not remaining:
                return proposals
            seen = {c.directorate_id for c in proposals[pk]}
            index = next((i for i, c in enumerate(remaining) if c.directorate_id not in seen), 0)
            proposals[pk].append(remaining.pop(index))
    return proposals
