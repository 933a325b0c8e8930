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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="en_GB")
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
