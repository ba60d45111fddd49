"""Factories of tenancy objects; every chain stays inside one agency."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from agency.models import Agency, Client, GraphWrite, GraphWriteState, Membership
from agency.roles import Role
from agency.tenancy import agency_scope


class UnscopedFactory(factory.django.DjangoModelFactory):
    """Tenant-owned rows are created through the named bypass, whatever scope a test is in."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.objects.unscoped()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("pw-for-tests-1")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class ClientFactory(UnscopedFactory):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Client {n}")


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER

    @factory.post_generation
    def clients(self, create, extracted, **kwargs):
        if create and extracted:
            with agency_scope(self.agency_id):
                self.clients.set(extracted)


class GraphWriteFactory(UnscopedFactory):
    """A settled exactly-once write (the ledger of agency.writes)."""

    class Meta:
        model = GraphWrite

    agency = factory.SubFactory(AgencyFactory)
    key = factory.Sequence(lambda n: f"write-{n:04d}")
    kind = "campaign"
    edge = "act_1/campaigns"
    payload = factory.LazyAttribute(lambda o: {"name": f"Campaign [{o.key}]"})
    state = GraphWriteState.DONE
    graph_id = factory.Sequence(lambda n: f"{120000 + n}")
    attempts = 1
