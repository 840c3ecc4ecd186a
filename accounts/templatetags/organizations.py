"""Organisation names as people should see them: always with their verification mark, so an
unverified organisation named like a verified one cannot pass for it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.choices import VerificationStatus
from accounts.permissions import is_reviewer
from accounts.selectors import organization_name_clashes

register = template.Library()

VERIFICATION_BADGE_CLASSES = {
    VerificationStatus.VERIFIED: "text-bg-success",
    VerificationStatus.PENDING: "text-bg-warning",
    VerificationStatus.REJECTED: "text-bg-danger",
}


@register.filter
def verification_badge_class(organization) -> str:
    """The badge colour of an organisation's verification status."""
    return VERIFICATION_BADGE_CLASSES.get(organization.verification_status, "text-bg-secondary")


@register.simple_tag
def organization_name(organization, link: bool = False):
    """`{% organization_name org %}`: the name and a verified / not-verified mark.
    `link=True` links a verified organisation's name to its public page."""
    if organization is None:
        return ""
    name = organization.display_name
    if organization.verified:
        if link:
            name = format_html(
                '<a href="{}">{}</a>',
                reverse("accounts:organization_detail", args=[organization.pk]),
                name,
            )
        return format_html(
            '<span class="organization-name">{} <span class="badge rounded-pill '
            'text-bg-success verification-mark" data-testid="verification-mark" '
            'data-verified="true" title="{}">✓ {}</span></span>',
            name,
            _("The platform has verified this organisation's identity."),
            pgettext("verification mark", "Verified"),
        )
    return format_html(
        '<span class="organization-name">{} <span class="badge rounded-pill text-bg-light '
        'border text-body-secondary verification-mark" data-testid="verification-mark" '
        'data-verified="false" title="{}">{}</span></span>',
        name,
        _("The platform has not verified this organisation's identity."),
        pgettext("verification mark", "Not verified"),
    )


@register.simple_tag(takes_context=True)
def organization_clash_warning(context, organization):
    """For reviewers: a warning when an unverified organisation is named like a verified one.
    Free for verified organisations (no query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if organization is None or organization.verified or not is_reviewer(user=user):
        return ""
    clashes = list(organization_name_clashes(organization=organization)[:5])
    if not clashes:
        return ""
    return format_html(
        '<div class="alert alert-danger py-2 small mb-2" role="alert" '
        'data-testid="name-clash">{} {}</div>',
        _(
            "Possible impersonation: this unverified organisation has the same name as a "
            "verified one:"
        ),
        format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("accounts:organization_detail", args=[clash.pk]),
                    clash.display_name,
                    clash.region_label,
                )
                for clash in clashes
            ),
        ),
    )
