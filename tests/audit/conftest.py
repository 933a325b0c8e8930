import pytest

from projects.models import MemberRole, ProjectMember
from tests.factories import UserFactory
from tests.workflow import approved_project


@pytest.fixture
def project(staff, chair, coach, sponsor, ward):
    """An ACTIVE project led by `staff`, approved through the real forum decision."""
    return approved_project(chair=chair, coach=coach, sponsor=sponsor, lead=staff, team=ward,
                            title="Reducing violence and aggression on Willow Ward")


@pytest.fixture
def member(project, ward):
    """A team member who is not the lead."""
    from organisation.models import Role

    person = UserFactory(username="teammate", team=ward, roles=[Role.STAFF])
    ProjectMember.objects.create(project=project, person=person, role=MemberRole.MEMBER, joined_on=project.approved_on)
    return person

