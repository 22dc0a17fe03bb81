"""factory_boy factories for every persona and model used by the tests."""

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
