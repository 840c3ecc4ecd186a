"""Output shapes of GET /api/v1/stats/ (read-only; the field names are a public contract)."""

from rest_framework import serializers

from insight.choices import DealScope, ImpactMethod, ListingKind


class IndustryCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    technologies = serializers.IntegerField()
    needs = serializers.IntegerField()


class CategoryCountSerializer(IndustryCountSerializer):
    industry_code = serializers.CharField()


class RegionCountSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="ISO 3166-2 province (CN-JS) or country code.")
    label = serializers.CharField()
    technologies = serializers.IntegerField()
    needs = serializers.IntegerField()


class ListingsSerializer(serializers.Serializer):
    technologies = serializers.IntegerField(help_text="Published technologies.")
    needs = serializers.IntegerField(help_text="Published needs, including those in negotiation.")
    needs_without_category = serializers.IntegerField()
    by_industry = IndustryCountSerializer(many=True)
    by_category = CategoryCountSerializer(many=True)
    by_region = RegionCountSerializer(many=True)


class StageCountSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ScopeCountSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=DealScope.choices)
    label = serializers.CharField()
    deals = serializers.IntegerField()
    signed = serializers.IntegerField(help_text="Contract signed, in execution or completed.")


class MonthlyValueSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (Asia/Shanghai).")
    currency = serializers.CharField()
    deals = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)


class ConversionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ListingKind.choices)
    label = serializers.CharField()
    listed = serializers.IntegerField(help_text="Listings ever published.")
    converted = serializers.IntegerField(help_text="Of those, listings with a signed deal.")
    percent = serializers.FloatField(allow_null=True)


class ImpactFigureSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ImpactMethod.choices)
    method_label = serializers.CharField()
    deals = serializers.IntegerField()
    tonnes = serializers.DecimalField(max_digits=16, decimal_places=1)


class ImpactCategorySerializer(ImpactFigureSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ImpactRegionSerializer(ImpactFigureSerializer):
    region = serializers.CharField()
    label = serializers.CharField()


class ImpactDefaultsSerializer(serializers.Serializer):
    deployments = serializers.IntegerField()
    years = serializers.DecimalField(max_digits=5, decimal_places=2)


class GreenImpactSerializer(serializers.Serializer):
    total_tonnes = serializers.DecimalField(max_digits=16, decimal_places=1)
    completed_deals = serializers.IntegerField()
    defaults = ImpactDefaultsSerializer()
    total = ImpactFigureSerializer(many=True)
    by_category = ImpactCategorySerializer(many=True)
    by_region = ImpactRegionSerializer(many=True)


class SdgSerializer(serializers.Serializer):
    goal = serializers.IntegerField()
    label = serializers.CharField()
    technologies = serializers.IntegerField()
    completed_deals = serializers.IntegerField()
    tonnes = serializers.DecimalField(max_digits=16, decimal_places=1)


class StatisticsSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    as_of = serializers.DateTimeField(help_text="When the summary tables were computed.")
    listings = ListingsSerializer()
    deals_by_stage = StageCountSerializer(many=True)
    deal_scope = ScopeCountSerializer(many=True)
    completed_value_by_month = MonthlyValueSerializer(many=True)
    conversion = ConversionSerializer(many=True)
    green_impact = GreenImpactSerializer()
    sdg_coverage = SdgSerializer(many=True)


class FreshnessFiguresSerializer(serializers.Serializer):
    technologies = serializers.IntegerField(help_text="Published technologies.")
    outdated_technologies = serializers.IntegerField(
        help_text="Published technologies past their `valid_until`."
    )
    needs = serializers.IntegerField(help_text="Published needs, including those in negotiation.")
    outdated_needs = serializers.IntegerField(help_text="Of those, past their `valid_until`.")
    entries = serializers.IntegerField(help_text="Technologies and needs together.")
    outdated = serializers.IntegerField()
    outdated_share = serializers.FloatField(help_text="outdated / entries, 0 to 1.")


class OrganizationFreshnessSerializer(FreshnessFiguresSerializer):
    organization = serializers.IntegerField(help_text="The organisation's id.")
    organization_name = serializers.CharField()
    technologies_url = serializers.CharField(help_text="Its outdated technologies (page).")
    needs_url = serializers.CharField(help_text="Its outdated needs (page).")


class FreshnessSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="The day counted (Asia/Shanghai).")
    totals = FreshnessFiguresSerializer()
    organizations = OrganizationFreshnessSerializer(
        many=True, help_text="Largest outdated share first, at most 100 organisations."
    )
