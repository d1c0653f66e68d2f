"""factory_boy factories for staff, cases and referrals."""

import factory
from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from referrals.models import Case, Referral
from services.models import Membership, Organisation, Service


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"ansatt{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    first_name = "Test"

    @factory.post_generation
    def password(self, create, value, **kwargs):
        self.set_password(value or "correct horse battery staple")
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organisation = factory.LazyFunction(lambda: Organisation.objects.get(slug="oslo-kommune"))
    role = Membership.Role.CASEWORKER

    @factory.post_generation
    def services(self, create, slugs, **kwargs):
        if create and slugs:
            self.services.set(Service.objects.filter(slug__in=slugs))


def staff(username, org_slug, services=(), role=Membership.Role.CASEWORKER):
    return MembershipFactory(
        user=UserFactory(username=username),
        organisation=Organisation.objects.get(slug=org_slug),
        role=role,
        services=list(services),
    ).user


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    organisation = factory.LazyAttribute(lambda c: c.created_by.membership.organisation)
    person_name = "Kari Nordmann"
    birth_year = 1985
    may_call = True
    safe_times = "Etter klokka 16"
    legal_basis = Case.LegalBasis.CONSENT
    consent_date = factory.Faker("date_this_year")
    consent_given_by = "Personen selv"
    consent_scope = "Henvisning til krisehjelp"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    service = factory.LazyFunction(
        lambda: Service.objects.get(slug="demo-sortland-voldskoordinator")
    )
    created_by = factory.LazyAttribute(lambda r: r.case.created_by)
    reason = "Utsatt for vold fra tidligere partner"
    request = "Samtale og sikkerhetsplan"


def login(client, user):
    """Log the client in with a verified second factor, as after a TOTP login."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
