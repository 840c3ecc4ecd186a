from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A green-industry category (绿色产业指导目录): an industry (level 1) or one of its groups."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "zh-hans").startswith("zh") else self.name_en

    @property
    def level(self) -> int:
        return self.code.count(".") + 1
