import factory

from django.contrib.auth.models import Group

from portal.accounts.models import Team, User
from portal.accounts.roles import ROLES_BY_SLUG

TEST_PASSWORD = "correct-horse-battery-staple"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Locality team {n}")
    area = "Sunderland"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """``UserFactory(roles=["lead_professional"])`` puts the user in those role groups."""
        if extracted:
            for slug in extracted:
                group, _ = Group.objects.get_or_create(name=ROLES_BY_SLUG[slug].name)
                self.groups.add(group)
        if create:
            self.save()
