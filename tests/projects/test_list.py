"""Browsing projects: every filter, search, pagination, and a query budget that does not grow."""

import pytest
from django.urls import reverse

from organisation.models import AnnualPriority, Role
from projects.models import Involvement, Project, ProjectStatus

from ..factories import ObjectiveFactory, ProjectFactory, TeamFactory, UserFactory
from ..workflow import approved_project, submitted_idea

pytestmark = pytest.mark.django_db


def titles(response) -> set[str]:
    return {project.title for project in response.context["page"]}


@pytest.fixture
def portfolio(ward, other_ward, chair, coach, sponsor):
    objective = ObjectiveFactory(name="Experience of care")
    priority = AnnualPriority.objects.create(year=2026, name="Reducing restrictive practice")
    aligned = submitted_idea(team=ward, title="Safer evenings", involvement=Involvement.FULL)
    aligned.objectives.add(objective)
    prioritised = submitted_idea(team=other_ward, title="Calmer mornings", problem="Breakfast is chaotic.")
    prioritised.priorities.add(priority)
    unaligned = approved_project(team=ward, title="Faster discharge letters", chair=chair, coach=coach,
                                 sponsor=sponsor)
    draft = ProjectFactory(team=ward, title="A private draft")
    return {"objective": objective, "priority": priority, "aligned": aligned, "prioritised": prioritised,
            "unaligned": unaligned, "draft": draft}


def test_everyone_browses_projects_but_not_other_teams_drafts(client, outsider, portfolio):
    client.force_login(outsider)
    response = client.get(reverse("projects:list"))
    assert titles(response) == {"Safer evenings", "Calmer mornings", "Faster discharge letters"}
    assert "3 projects" in response.content.decode()


def test_a_qi_admin_sees_drafts_too(client, qiadmin, portfolio):
    client.force_login(qiadmin)
    assert "A private draft" in titles(client.get(reverse("projects:list")))


@pytest.mark.parametrize(("params", "expected"), [
    (lambda p: {"directorate": p["prioritised"].directorate_id}, {"Calmer mornings"}),
    (lambda p: {"team": p["aligned"].team_id}, {"Safer evenings", "Faster discharge letters"}),
    (lambda p: {"status": ProjectStatus.ACTIVE}, {"Faster discharge letters"}),
    (lambda p: {"aligned_to": f"objective-{p['objective'].pk}"}, {"Safer evenings"}),
    (lambda p: {"aligned_to": f"priority-{p['priority'].pk}"}, {"Calmer mornings"}),
    (lambda p: {"aligned_to": "none"}, {"Faster discharge letters"}),
    (lambda p: {"involvement": Involvement.FULL}, {"Safer evenings"}),
    (lambda p: {"coach": p["unaligned"].coach_id}, {"Faster discharge letters"}),
    (lambda p: {"q": "breakfast"}, {"Calmer mornings"}),
    (lambda p: {"q": "DISCHARGE letters"}, {"Faster discharge letters"}),
    (lambda p: {"q": "violence"}, {"Safer evenings", "Calmer mornings", "Faster discharge letters"}),
], ids=["directorate", "team", "status", "objective", "priority", "not-aligned", "involvement", "coach",
        "search-problem", "search-title", "search-aim"])
def test_each_filter_narrows_the_list(client, staff, portfolio, params, expected):
    client.force_login(staff)
    response = client.get(reverse("projects:list"), params(portfolio))
    assert response.status_code == 200 and titles(response) == expected
    assert "match" in response.content.decode()


def test_not_aligned_is_offered_as_a_legitimate_value(client, staff, portfolio):
    client.force_login(staff)
    response = client.get(reverse("projects:list"), {"aligned_to": "none"})
    html = response.content.decode()
    assert '<option value="none" selected>Not aligned</option>' in html
    assert "is-invalid" not in html and "Not aligned</span>" in html


def test_an_unknown_filter_value_is_shown_beside_its_field_not_as_a_crash(client, staff, portfolio):
    client.force_login(staff)
    response = client.get(reverse("projects:list"), {"status": "nonsense"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()


def test_pagination_keeps_the_filters_in_the_page_links(client, staff, ward):
    for n in range(30):
        ProjectFactory(team=ward, title=f"Safer nights {n}", status=ProjectStatus.SUBMITTED)
    ProjectFactory(team=ward, title="Something else", status=ProjectStatus.SUBMITTED)
    client.force_login(staff)
    first = client.get(reverse("projects:list"), {"q": "nights", "team": ward.pk})
    assert len(first.context["page"]) == 25 and first.context["page"].paginator.count == 30
    html = first.content.decode()
    assert f"?q=nights&amp;team={ward.pk}&amp;page=2" in html
    second = client.get(reverse("projects:list"), {"q": "nights", "team": ward.pk, "page": 2})
    assert len(second.context["page"]) == 5
    assert "page=2&amp;page" not in second.content.decode()


def _grow(n: int, coach, sponsor) -> None:
    objectives = [ObjectiveFactory() for _ in range(2)]
    for _ in range(n):
        team = TeamFactory()
        project = ProjectFactory(team=team, status=ProjectStatus.SUBMITTED, coach=coach, sponsor=sponsor)
        project.objectives.set(objectives)
        project.priorities.add(AnnualPriority.objects.create(year=2026, name=f"Priority {project.pk}"))
        UserFactory(team=team, roles=[Role.STAFF, Role.COACH])


def test_list_query_count_does_not_grow_with_projects(client, staff, coach, sponsor, django_assert_max_num_queries):
    client.force_login(staff)
    _grow(2, coach, sponsor)
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("projects:list"), {"status": "submitted"}).status_code == 200
    _grow(20, coach, sponsor)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("projects:list"), {"status": "submitted"})
    assert len(response.context["page"]) == 22 and Project.objects.count() == 22


def _options(html: str, name: str) -> list[str]:
    import re

    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_team_and_coach_options_are_those_of_one_directorate(client, staff, ward, other_ward, coach):
    """The filter form must not list every team and coach in the trust (7,500 and 3,800 at scale 250)."""
    client.force_login(staff)
    html = client.get(reverse("projects:list")).content.decode()
    assert _options(html, "team") == ["Choose a directorate first"]
    assert _options(html, "coach") == ["Any coach"]
    html = client.get(reverse("projects:list"), {"directorate": ward.directorate_id}).content.decode()
    assert ward.name in _options(html, "team") and other_ward.name not in _options(html, "team")
    assert coach.name in _options(html, "coach")
    html = client.get(reverse("projects:list"), {"directorate": other_ward.directorate_id}).content.decode()
    assert coach.name not in _options(html, "coach") and ward.name not in _options(html, "team")


def test_a_team_or_coach_from_a_link_still_filters_and_stays_selected(client, staff, portfolio):
    """A link such as /projects/?team=12 (no directorate) filters and shows that team selected."""
    client.force_login(staff)
    team = portfolio["aligned"].team
    response = client.get(reverse("projects:list"), {"team": team.pk})
    assert titles(response) == {"Safer evenings", "Faster discharge letters"}
    assert f'<option value="{team.pk}" selected>{team.name}</option>' in response.content.decode()
    coach = portfolio["unaligned"].coach
    response = client.get(reverse("projects:list"), {"coach": coach.pk})
    assert titles(response) == {"Faster discharge letters"}
    assert f'<option value="{coach.pk}" selected>' in response.content.decode()


def test_an_unknown_team_is_a_message_not_an_error(client, staff, portfolio):
    client.force_login(staff)
    response = client.get(reverse("projects:list"), {"team": "999999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # With another filter beside the one in error, the total is that of the rows shown, not of the portfolio.
    response = client.get(reverse("projects:list"), {"team": "999999", "status": ProjectStatus.ACTIVE})
    assert titles(response) == {"Faster discharge letters"}
    assert response.context["page"].paginator.count == 1


def test_a_large_trust_offers_a_few_directorates_and_a_search(client, staff, ward, other_ward):
    """Up to LISTED_DIRECTORATES every directorate is listed; beyond, the page stays the same size: the
    person's own directorate, the chosen one, and a search box (1,250 directorates at scale 250)."""
    from organisation import directory
    from organisation.models import Directorate

    client.force_login(staff)
    listed = _options(client.get(reverse("projects:list")).content.decode(), "directorate")
    assert listed == ["Any directorate", *sorted(Directorate.objects.values_list("name", flat=True))]

    for n in range(directory.LISTED_DIRECTORATES):
        Directorate.objects.create(name=f"Extra directorate {n:03}", slug=f"extra-{n:03}")
    html = client.get(reverse("projects:list")).content.decode()
    assert _options(html, "directorate") == ["Any directorate", staff.directorate.name]
    assert reverse("organisation:directorate_search") in html and "Find a directorate by name" in html

    far = Directorate.objects.get(name="Extra directorate 007")
    html = client.get(reverse("projects:list"), {"directorate": far.pk}).content.decode()
    assert f'<option value="{far.pk}" selected>{far.name}</option>' in html
    assert len(_options(html, "directorate")) == 3
    for junk in ("abc", "1.5", "999999"):  # a mistyped link is an error beside the field, never a 500
        response = client.get(reverse("projects:list"), {"directorate": junk})
        assert response.status_code == 200 and "Select a valid choice" in response.text

    found = client.get(reverse("organisation:directorate_search"), {"q": "extra 00"}).json()["results"]
    assert [r["label"] for r in found] == [f"Extra directorate {n:03}" for n in range(10)]
    assert client.get(reverse("organisation:directorate_search"), {"q": "e"}).json() == {"results": []}
    assert len(client.get(reverse("organisation:directorate_search"), {"q": "extra"}).json()["results"]) == 20


def test_without_scripts_the_directorate_search_box_still_finds(client, staff, ward):
    """A large trust's directorate filter is a picker; with scripts off the typed words come with the form:
    one match is taken as the choice, several are offered in the select, none says so. Typed text is escaped."""
    from organisation import directory
    from organisation.models import Directorate

    for n in range(directory.LISTED_DIRECTORATES):
        Directorate.objects.create(name=f"Extra directorate {n:03}", slug=f"extra-{n:03}")
    only = Directorate.objects.create(name="Forensic Services", slug="forensic")
    project = ProjectFactory(team=TeamFactory(directorate=only), status=ProjectStatus.SUBMITTED, title="Safer leave")
    client.force_login(staff)

    response = client.get(reverse("projects:list"), {"find_directorate": "forensic"})
    assert titles(response) == {project.title}
    assert f'<option value="{only.pk}" selected>Forensic Services</option>' in response.text

    html = client.get(reverse("projects:list"), {"find_directorate": "extra 01"}).text
    assert "11 directorates match “extra 01”: choose one and press Filter." in html  # 001, 010-019
    assert "Extra directorate 015</option>" in html and 'name="find_directorate" value="extra 01"' in html

    html = client.get(reverse("projects:list"), {"find_directorate": "<b>nowhere</b>"}).text
    assert "No directorate matches “&lt;b&gt;nowhere&lt;/b&gt;”." in html and "<b>nowhere" not in html
