"""Output shapes of GET /api/v1/stats/ (read-only; the field names are a public contract)."""

from rest_framework import serializers

from core.reasons import TurnDownReason
from exchange.crossborder import TradeDirection
from insight.choices import DealScope, FunnelPeriod, FunnelStep, ImpactMethod, ListingKind


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


class DirectionCountSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=TradeDirection.choices)
    label = serializers.CharField()
    deals = serializers.IntegerField()
    signed = serializers.IntegerField(help_text="Deals whose contract has been signed.")


class MonthlyValueSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM (Asia/Shanghai).")
    currency = serializers.CharField()
    deals = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)
    value_cny = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        allow_null=True,
        help_text="The value in yuan: signed deals at the rate fixed at signing, others at the "
        "rate of their completion day; null when none of them could be converted.",
    )
    left_out = serializers.IntegerField(
        help_text="Deals left out of value_cny for want of an exchange rate."
    )


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


class FunnelStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=FunnelStep.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()
    conversion_percent = serializers.FloatField(
        allow_null=True, help_text="From the step before (null for the first step)."
    )
    median_days = serializers.FloatField(allow_null=True, help_text="From the step before.")


class FunnelTransitionSerializer(serializers.Serializer):
    from_step = serializers.ChoiceField(choices=FunnelStep.choices)
    to_step = serializers.ChoiceField(choices=FunnelStep.choices)
    label = serializers.CharField()
    conversion_percent = serializers.FloatField(
        allow_null=True, help_text="Count of the next step / count of this step × 100."
    )
    median_days = serializers.FloatField(
        allow_null=True,
        help_text="Median days from this step to the next, over the items that made both.",
    )


class FunnelFiguresSerializer(serializers.Serializer):
    steps = FunnelStepSerializer(many=True)
    transitions = FunnelTransitionSerializer(many=True)


class FunnelPeriodSerializer(FunnelFiguresSerializer):
    period_start = serializers.DateField(help_text="First day of the period (Asia/Shanghai).")
    label = serializers.CharField()


class FunnelIndustrySerializer(FunnelFiguresSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FunnelSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=FunnelPeriod.choices)
    period_label = serializers.CharField()
    industry = serializers.CharField(help_text="Industry code filtered on; empty for all.")
    industry_name = serializers.CharField()
    scope = serializers.ChoiceField(
        choices=[("platform", "platform"), ("mine", "mine")],
        help_text="`mine`: the requesting broker's introductions and deals only.",
    )
    total = FunnelFiguresSerializer(help_text="All time.")
    periods = FunnelPeriodSerializer(many=True, help_text="Newest first.")
    by_industry = FunnelIndustrySerializer(
        many=True, help_text="All-time funnel of each industry (when no industry is chosen)."
    )


class EfficiencyIndustrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active_needs = serializers.IntegerField()
    needs_with_strong_match = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class MatchingEfficiencySerializer(serializers.Serializer):
    strong_score = serializers.FloatField(
        allow_null=True, help_text="The score from which a match counts as strong."
    )
    definition = serializers.CharField()
    active_needs = serializers.IntegerField()
    needs_with_strong_match = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    by_industry = EfficiencyIndustrySerializer(many=True)


class TurnDownReasonCountSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=TurnDownReason.choices)
    label = serializers.CharField()
    proposal = serializers.IntegerField(help_text="Declined proposals.")
    financing_application = serializers.IntegerField(help_text="Rejected applications.")
    challenge_entry = serializers.IntegerField(help_text="Challenge entries not chosen.")
    total = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    as_of = serializers.DateTimeField(help_text="When the summary tables were computed.")
    listings = ListingsSerializer()
    deals_by_stage = StageCountSerializer(many=True)
    deal_scope = ScopeCountSerializer(many=True)
    deal_direction = DirectionCountSerializer(
        many=True,
        help_text="Cross-border deals by direction from China's side: technology export, "
        "import, and deals between two other countries.",
    )
    completed_value_by_month = MonthlyValueSerializer(many=True)
    conversion = ConversionSerializer(many=True)
    green_impact = GreenImpactSerializer()
    sdg_coverage = SdgSerializer(many=True)
    funnel = FunnelSerializer(help_text="The platform's matching funnel by quarter.")
    matching_efficiency = MatchingEfficiencySerializer()
    turn_down_reasons = TurnDownReasonCountSerializer(many=True)


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
