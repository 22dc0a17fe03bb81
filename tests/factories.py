"""factory_boy factories for every persona and model used by the tests."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from retrowalk.roles import CLINICIANS, PATIENTS

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password(PASSWORD)


class ClinicianFactory(UserFactory):
    username = factory.Sequence(lambda n: f"clinician{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=CLINICIANS)[0])


class PatientUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"patientuser{n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=PATIENTS)[0])


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


def condition(code: str):
    """The shipped conditions come from the data migration."""
    from patients.models import Condition

    return Condition.objects.get(code=code)


class PatientFactory(factory.django.DjangoModelFactory):
    """A knee-OA patient by default; pass condition details for others."""

    class Meta:
        model = "patients.Patient"
        skip_postgeneration_save = True

    record_number = factory.Sequence(lambda n: f"MRN-{n:06d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=45, maximum_age=85)
    sex = "female"
    condition = factory.LazyFunction(lambda: condition("knee_oa"))
    comfortable_forward_speed_kmh = Decimal("4.0")
    affected_side = "right"
    kl_grade = 2

    @factory.post_generation
    def care_team(self, create, extracted, **kwargs):
        if create and extracted:
            self.care_team.add(*extracted)


def stroke_details(**overrides):
    from datetime import date

    return {
        "condition": condition("stroke"),
        "kl_grade": None,
        "affected_side": "left",
        "stroke_date": date(2025, 1, 10),
        "walking_aid": "cane",
        **overrides,
    }


def acl_details(**overrides):
    from datetime import date

    return {
        "condition": condition("acl_reconstruction"),
        "kl_grade": None,
        "affected_side": "left",
        "surgery_date": date(2026, 9, 1),
        "graft": "hamstring",
        "date_of_birth": date(2000, 5, 5),
        **overrides,
    }


def cp_details(**overrides):
    from datetime import date

    return {
        "condition": condition("cerebral_palsy"),
        "kl_grade": None,
        "affected_side": "both",
        "gmfcs_level": 2,
        "date_of_birth": date(2014, 3, 3),
        **overrides,
    }
