"""Outdated technologies and needs (core.freshness) leave the matching and come back when
their owner confirms them."""

import datetime

import pytest
from django.utils import timezone, translation

from catalog import services as catalog_services
from catalog.models import Technology
from exchange import services as exchange_services
from exchange.models import Need
from matching import services
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.models import Match, MatchingRun
from matching.selectors import lead_board, matches_of_need, matches_of_technology

pytestmark = pytest.mark.django_db


def _run(subject: str, subject_id: int):
    run = services.matching_run_create(
        subject=subject, subject_id=subject_id, trigger=RunTrigger.MANUAL
    )
    return services.matching_run_execute(run_id=run.pk)


def _lapse(model, pk: int) -> None:
    model.objects.filter(pk=pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )


def test_an_outdated_technology_is_no_candidate_until_confirmed(
    leachate_need, leachate_technology, holder
):
    # given the leachate technology, outdated
    _lapse(Technology, leachate_technology.pk)
    # when the need is matched, then the technology is not among its matches
    assert _run(RunSubject.NEED, leachate_need.pk).status == RunStatus.COMPLETED
    assert not Match.objects.filter(need=leachate_need, technology=leachate_technology).exists()
    # when its holder confirms it and the need is matched again, then it is matched
    catalog_services.technology_confirm(user=holder, technology=leachate_technology)
    _run(RunSubject.NEED, leachate_need.pk)
    assert Match.objects.filter(need=leachate_need, technology=leachate_technology).exists()


def test_an_outdated_need_is_not_matched_and_its_matches_are_hidden(
    leachate_need, leachate_technology, enterprise
):
    # given a match between the need and the technology
    _run(RunSubject.NEED, leachate_need.pk)
    assert matches_of_need(need=leachate_need).exists()
    # when the need lapses
    _lapse(Need, leachate_need.pk)
    # then a technology run does not choose it, and lists leave its match out
    _run(RunSubject.TECHNOLOGY, leachate_technology.pk)
    assert not matches_of_technology(technology=leachate_technology).exists()
    assert not lead_board().filter(need=leachate_need).exists()
    with translation.override("en"):
        outcome = services.need_match(need_id=leachate_need.pk)
    assert "outdated" in outcome.message
    # when the organisation confirms it, a run is queued at once and brings its match back
    exchange_services.need_confirm(need=leachate_need, user=enterprise)
    run = MatchingRun.objects.get(
        subject=RunSubject.NEED, subject_id=leachate_need.pk, status=RunStatus.QUEUED
    )
    services.matching_run_execute(run_id=run.pk)
    assert matches_of_technology(technology=leachate_technology).exists()


def test_an_outdated_technology_drops_out_of_the_needs_match_list(
    leachate_need, leachate_technology
):
    _run(RunSubject.NEED, leachate_need.pk)
    assert matches_of_need(need=leachate_need).exists()
    _lapse(Technology, leachate_technology.pk)
    assert not matches_of_need(need=leachate_need).exists()
    with translation.override("en"):
        outcome = services.technology_match(technology_id=leachate_technology.pk)
    assert "outdated" in outcome.message
