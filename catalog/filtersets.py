import django_filters
from django.utils.translation import gettext_lazy as _

from catalog.models import Category


class CategoryFilterSet(django_filters.FilterSet):
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent code"))
    top_level = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label=_("Industries only")
    )

    class Meta:
        model = Category
        fields = ["parent", "top_level"]
