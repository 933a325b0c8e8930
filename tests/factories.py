import factory
from django.contrib.auth.hashers import make_password

from organisation.models import (
    CoachProfile,
    Directorate,
    DirectorateKind,
    Role,
    RoleAssignment,
    StrategicObjective,
    Team,
    TeamKind,
    User,
)

PASSWORD = "correct-horse-battery"
_HASH = make_password(PASSWORD)


class DirectorateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Directorate

    name = factory.Sequence(lambda n: f"Directorate {n}")
    slug = factory.Sequence(lambda n: f"directorate-{n}")
    kind = DirectorateKind.MENTAL_HEALTH


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    kind = TeamKind.WARD


class _PersonName(factory.Faker):
    """A random British name, its apostrophe typographic (O’Brien): tests look for names in pages, where
    Django rightly writes a straight one as &#x27;, so a random O'Brien made such a test fail now and then."""

    def __init__(self) -> None:
        super().__init__("name", locale="en_GB")

    def evaluate(self, instance, step, extra):
        return super().evaluate(instance, step, extra).replace("'", "’")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = _PersonName()
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    job_title = "Staff nurse"
    team = factory.SubFactory(TeamFactory)
    directorate = factory.LazyAttribute(lambda u: u.team.directorate if u.team else None)
    password = _HASH

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for item in extracted or ():
            role, directorate = item if isinstance(item, tuple) else (item, None)
            RoleAssignment.objects.create(user=self, role=role, directorate=directorate)


class CoachProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachProfile

    user = factory.SubFactory(UserFactory, roles=[Role.STAFF, Role.COACH])
    hours_per_week = 2
    max_teams = 2


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StrategicObjective

    name = factory.Sequence(lambda n: f"Objective {n}")
    strategy_period = "2024–2029"


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft idea by default; use the helpers in tests/workflow.py to move it on."""

    class Meta:
        model = "projects.Project"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Reducing violence on the ward {n}")
    team = factory.SubFactory(TeamFactory)
    lead = factory.SubFactory(UserFactory, team=factory.SelfAttribute("..team"), roles=[Role.STAFF])
    created_by = factory.SelfAttribute("lead")
    problem = "Incidents of violence and aggression have risen over the last six months."
    why_it_matters = "Staff and service users both told us they feel unsafe on the ward in the evenings."
    matters_to_staff = True
    matters_to_service_users = True
    aim_what = "Reduce incidents of physical violence on the ward"
    aim_how_much = "by 50%"
    aim_by_when = factory.LazyFunction(lambda: __import__("datetime").date(2027, 6, 30))
    condition_matters_most = True
    condition_team_agreed = True
    condition_whole_team = True

    @factory.post_generation
    def with_lead_member(self, create, extracted, **kwargs):
        from django.utils import timezone

        from projects.models import MemberRole, ProjectMember

        if create:
            ProjectMember.objects.get_or_create(project=self, person=self.lead,
                                                defaults={"role": MemberRole.LEAD, "joined_on": timezone.localdate()})
