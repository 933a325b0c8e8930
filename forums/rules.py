import rules

from organisation.rules import chairs_directorate, is_qi_admin


@rules.predicate
def chairs_forum(user, forum) -> bool:
    return forum is not None and chairs_directorate(user, forum.directorate_id)


@rules.predicate
def chairs_meeting(user, meeting) -> bool:
    return meeting is not None and chairs_directorate(user, meeting.forum.directorate_id)


rules.add_perm("forums.decide", chairs_meeting)
rules.add_perm("forums.record_minutes", chairs_meeting | is_qi_admin)
rules.add_perm("forums.manage_forum", chairs_forum | is_qi_admin)
