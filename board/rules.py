"""Who prepares, reads and sees what of the board report.

The QI department prepares reports and alone sees drafts. Published reports are read by board members
(executives hold the board role too), the QI department and Improvement Advisors (the QI department's
own improvement staff). The portfolio page is open to everyone logged in for their own directorate;
the board, the QI department and IAs see every directorate. The early-warning board is open to everyone
logged in, as the ward indicators under it already are on the measures pages.
"""

from __future__ import annotations

import rules

from organisation.rules import is_board_member, is_improvement_advisor, is_qi_admin

can_prepare_reports = is_qi_admin
can_read_reports = is_board_member | is_qi_admin | is_improvement_advisor
sees_every_directorate = is_board_member | is_qi_admin | is_improvement_advisor


@rules.predicate
def sees_portfolio(user) -> bool:
    """Everyone with a directorate sees theirs; the board, QI department and IAs see all."""
    return bool(getattr(user, "directorate_id", None)) or bool(sees_every_directorate(user))


@rules.predicate
def can_view_report(user, report) -> bool:
    if report is None:
        return False
    if report.is_draft:
        return bool(can_prepare_reports(user))
    return bool(can_read_reports(user))


rules.add_perm("board.prepare_report", can_prepare_reports)
rules.add_perm("board.read_reports", can_read_reports)
rules.add_perm("board.view_report", can_view_report)
rules.add_perm("board.view_portfolio", sees_portfolio)
