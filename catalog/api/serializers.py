from rest_framework import serializers

from catalog.models import Category


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "parent", "level", "name", "name_zh", "name_en"]
