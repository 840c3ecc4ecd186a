"""The role-aware workspace navigation. Apps register their entries here as their pages land."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavigationEntry:
    label: str
    url_name: str
    roles: frozenset[str]  # empty: every signed-in user


ENTRIES: list[NavigationEntry] = [
    NavigationEntry(_("Workspace"), "accounts:workspace", frozenset()),
    NavigationEntry(_("My technologies"), "catalog:my_technologies", frozenset({"holder"})),
    NavigationEntry(_("My needs"), "exchange:my_needs", frozenset({"enterprise"})),
    NavigationEntry(_("Deals"), "exchange:deal_list", frozenset()),
    NavigationEntry(_("Leads"), "matching:lead_board", frozenset({"broker"})),
    NavigationEntry(_("My funnel"), "insight:broker_funnel", frozenset({"broker"})),
    NavigationEntry(
        _("Financing"), "finance:workspace", frozenset({"financier", "enterprise", "holder"})
    ),
    NavigationEntry(_("Review queue"), "accounts:review_queue", frozenset({"reviewer", "admin"})),
    NavigationEntry(_("Review desk"), "insight:review_desk", frozenset({"reviewer", "admin"})),
    NavigationEntry(_("Evaluations"), "programmes:evaluation_list", frozenset()),
    NavigationEntry(_("Programmes"), "programmes:programme_list", frozenset()),
    NavigationEntry(_("My favourites"), "catalog:favourite_list", frozenset()),
    NavigationEntry(_("Contract records"), "registry:record_list", frozenset()),
]


PRIMARY_ENTRIES = 3


def navigation_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    roles = set(user.roles or [])
    entries = []
    primary = 0
    for entry in ENTRIES:
        if entry.roles and not entry.roles & roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            # The page belongs to a feature that has not landed yet.
            continue
        entries.append({"label": entry.label, "url": url, "url_name": entry.url_name})
        # The first few pages of the user's own roles stay in the bar; the rest go into the
        # "My work" menu, so the bar fits 1280 px in English whatever roles are held.
        entries[-1]["primary"] = bool(entry.roles) and primary < PRIMARY_ENTRIES
        primary += entries[-1]["primary"]
    return entries
