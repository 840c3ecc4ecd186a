from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def english_fallback_for_other_languages() -> None:
    """A msgid that no catalogue of the active language translates reads in English (the msgid),
    not in the site's default language. Django gives every language but English a fallback to
    LANGUAGE_CODE: with Chinese the default, a Thai page showed Chinese wherever Django's own Thai
    catalogue (76 % complete) or a third-party one (django-countries has no Thai) had a gap.
    Only Chinese variants keep the fallback to the default."""
    from django.utils.translation import trans_real

    add_fallback = trans_real.DjangoTranslation._add_fallback
    if getattr(add_fallback, "english_for_others", False):
        return

    def _add_fallback(self, localedirs=None):
        if self.language().lower().startswith("zh"):
            add_fallback(self, localedirs)

    _add_fallback.english_for_others = True
    trans_real.DjangoTranslation._add_fallback = _add_fallback


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform core")

    def ready(self):
        english_fallback_for_other_languages()
