import datetime as dt

import pytest

from measures.models import ChartType, Improvement
from organisation.models import AnnualPriority, Role
from programmes import services
from programmes.models import Stage
from tests.factories import CoachProfileFactory, TeamFactory, UserFactory


@pytest.fixture
def exec_sponsor(ward):
    return UserFactory(username="execsponsor", display_name="Dana Chief", team=ward, roles=[Role.STAFF, Role.BOARD])


@pytest.fixture
def priority(db):
    return AnnualPriority.objects.create(year=2026, name="Reducing restrictive practice", large_scale_programme=True)


def make_programme(*, lead, sponsors=(), **kwargs):
    fields = {"title": "Violence reduction collaborative", "topic": "reducing violence and aggression",
              "problem": "Assaults on our wards have risen.", "baseline": "About 9 incidents per 1,000 bed days.",
              "aim": "Halve incidents per 1,000 occupied bed days by March 2028", "planned_teams": 12, **kwargs}
    return services.create_programme(by=lead, lead=lead, sponsors=sponsors, **fields)


def design_ready(programme, by):
    """Everything the design stage's checklist asks for."""
    primary = services.add_driver(programme, text="Predictable ward routines")
    secondary = services.add_driver(programme, text="Daily safety huddle", parent=primary)
    services.add_package_idea(programme, title="Safety huddles", drivers=[secondary])
    services.add_package_idea(programme, title="Safety crosses")
    services.add_template(programme, name="Incidents per 1,000 occupied bed days",
                          definition="Violent incidents reported, per 1,000 occupied bed days.",
                          chart_type=ChartType.U, numerator="Incidents", denominator="Occupied bed days",
                          improvement=Improvement.DECREASE, multiplier=1000, unit="per 1,000 bed days",
                          counts_events=True)
    services.schedule_session(programme, date=dt.date.today() - dt.timedelta(days=1))
    services.add_wave(programme, starts_on=dt.date.today())


@pytest.fixture
def programme(qiadmin, exec_sponsor):
    return make_programme(lead=qiadmin, sponsors=[exec_sponsor])


@pytest.fixture
def recruiting(programme, qiadmin):
    services.move_stage(programme, Stage.DESIGN, by=qiadmin)
    design_ready(programme, qiadmin)
    services.move_stage(programme, Stage.RECRUIT, by=qiadmin)
    return programme


@pytest.fixture
def coach_pool(ia, directorate):
    def make(n=1):
        coaches = []
        for i in range(n):
            user = UserFactory(username=f"pcoach{i}", roles=[Role.STAFF, Role.COACH])
            CoachProfileFactory(user=user, max_teams=2, supervisor=ia)
            coaches.append(user)
        return coaches
    return make


@pytest.fixture
def enrol_team(recruiting, qiadmin, sponsor, coach, directorate):
    def enrol(team=None, **kwargs):
        team = team or TeamFactory(directorate=directorate)
        args = {"coach": coach, "sponsor": sponsor, "wave": recruiting.waves.first(), "override_reason": "programme"}
        args.update(kwargs)
        return services.enrol(recruiting, team=team, by=qiadmin, **args)
    return enrol
