from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from catalog.api.serializers import CategorySerializer
from catalog.filtersets import CategoryFilterSet
from catalog.models import Category


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The green-industry taxonomy: six industries and their second-level groups."""

    queryset = Category.objects.select_related("parent")
    serializer_class = CategorySerializer
    filterset_class = CategoryFilterSet
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
    pagination_class = None
