"""The schedule proposes the teams not visited longest, spread across directorates (pure, no database)."""

import datetime as dt

from assurance.schedule import Candidate, propose, queue

D = dt.date


def test_never_visited_teams_come_first_then_the_longest_unvisited():
    teams = [Candidate(1, 10, D(2026, 5, 1)), Candidate(2, 10, None), Candidate(3, 10, D(2025, 1, 1))]
    assert [c.team_id for c in queue(teams)] == [2, 3, 1]


def test_the_queue_takes_directorates_in_turn():
    teams = [Candidate(1, 10, None), Candidate(2, 10, None), Candidate(3, 10, None),
             Candidate(4, 20, D(2025, 1, 1)), Candidate(5, 20, D(2026, 1, 1))]
    assert [c.directorate_id for c in queue(teams)] == [10, 20, 10, 20, 10]


def test_each_executive_gets_different_teams_spanning_directorates():
    teams = [Candidate(n, n % 3, None, name=f"team {n:02}") for n in range(30)]
    proposals = propose(teams, [100, 200, 300], per_executive=3)
    chosen = [c.team_id for cs in proposals.values() for c in cs]
    assert len(chosen) == len(set(chosen)) == 9
    for cs in proposals.values():
        assert len({c.directorate_id for c in cs}) == 3


def test_fewer_teams_than_wanted_are_all_proposed_once():
    proposals = propose([Candidate(1, 10, None)], [100, 200])
    assert proposals == {100: [Candidate(1, 10, None)], 200: []}


def test_no_executives_no_proposals():
    assert propose([Candidate(1, 10, None)], []) == {}
