import pytest

from organisation.models import CoachProfile, Role, RoleAssignment, User
from sso import services
from sso.models import Identity, RoleGrant

from ..factories import UserFactory
from .conftest import ISSUER, claims

pytestmark = pytest.mark.django_db


def test_first_sign_in_creates_the_person_just_in_time(sso_settings):
    user = services.sign_in(ISSUER, claims())
    assert user.email == "ana.silva@trust.nhs.uk"
    assert user.display_name == "Ana Silva" and user.first_name == "Ana"
    assert not user.has_usable_password()
    identity = Identity.objects.get()
    assert (identity.issuer, identity.subject, identity.user, identity.created) == (ISSUER, "subject-1", user, True)


def test_second_sign_in_finds_the_same_person_by_subject_even_after_an_email_change(sso_settings):
    first = services.sign_in(ISSUER, claims())
    again = services.sign_in(ISSUER, claims(email="ana.silva2@trust.nhs.uk"))
    assert again == first
    assert User.objects.count() == 1


def test_first_sign_in_links_an_existing_account_by_verified_email_in_any_case(sso_settings, staff):
    staff.email = "Ana.Silva@Trust.NHS.uk"
    staff.save()
    assert services.sign_in(ISSUER, claims()) == staff
    assert Identity.objects.get().created is False


def test_an_unverified_email_is_refused_and_links_nothing(sso_settings, staff):
    staff.email = "ana.silva@trust.nhs.uk"
    staff.save()
    with pytest.raises(services.Refused, match="did not confirm your e-mail"):
        services.sign_in(ISSUER, claims(email_verified=False))
    assert not Identity.objects.exists()


def test_entra_id_without_email_verified_is_trusted_only_when_the_trust_says_so(sso_settings):
    entra = {"sub": "s", "preferred_username": "Ana.Silva@trust.nhs.uk", "name": "Ana Silva"}
    with pytest.raises(services.Refused):
        services.sign_in(ISSUER, entra)
    sso_settings.SSO_TRUST_PROVIDER_EMAIL = True
    assert services.sign_in(ISSUER, entra).email == "ana.silva@trust.nhs.uk"


def test_an_address_outside_the_allowed_domains_is_refused(sso_settings):
    with pytest.raises(services.Refused, match="not an address of this organisation"):
        services.sign_in(ISSUER, claims(email="ana@gmail.com"))
    assert not User.objects.exists()


def test_any_domain_is_allowed_when_no_domains_are_set(sso_settings):
    sso_settings.SSO_ALLOWED_EMAIL_DOMAINS = []
    assert services.sign_in(ISSUER, claims(email="ana@partner.org")).email == "ana@partner.org"


def test_a_disabled_account_cannot_sign_in(sso_settings):
    user = services.sign_in(ISSUER, claims())
    User.objects.filter(pk=user.pk).update(is_active=False)
    with pytest.raises(services.Refused, match="disabled"):
        services.sign_in(ISSUER, claims())


def test_a_disabled_account_is_not_linked_at_first_sign_in(sso_settings, staff):
    User.objects.filter(pk=staff.pk).update(is_active=False, email="ana.silva@trust.nhs.uk")
    with pytest.raises(services.Refused, match="disabled"):
        services.sign_in(ISSUER, claims())
    assert not Identity.objects.exists()


def test_a_removed_account_is_not_made_again_at_the_next_sign_in(sso_settings):
    services.sign_in(ISSUER, claims()).delete()
    with pytest.raises(services.Refused, match="removed"):
        services.sign_in(ISSUER, claims())
    assert not User.objects.exists()


def test_a_demo_persona_cannot_be_signed_into_outside_demo_mode(sso_settings, staff):
    User.objects.filter(pk=staff.pk).update(is_demo_persona=True, email="ana.silva@trust.nhs.uk")
    sso_settings.DEMO_MODE = False
    with pytest.raises(services.Refused, match="Demo"):
        services.sign_in(ISSUER, claims())


def test_no_account_is_made_when_just_in_time_creation_is_off(sso_settings):
    sso_settings.SSO_CREATE_USERS = False
    with pytest.raises(services.Refused, match="no QI Portal account"):
        services.sign_in(ISSUER, claims())


def test_an_account_linked_to_one_subject_is_not_handed_to_another(sso_settings):
    services.sign_in(ISSUER, claims())
    with pytest.raises(services.Refused, match="already linked"):
        services.sign_in(ISSUER, claims(sub="someone-else"))


def test_a_clashing_username_gets_a_suffix(sso_settings):
    UserFactory(username="ana.silva@trust.nhs.uk", email="other@trust.nhs.uk")
    assert services.sign_in(ISSUER, claims()).username == "ana.silva@trust.nhs.uk-2"


def test_groups_give_mapped_roles_and_take_back_only_those_they_gave(sso_settings):
    sso_settings.SSO_GROUP_ROLES = ["g-coaches=coach", "g-board=board", "g-staff=staff"]
    user = services.sign_in(ISSUER, claims(groups=["g-coaches", "g-staff", "unmapped"]))
    assert set(user.role_assignments.values_list("role", flat=True)) == {Role.COACH, Role.STAFF}
    assert CoachProfile.objects.filter(user=user).exists()
    RoleAssignment.objects.create(user=user, role=Role.BOARD)  # given by a QI admin, by hand

    services.sign_in(ISSUER, claims(groups=["g-staff"]))
    assert set(user.role_assignments.values_list("role", flat=True)) == {Role.STAFF, Role.BOARD}
    assert set(RoleGrant.objects.values_list("role", flat=True)) == {Role.STAFF}


def test_a_role_given_by_hand_is_not_taken_by_a_group_that_leaves(sso_settings, staff):
    sso_settings.SSO_GROUP_ROLES = ["g-staff=staff"]
    User.objects.filter(pk=staff.pk).update(email="ana.silva@trust.nhs.uk")
    services.sign_in(ISSUER, claims(groups=["g-staff"]))
    services.sign_in(ISSUER, claims(groups=[]))
    assert staff.role_assignments.filter(role=Role.STAFF).exists()


def test_people_to_ask_are_the_active_qi_admins(qiadmin, staff):
    UserFactory(username="gone", roles=[Role.QI_ADMIN], is_active=False)
    assert list(services.qi_admins_to_ask()) == [qiadmin]
