"""core.i18n.bilingual: the reader's language, the other one when it is empty."""

from django.utils import translation

from core.i18n import bilingual


class Listing:
    title = bilingual("title")

    def __init__(self, title_zh: str, title_en: str):
        self.title_zh = title_zh
        self.title_en = title_en


def test_each_reader_gets_their_language_and_the_other_when_it_is_missing():
    both = Listing("光伏组件回收", "PV module recycling")
    chinese_only = Listing("光伏组件回收", "")
    with translation.override("en"):
        assert both.title == "PV module recycling"
        assert chinese_only.title == "光伏组件回收"
    with translation.override("zh-hans"):
        assert both.title == "光伏组件回收"
        assert Listing("", "PV module recycling").title == "PV module recycling"
