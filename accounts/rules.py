"""Object permissions for templates and views (`rules`, autodiscovered): the same answers as
`accounts.permissions`, e.g. `{% has_perm "accounts.act_for_organization" user org as may %}`."""

import rules

from accounts import permissions


@rules.predicate
def is_organization_member(user, organization) -> bool:
    return permissions.is_member(user=user, organization=organization)


@rules.predicate
def is_platform_reviewer(user) -> bool:
    return permissions.is_reviewer(user=user)


rules.add_perm("accounts.act_for_organization", is_organization_member)
rules.add_perm("accounts.review", is_platform_reviewer)
rules.add_perm("accounts.view_organization_private", is_organization_member | is_platform_reviewer)
