"""Django's own "how long ago" strings (django.utils.timesince, used by the workspace's "oldest
waiting for ..." and every timesince/naturaltime), declared again so that scripts/i18n.py
extracts them into the project catalogue (locale/), which wins over Django's: Django's Thai
catalogue still has the older "%d minute" msgids, and Thai pages read "34 minutes" in English.
Imported by nothing: the msgids must stay exactly Django's (django/utils/timesince.py)."""

from django.utils.translation import ngettext_lazy

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}
