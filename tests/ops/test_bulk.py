"""insert_rows: many rows without a model instance each, with constants and every other column's default."""

import datetime as dt

import pytest

from ops.bulk import insert_rows
from ops.models import HeldTask
from organisation.models import Team

from ..factories import DirectorateFactory

pytestmark = pytest.mark.django_db


def test_rows_get_the_constants_given_and_the_defaults_of_every_other_column(django_assert_num_queries):
    from django.db import connection

    directorate = DirectorateFactory()
    # One executemany on SQLite; INSERTs of ROWS_A_STATEMENT rows each elsewhere (1,000 + 200 here).
    with django_assert_num_queries(1 if connection.vendor == "sqlite" else 2):
        assert insert_rows(Team, ("directorate_id", "name"), [(directorate.pk, f"Ward {i}") for i in range(1200)],
                           kind="ward") == 1200
    teams = Team.objects.filter(directorate=directorate)
    assert teams.count() == 1200
    assert set(teams.values_list("kind", "site", "active")) == {("ward", "", True)}


def test_values_are_prepared_as_the_orm_would_store_them():
    when = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    insert_rows(HeldTask, ("name", "held_at"), [("ops.tasks.a", when), ("ops.tasks.b", when)])
    assert sorted(HeldTask.objects.values_list("name", "held_at", "args", "attempts")) == [
        ("ops.tasks.a", when, [], 0), ("ops.tasks.b", when, [], 0)]


def test_nothing_to_insert_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(HeldTask, ("name",), []) == 0


def test_update_rows_changes_the_rows_given_in_chunks_of_ids(monkeypatch, django_assert_num_queries):
    from ops import bulk

    insert_rows(HeldTask, ("name",), [(f"ops.tasks.t{i}",) for i in range(5)])
    pks = list(HeldTask.objects.order_by("pk").values_list("pk", flat=True))
    monkeypatch.setattr(bulk, "IDS_A_STATEMENT", 2)
    with django_assert_num_queries(2):  # ids 1–2 and 3–4 of the first four; the fifth is left alone
        assert bulk.update_rows(HeldTask, pks[:4], attempts=3) == 4
    assert list(HeldTask.objects.order_by("pk").values_list("attempts", flat=True)) == [3, 3, 3, 3, 0]
    with django_assert_num_queries(0):
        assert bulk.update_rows(HeldTask, [], attempts=1) == 0
