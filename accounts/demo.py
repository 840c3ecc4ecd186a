"""Demo organisations and one user per role (idempotent)."""

from django.db import transaction
from django.utils import timezone

from accounts.choices import (
    PRIVILEGED_ROLES,
    MembershipRole,
    OrganizationType,
    Role,
    RoleGrantStatus,
    VerificationStatus,
)
from accounts.models import Membership, Organization, RoleGrant, RoleGrantEvent, User
from core.validators import credit_code_check_character

DEMO_PASSWORD = "demo-pass-2026"


def demo_credit_code(seed: str) -> str:
    body = ("91" + seed.upper().rjust(15, "0"))[:17]
    return body + credit_code_check_character(body)


DEMO_ORGANIZATIONS = {
    "holder": dict(
        name_zh="江南环境工程大学",
        name_en="Jiangnan University of Environmental Engineering",
        kind=OrganizationType.UNIVERSITY,
        region="CN-JS",
        credit_code=demo_credit_code("320000001"),
        description="高校科技成果转化中心：水处理、固废资源化与低碳能源技术。",
    ),
    "enterprise": dict(
        name_zh="浙江绿源化工有限公司",
        name_en="Zhejiang Lvyuan Chemicals Co., Ltd.",
        kind=OrganizationType.ENTERPRISE,
        region="CN-ZJ",
        credit_code=demo_credit_code("330000002"),
        description="精细化工生产企业，关注废水、废气治理与节能改造。",
    ),
    "broker": dict(
        name_zh="京华技术转移服务中心",
        name_en="Jinghua Technology Transfer Centre",
        kind=OrganizationType.INTERMEDIARY,
        region="CN-BJ",
        credit_code=demo_credit_code("110000003"),
        description="专业技术经纪机构。",
    ),
    "financier": dict(
        name_zh="申城绿色发展银行",
        name_en="Shencheng Green Development Bank",
        kind=OrganizationType.FINANCIAL,
        region="CN-SH",
        credit_code=demo_credit_code("310000004"),
        description="绿色信贷、知识产权质押融资。",
    ),
    "operator": dict(
        name_zh="绿色技术交易平台运营中心",
        name_en="Green Technology Exchange Operations",
        kind=OrganizationType.OPERATOR,
        region="CN-GD",
        credit_code=demo_credit_code("440000005"),
        description="平台运营与审核。",
    ),
}

DEMO_USERS = [
    ("holder@demo.example", "李成果", [Role.HOLDER], "holder"),
    ("enterprise@demo.example", "王需求", [Role.ENTERPRISE], "enterprise"),
    ("broker@demo.example", "张经纪", [Role.BROKER], "broker"),
    ("financier@demo.example", "陈金融", [Role.FINANCIER], "financier"),
    ("reviewer@demo.example", "赵审核", [Role.REVIEWER], "operator"),
    ("admin@demo.example", "Admin", [Role.ADMIN, Role.REVIEWER], "operator"),
]


@transaction.atomic
def seed_accounts() -> dict[str, User]:
    organizations = {}
    for key, fields in DEMO_ORGANIZATIONS.items():
        organization, _ = Organization.objects.update_or_create(
            credit_code=fields["credit_code"],
            defaults={
                **fields,
                "verification_status": VerificationStatus.VERIFIED,
                "verified_at": timezone.now(),
            },
        )
        organizations[key] = organization
    users = {}
    for email, name, roles, organization_key in DEMO_USERS:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.full_name = name
        # Self-assignable roles directly; privileged ones through a grant below (the admin's
        # own rights come with the superuser account).
        direct = roles if Role.ADMIN in roles else [r for r in roles if r not in PRIVILEGED_ROLES]
        user.roles = sorted(set(user.roles) | set(direct))
        user.is_staff = user.is_superuser = Role.ADMIN in roles
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        Membership.objects.get_or_create(
            user=user,
            organization=organizations[organization_key],
            defaults={"role": MembershipRole.OWNER},
        )
        users[email.split("@")[0]] = user
    for email, _name, roles, organization_key in DEMO_USERS:
        if Role.ADMIN in roles:
            continue
        for role in roles:
            if role in PRIVILEGED_ROLES:
                demo_role_grant(
                    user=users[email.split("@")[0]],
                    role=role,
                    organization=organizations[organization_key],
                )
    return users


# Privileged demo roles are granted like everyone's: a granted RoleGrant, decided by the admin.
DEMO_CREDENTIALS = {
    Role.BROKER: "技术经纪人证书 BJ-JJR-2026-0001",
    Role.FINANCIER: "金融许可证 B0001H231000001",
}


def demo_role_grant(*, user: User, role: str, organization: Organization) -> RoleGrant:
    """A granted grant of `role` for `user` (idempotent), and the role in `user.roles`."""
    grant = (
        RoleGrant.objects.filter(user=user, role=role, status=RoleGrantStatus.GRANTED).first()
        or RoleGrant.objects.filter(user=user, role=role, status=RoleGrantStatus.REQUESTED).first()
    )
    admin = User.objects.filter(email="admin@demo.example").first()
    if grant is None or grant.status != RoleGrantStatus.GRANTED:
        grant = grant or RoleGrant(user=user, role=role, organization=organization)
        grant.organization = organization
        grant.status = RoleGrantStatus.GRANTED
        grant.credential_number = DEMO_CREDENTIALS.get(role, "")
        grant.note = "演示数据"
        grant.decided_by = admin
        grant.decided_at = timezone.now()
        grant.save()
        RoleGrantEvent.objects.create(
            grant=grant, actor=admin, action="grant", from_status="requested", to_status="granted"
        )
    if role not in user.roles:
        user.roles = sorted({*user.roles, role})
        user.save(update_fields=["roles"])
    return grant


def demo_member(
    email: str,
    name: str,
    organization: Organization | None,
    *,
    roles: list[str] | tuple[str, ...] = (),
    password: str = DEMO_PASSWORD,
    time_zone: str = "",
    language: str = "",
) -> User:
    """A demo user (idempotent: the demo password is put back if it was changed), an owner of
    `organization`, living in `time_zone` and reading `language` when given."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "roles": list(roles)}
    )
    if created or not user.check_password(password):
        user.set_password(password)
    user.time_zone = time_zone or user.time_zone
    user.preferred_language = language or user.preferred_language
    user.save()
    if organization is not None:
        Membership.objects.get_or_create(
            user=user, organization=organization, defaults={"role": MembershipRole.OWNER}
        )
    return user


def demo_logins() -> list[tuple[str, str]]:
    return [(email, DEMO_PASSWORD) for email, *_ in DEMO_USERS]


def seed() -> str:
    users = seed_accounts()
    return f"{len(users)} demo users, {len(DEMO_ORGANIZATIONS)} organisations"
