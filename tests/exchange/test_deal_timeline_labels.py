"""A deal's timeline reads as words: action and stage labels, field names, grouped money."""

import pytest
from django.utils import translation

from exchange.choices import DealAction, DealStage
from exchange.models import DealEvent

pytestmark = pytest.mark.django_db


def test_a_change_of_terms_names_the_fields_and_groups_the_money(make_deal, enterprise):
    # given a deal whose price and type were changed
    deal = make_deal(stage=DealStage.NEGOTIATION)
    event = DealEvent.objects.create(
        deal=deal,
        actor=enterprise,
        action=DealAction.CHANGE,
        from_status=DealStage.NEGOTIATION,
        to_status=DealStage.NEGOTIATION,
        changes={
            "price": [None, "850000.00"],
            "deal_type": ["license", "transfer"],
            "no_such_column": [1, 2],
        },
    )
    # when a Chinese reader and an English reader look at it
    with translation.override("zh-hans"):
        chinese = event.changed_fields
        chinese_action = event.action_label
    with translation.override("en"):
        english = event.changed_fields
        english_stage = event.to_status_label
    # then they read labels and grouped figures, never the codes
    assert ("price", None, "850,000.00") in [(row[0].lower(), *row[1:]) for row in english]
    assert all("deal_type" not in str(row) and "license" not in str(row) for row in english)
    assert len(english) == 2  # an unknown column is left out, not shown by its code
    assert "850,000.00" in str(chinese)
    assert chinese_action != "change" and english_stage != "negotiation"


def test_chinese_readers_see_money_grouped_by_thousands():
    from django.contrib.humanize.templatetags.humanize import intcomma

    with translation.override("zh-hans"):
        assert intcomma(850000) == "850,000"
