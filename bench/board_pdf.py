#!/usr/bin/env python
"""Time to build the board pack PDF of a report with 40 Whole System Measures.

    .venv/bin/python bench/board_pdf.py                  # 40 measures, 24 months each
    .venv/bin/python bench/board_pdf.py --measures 80 --months 36 --keep /tmp/pack.pdf

Builds a throwaway SQLite database in a temporary directory (migrated, 40 measures with two years of
monthly data, a few projects), publishes a report (which freezes its content) and then times
board.services.build_pdf, the function the Celery task calls. Budget (issue 7): under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=40)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", help="write the PDF here")
    parser.add_argument("--content-out", help="write the frozen report content (JSON) here, for profiling")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="board-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated a fresh database in {time.perf_counter() - t0:.1f}s")

    from benchlib import whole_system_measures

    from board import services
    from board.models import ReportPDF
    from organisation.models import Role, RoleAssignment, User

    admin = User.objects.create(username="bench-admin", display_name="Bench Admin")
    RoleAssignment.objects.create(user=admin, role=Role.QI_ADMIN)
    whole_system_measures(admin, args.measures, args.months)

    report = services.create_draft(meeting_date=dt.date.today(), by=admin)
    t0 = time.perf_counter()
    report = services.publish(report, by=admin)
    t_publish = time.perf_counter() - t0
    from board.pdf import render_pdf

    if args.content_out:
        import json

        frozen = {"report": services.report_meta(report), "content": report.content}
        Path(args.content_out).write_text(json.dumps(frozen, default=str))

    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    render_pdf(services.report_meta(report), report.content,
               progress=lambda step, done, total: marks.append((step, time.perf_counter() - t0)))
    phases = [(step.split(" ")[0], t - (marks[i - 1][1] if i else 0.0)) for i, (step, t) in enumerate(marks)]
    print("phases: " + ", ".join(f"{name} {t:.1f}s" for name, t in phases if t >= 0.05))
    pdf = ReportPDF.objects.create(report=report, requested_by=admin)
    t0 = time.perf_counter()
    pages = services.build_pdf(pdf)
    t_pdf = time.perf_counter() - t0
    pdf.refresh_from_db()
    size = len(bytes(pdf.file))
    if args.keep:
        Path(args.keep).write_bytes(bytes(pdf.file))
    print(f"publish (freeze {args.measures} measures + portfolio): {t_publish:.2f}s")
    print(f"PDF of {args.measures} measures x {args.months} months: {t_pdf:.2f}s, {pages} pages, {size / 1024:.0f} KB"
          f" (budget 30 s: {'OK' if t_pdf < 30 else 'OVER'})")


if __name__ == "__main__":
    main()
