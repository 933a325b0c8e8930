"""Finding people, teams and directorates in the directory: what the pickers on forms ask as you type.

Whatever the size of the trust, a form lists only a handful of suggestions and the
people or team already chosen; anyone else is found by name (at most PICKER_LIMIT a search).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Directorate, Team, User

PERSON_KINDS = ("Staff", "Service users and carers", "External partners")
PICKER_LIMIT = 20
# A select lists every directorate up to this many; a larger trust offers a few and a search box.
LISTED_DIRECTORATES = 40
MIN_QUERY = 2


def person_kind(person: User) -> str:
    if person.external_organisation_id:
        return PERSON_KINDS[2]
    if person.lived_experience:
        return PERSON_KINDS[1]
    return PERSON_KINDS[0]


def person_label(person: User) -> str:
    where = person.external_organisation or person.team
    return f"{person.name} – {where}" if where else person.name


def find_people(query: str, *, exclude: int | None = None) -> list[User]:
    """Active people whose name, username, e-mail, job title, team or partner organisation matches every word."""
    words = query.split()
    if len(query.strip()) < MIN_QUERY:
        return []
    people: QuerySet[User] = User.objects.filter(is_active=True).select_related("team", "external_organisation")
    for word in words:
        people = people.filter(Q(display_name__icontains=word) | Q(first_name__icontains=word)
                               | Q(last_name__icontains=word) | Q(username__iexact=word) | Q(email__iexact=word)
                               | Q(job_title__icontains=word) | Q(team__name__icontains=word)
                               | Q(external_organisation__name__icontains=word))
    if exclude:
        people = people.exclude(pk=exclude)
    return list(people.order_by("display_name", "username")[:PICKER_LIMIT])


def find_teams(query: str) -> list[Team]:
    """Active teams whose name or directorate matches every word."""
    if len(query.strip()) < MIN_QUERY:
        return []
    teams = Team.objects.filter(active=True).select_related("directorate")
    for word in query.split():
        teams = teams.filter(Q(name__icontains=word) | Q(directorate__name__icontains=word) | Q(site__icontains=word))
    return list(teams.order_by("name", "directorate__name")[:PICKER_LIMIT])


def find_directorates(query: str) -> list[Directorate]:
    """Directorates whose name matches every word."""
    if len(query.strip()) < MIN_QUERY:
        return []
    directorates = Directorate.objects.all()
    for word in query.split():
        directorates = directorates.filter(name__icontains=word)
    return list(directorates.order_by("name")[:PICKER_LIMIT])
