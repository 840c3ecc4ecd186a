import factory
from factory.django import DjangoModelFactory

from accounts.choices import MembershipRole, OrganizationType, VerificationStatus
from accounts.models import Membership, Organization, User
from core.validators import credit_code_check_character

PASSWORD = "Str0ng-test-pass!"


def api_token_for(user, *, device: str = "tests") -> str:
    """A new API token (knox) for the user; the key to send as `Authorization: Token <key>`."""
    from accounts.tokens.services import api_token_create

    return api_token_create(user=user, name=device)[1]


def valid_credit_code(number: int) -> str:
    body = f"91{number:015d}"
    return body + credit_code_check_character(body)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    # Unique names: two organisations named alike are an impersonation clash (accounts).
    name_zh = factory.Sequence(
        lambda n: f"{factory.Faker._get_faker(locale='zh_CN').company()}·{n}"
    )
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganizationType.ENTERPRISE
    region = "CN-JS"
    credit_code = factory.Sequence(lambda n: valid_credit_code(1000 + n))
    verification_status = VerificationStatus.VERIFIED


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name", locale="zh_CN")
    roles = factory.LazyFunction(list)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def organization(self, create, extracted, **kwargs):
        if extracted is not None:
            Membership.objects.create(user=self, organization=extracted, role=MembershipRole.OWNER)
        self.save()
