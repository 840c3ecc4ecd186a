"""Words the site shares with third-party catalogues, restated in the project catalogue.

Django merges the catalogues of every installed app, and an app listed earlier in
INSTALLED_APPS wins over a later one; the project catalogue (LOCALE_PATHS, `locale/`) wins over
all. django.contrib.admin, auth, allauth, DRF and django-filter come before our apps, so their
translation of a word we also use hid ours (admin's "Filter" read 过滤器 on our search pages).
Marking the words here keeps them in `locale/` when `scripts/i18n.py extract root` refreshes it;
their Chinese is the one the apps' catalogues use (tests/foundations/test_catalogue_conflicts.py).
"""

from django.utils.translation import gettext_noop, ngettext

THIRD_PARTY_WORDINGS = (
    gettext_noop("Add"),
    gettext_noop("Changed:"),
    gettext_noop("Confidential"),
    gettext_noop("created"),
    gettext_noop("date joined"),
    gettext_noop("email address"),
    gettext_noop("Filter"),
    gettext_noop("History"),
    gettext_noop("Invalid token."),
    gettext_noop("Note"),
    gettext_noop("staff status"),
    gettext_noop("Summary"),
    gettext_noop("This field is required."),
    gettext_noop("verified"),
    gettext_noop("Verified"),
)


def django_messages_its_chinese_catalogue_lacks(count: int) -> str:  # pragma: no cover
    """Django 5.2 changed this message's placeholder (%(min_length)d became %d) and its zh_Hans
    catalogue still has only the old text, so Chinese pages said "This password is too short"
    in English. Never called: it marks the message for the project catalogue."""
    return ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        count,
    )
