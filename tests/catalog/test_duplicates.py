"""Near-duplicate listings (#15 item 4): detection on submission and import, what the holder and
the reviewers see, dismissing, merging (history, references, redirects) and two reviewers at
once."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog import duplicates, services
from catalog.choices import DuplicateFlagStatus, DuplicateSource, TechnologyStatus
from catalog.models import DuplicateFlag, Favourite, Inquiry, Technology, TechnologyEvent
from core.workflow import TransitionNotAllowed
from tests.catalog.conftest import make_technology
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ORIGINAL = {
    "title_zh": "高浓度有机废水内循环厌氧处理技术",
    "title_en": "Internal-circulation anaerobic treatment of high-strength organic wastewater",
    "summary_zh": "内循环厌氧反应器处理化工、制药高浓度有机废水，COD去除率高，沼气回收利用。",
    "summary_en": "An internal-circulation anaerobic reactor for chemical and pharmaceutical "
    "wastewater with high COD removal and biogas recovery.",
}
# The same technology typed in again: a particle and a word more, a summary cut short.
REWORDED = {
    "title_zh": "高浓度有机废水的内循环厌氧处理工艺",
    "title_en": "Internal circulation anaerobic treatment for high-strength organic wastewater",
    "summary_zh": "内循环厌氧反应器处理化工和制药高浓度有机废水，COD去除率高。",
    "summary_en": "Internal-circulation anaerobic reactor for chemical and pharmaceutical "
    "wastewater, high COD removal.",
}
UNRELATED = {
    "title_zh": "退役光伏组件物理法拆解与高纯硅回收",
    "title_en": "Physical dismantling of retired photovoltaic modules and silicon recovery",
    "summary_zh": "热刀分离背板与玻璃，破碎分选回收铝框、铜和高纯硅粉，回收率超过95%。",
    "summary_en": "A hot knife separates the backsheet from the glass; crushing and sorting "
    "recover aluminium frames, copper and silicon powder.",
    "category": "3.1",
    "keywords": ["光伏回收"],
    "patents": [],
}


def _submitted(user, **fields) -> Technology:
    technology = make_technology(user, **fields)
    return services.technology_submit(user=user, technology=technology)


def _pair(technology: Technology) -> DuplicateFlag:
    return DuplicateFlag.objects.get(technology=technology)


# --- detection ----------------------------------------------------------------------------------


def test_a_reworded_listing_of_the_same_holder_is_flagged_on_submission(owner):
    # given a published listing of the holder
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    # when the holder submits the same technology typed in again (Chinese and English)
    again = _submitted(owner, **REWORDED)
    # then the submission went through and the pair is recorded, open, as the same holder's
    assert again.status == TechnologyStatus.SUBMITTED
    flag = _pair(again)
    assert flag.candidate == original
    assert flag.status == DuplicateFlagStatus.OPEN
    assert flag.same_organization is True
    assert flag.source == DuplicateSource.SUBMIT
    assert flag.score >= duplicates.DUPLICATE_THRESHOLD
    assert "有机废水" in " ".join(flag.shared_terms)


def test_chinese_only_and_english_only_titles_are_compared_in_their_own_script(owner):
    # given a Chinese-only listing and an English-only one, each re-entered
    chinese = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_zh=ORIGINAL["title_zh"],
        summary_zh=ORIGINAL["summary_zh"],
        title_en="",
        summary_en="",
    )
    english = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_zh="",
        summary_zh="",
        title_en="Membrane bioreactor for landfill leachate with nanofiltration polishing",
        summary_en="A membrane bioreactor followed by nanofiltration treats landfill leachate "
        "to the discharge standard.",
        keywords=["MBR"],
    )
    # when both are submitted again, reworded
    chinese_again = _submitted(
        owner,
        title_zh=REWORDED["title_zh"],
        summary_zh=REWORDED["summary_zh"],
        title_en="",
        summary_en="",
    )
    english_again = _submitted(
        owner,
        title_zh="",
        summary_zh="",
        title_en="Membrane bioreactor (MBR) for landfill leachate, nanofiltration polishing",
        summary_en="Membrane bioreactor and nanofiltration treat landfill leachate to the "
        "discharge standard.",
        keywords=["MBR"],
    )
    # then each is paired with its own original only
    assert _pair(chinese_again).candidate == chinese
    assert _pair(english_again).candidate == english


def test_mixed_language_titles_are_matched(owner):
    # given a listing whose title mixes Chinese and English
    mixed = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_zh="MBR膜生物反应器处理垃圾渗滤液 (leachate) 技术",
        title_en="",
        summary_zh="MBR膜生物反应器加纳滤处理垃圾渗滤液，出水达到排放标准。",
        summary_en="",
    )
    # when the same mixed title is submitted again with a word changed
    again = _submitted(
        owner,
        title_zh="MBR膜生物反应器处理垃圾渗滤液 leachate 工艺",
        title_en="",
        summary_zh="MBR膜生物反应器与纳滤处理垃圾渗滤液，出水达标排放。",
        summary_en="",
    )
    # then the pair is found
    assert _pair(again).candidate == mixed


def test_unrelated_listings_are_not_flagged(owner, stranger):
    # given published listings about wastewater, of the holder and of another organisation
    make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    make_technology(stranger, status=TechnologyStatus.PUBLISHED, **REWORDED)
    # when the holder submits an unrelated listing of the same field family (recycling)
    recycling = _submitted(owner, **UNRELATED)
    # then nothing is flagged and no candidate is shown
    assert not DuplicateFlag.objects.filter(technology=recycling).exists()
    assert duplicates.technology_duplicates(technology=recycling, user=owner) == []


def test_a_dismissed_pair_stays_dismissed_when_submitted_again(owner, reviewer):
    # given a flagged pair a reviewer dismissed
    make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    duplicates.duplicate_flag_dismiss(user=reviewer, flag=_pair(again), note="Two plants")
    # when the listing is returned and submitted again
    services.technology_review(user=reviewer, technology=again, decision="return", comment="x")
    services.technology_submit(user=owner, technology=again)
    # then the pair is still dismissed, by that reviewer, and the holder is not warned again
    flag = DuplicateFlag.objects.get()
    assert flag.status == DuplicateFlagStatus.DISMISSED
    assert flag.decided_by == reviewer
    assert duplicates.technology_duplicates(technology=again, user=owner) == []


def test_the_import_hook_records_pairs_and_reports_what_the_importer_may_see(owner, stranger):
    # given a published listing of the holder, and a draft of another organisation
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    make_technology(stranger, **ORIGINAL)
    # when the importer creates a row's listing and calls the hook
    imported = make_technology(owner, **REWORDED)
    shown = duplicates.technology_import_duplicates(technology=imported, user=owner)
    # then the report names the holder's own listing only; the pair is recorded as an import's
    assert [candidate.technology for candidate in shown] == [original]
    flag = _pair(imported)
    assert (flag.candidate, flag.source) == (original, DuplicateSource.IMPORT)
    # and, the imported listing being a draft, the reviewers' queue does not show it yet
    assert not duplicates.duplicate_flags_open(user=UserFactory(roles=["reviewer"])).exists()


# --- what the holder sees -------------------------------------------------------------------------


def test_the_holder_never_sees_another_organisations_private_listing(owner, stranger):
    # given near-identical listings of another organisation: a draft, a submitted one, and a
    # published one
    draft = make_technology(stranger, **ORIGINAL)
    submitted = make_technology(stranger, status=TechnologyStatus.SUBMITTED, **ORIGINAL)
    public = make_technology(stranger, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    # when the holder submits the same technology
    mine = _submitted(owner, **REWORDED)
    # then only the published one is a candidate, on the page and in the API
    shown = duplicates.technology_duplicates(technology=mine, user=owner)
    assert [candidate.technology for candidate in shown] == [public]
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("catalog:technology_manage", args=[mine.pk])).content.decode()
    assert "published by" in page or "发布" in page
    assert f"/technologies/{public.pk}/" in page
    for hidden in (draft, submitted):
        assert f"/technologies/{hidden.pk}/" not in page
    # and the reviewers' record (the submitted pair) does not reach the holder either
    assert DuplicateFlag.objects.filter(technology=mine, candidate=submitted).exists()
    assert DuplicateFlag.objects.filter(technology=mine, candidate=draft).exists() is False


def test_the_manage_page_asks_the_holder_to_update_their_listing_instead(owner):
    # given the holder's published listing and the same technology submitted again
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    # when the holder opens the new listing's manage page
    response = client.get(reverse("catalog:technology_manage", args=[again.pk]))
    # then it says which listing this looks like, with a link to it
    page = response.content.decode()
    assert f"This looks like your listing #{original.pk}" in page
    assert "update it instead?" in page
    assert reverse("catalog:technology_manage", args=[original.pk]) in page


def test_the_api_lists_the_duplicates_of_a_listing_to_its_holder_only(
    owner, stranger, api_client_for
):
    # given a flagged listing
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    url = f"/api/v1/technologies/{again.pk}/duplicates/"
    # when its holder asks
    response = api_client_for(owner).get(url)
    # then the candidate comes with score and reason
    assert response.status_code == 200
    [row] = response.json()
    assert row["technology"]["id"] == original.pk
    assert row["same_organization"] is True
    assert row["score"] >= duplicates.DUPLICATE_THRESHOLD
    assert row["reason"]
    # and another organisation gets 404 for the private listing, 403 for a published one
    assert api_client_for(stranger).get(url).status_code == 404
    public = f"/api/v1/technologies/{original.pk}/duplicates/"
    assert api_client_for(stranger).get(public).status_code == 403


# --- reviewers only -----------------------------------------------------------------------------


@pytest.fixture
def flagged(owner):
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    return original, again, _pair(again)


def test_the_reviewers_queue_and_comparison_show_the_pair_side_by_side(flagged, reviewer):
    # given a flagged pair
    original, again, flag = flagged
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    # when a reviewer opens the queue and the comparison
    queue = client.get(reverse("catalog:duplicate_queue"))
    compare = client.get(reverse("catalog:duplicate_compare", args=[flag.pk]))
    # then the pair is listed, and both listings are aligned field by field, differences marked
    assert queue.status_code == 200
    assert reverse("catalog:duplicate_compare", args=[flag.pk]) in queue.content.decode()
    page = compare.content.decode()
    assert compare.status_code == 200
    assert f"#{original.pk}" in page and f"#{again.pk}" in page
    assert original.organization.display_name in page
    assert 'data-differs="1"' in page
    assert "<mark>" in page
    assert "Keep #" in page


@pytest.mark.parametrize("who", ["owner", "stranger", "anonymous"])
def test_outsiders_cannot_see_or_decide_pairs(flagged, who, request, api_client_for):
    # given a flagged pair, and a holder, another organisation's member or a visitor
    _original, again, flag = flagged
    user = None if who == "anonymous" else request.getfixturevalue(who)
    before = list(DuplicateFlag.objects.values())
    client = Client()
    api = api_client_for(user) if user else APIClient()
    if user is not None:
        client.force_login(user)
    # when they try the pages and the API
    queue = client.get(reverse("catalog:duplicate_queue"))
    compare = client.get(reverse("catalog:duplicate_compare", args=[flag.pk]))
    decide = client.post(
        reverse("catalog:duplicate_decide", args=[flag.pk]), {"decision": f"keep-{again.pk}"}
    )
    listed = api.get("/api/v1/duplicate-flags/")
    detail = api.get(f"/api/v1/duplicate-flags/{flag.pk}/")
    dismiss = api.post(f"/api/v1/duplicate-flags/{flag.pk}/dismiss/", {}, format="json")
    merge = api.post(f"/api/v1/duplicate-flags/{flag.pk}/merge/", {"keep": again.pk}, format="json")
    # then they are refused (a pair is unknown to them) and nothing changed
    if user is None:
        assert (queue.status_code, compare.status_code, decide.status_code) == (302, 302, 302)
        assert {listed.status_code, detail.status_code, dismiss.status_code} == {403}
        assert merge.status_code == 403
    else:
        assert queue.status_code == 403
        assert (compare.status_code, decide.status_code) == (404, 404)
        assert listed.status_code == 403
        assert (detail.status_code, dismiss.status_code, merge.status_code) == (404, 404, 404)
    assert list(DuplicateFlag.objects.values()) == before
    assert Technology.objects.get(pk=again.pk).status == TechnologyStatus.SUBMITTED


def test_a_reviewer_dismisses_a_pair_through_the_api(flagged, reviewer, api_client_for):
    # given a flagged pair
    _original, _again, flag = flagged
    api = api_client_for(reviewer)
    # when a reviewer lists the open pairs and dismisses this one
    listed = api.get("/api/v1/duplicate-flags/?status=open")
    response = api.post(
        f"/api/v1/duplicate-flags/{flag.pk}/dismiss/", {"note": "Two plants"}, format="json"
    )
    again = api.post(f"/api/v1/duplicate-flags/{flag.pk}/dismiss/", {}, format="json")
    # then it was listed, is now dismissed by them, and a second decision is a conflict
    assert [row["id"] for row in listed.json()["results"]] == [flag.pk]
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert again.status_code == 409
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by, flag.note) == ("dismissed", reviewer, "Two plants")


def test_the_queue_takes_the_same_number_of_queries_for_few_and_many_pairs(
    owner, reviewer, django_assert_num_queries
):
    # given a reviewer's client and the queries of a queue with two pairs
    client = Client()
    client.force_login(reviewer)
    make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    for _ in range(2):
        _submitted(owner, **REWORDED)
    client.get(reverse("catalog:duplicate_queue"))  # warms the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalog:duplicate_queue"))
    for _ in range(4):
        _submitted(owner, **REWORDED)
    # when the queue holds many more pairs
    # then it takes as many queries
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("catalog:duplicate_queue"))
    assert response.content.decode().count('data-testid="duplicate-pair"') > 6


# --- merging ------------------------------------------------------------------------------------


def test_merging_keeps_history_moves_stars_and_redirects_the_old_page(
    owner, reviewer, api_client_for
):
    # given a published listing and its re-entered twin, published too, starred and asked about
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    twin = make_technology(owner, status=TechnologyStatus.SUBMITTED, **REWORDED)
    duplicates.technology_duplicates_record(technology=twin)
    services.technology_review(user=reviewer, technology=twin, decision="approve")
    fan = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    both = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    services.favourite_add(user=fan, technology=twin)
    services.favourite_add(user=both, technology=twin)
    services.favourite_add(user=both, technology=original)
    services.inquiry_create(user=fan, technology=twin, message="Is it available in Hebei?")
    flag = _pair(twin)
    twin_history = list(twin.events.values_list("action", flat=True))
    # when a reviewer merges the twin into the original (through the page)
    client = Client()
    client.force_login(reviewer)
    response = client.post(
        reverse("catalog:duplicate_decide", args=[flag.pk]),
        {"decision": f"keep-{original.pk}", "note": "Same plant"},
    )
    # then the twin is merged into the original, both histories record it
    assert response.status_code == 302
    twin.refresh_from_db()
    assert (twin.status, twin.merged_into) == (TechnologyStatus.MERGED, original)
    merge_event = twin.events.get(action="merge")
    assert (merge_event.from_status, merge_event.to_status) == ("published", "merged")
    assert merge_event.actor == reviewer
    assert list(twin.events.values_list("action", flat=True))[: len(twin_history)] == twin_history
    assert original.events.filter(action="absorb").exists()
    flag.refresh_from_db()
    assert (flag.status, flag.survivor, flag.decided_by) == ("merged", original, reviewer)
    # and the stars and the inquiry moved, one star per user
    assert set(Favourite.objects.filter(technology=original).values_list("user", flat=True)) == {
        fan.pk,
        both.pk,
    }
    assert not Favourite.objects.filter(technology=twin).exists()
    assert Inquiry.objects.get().technology == original
    # and the old page and API detail send everyone to the original
    visitor = Client()
    page = visitor.get(reverse("catalog:technology_detail", args=[twin.pk]))
    assert page.status_code == 301
    assert page["Location"] == reverse("catalog:technology_detail", args=[original.pk])
    api = APIClient().get(f"/api/v1/technologies/{twin.pk}/")
    assert api.status_code == 301
    assert api["Location"] == f"/api/v1/technologies/{original.pk}/"
    assert api.json()["merged_into"] == original.pk
    # and the holder still reads the twin's history on its manage page
    holder = Client(HTTP_ACCEPT_LANGUAGE="en")
    holder.force_login(owner)
    manage = holder.get(reverse("catalog:technology_manage", args=[twin.pk]))
    assert manage.status_code == 200
    assert 'data-testid="merged-into"' in manage.content.decode()
    history = api_client_for(owner).get(f"/api/v1/technologies/{twin.pk}/history/").json()
    assert [row["action"] for row in history][-1] == "merge"


def test_an_unpublished_duplicate_does_not_redirect_strangers(owner, reviewer):
    # given a submitted duplicate merged into a published listing
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    services.technology_merge(user=reviewer, flag=_pair(again), keep=original)
    # when a visitor guesses its address, and its holder opens it
    visitor = Client().get(reverse("catalog:technology_detail", args=[again.pk]))
    holder = Client()
    holder.force_login(owner)
    own = holder.get(reverse("catalog:technology_detail", args=[again.pk]))
    # then the visitor learns nothing (404), the holder is sent to the listing kept
    assert visitor.status_code == 404
    assert own.status_code == 301


def test_a_reviewer_cannot_merge_listings_of_two_holders_but_an_administrator_can(
    owner, stranger, reviewer, api_client_for
):
    # given a pair of listings of two organisations
    theirs = make_technology(stranger, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    mine = _submitted(owner, **REWORDED)
    flag = _pair(mine)
    assert flag.same_organization is False
    url = f"/api/v1/duplicate-flags/{flag.pk}/merge/"
    page = Client()
    page.force_login(reviewer)
    compare = page.get(reverse("catalog:duplicate_compare", args=[flag.pk])).content.decode()
    assert 'value="keep-' not in compare and 'value="dismiss"' in compare
    # when a reviewer merges it, then an administrator
    refused = api_client_for(reviewer).post(url, {"keep": theirs.pk}, format="json")
    # then the reviewer is refused and nothing changed
    assert refused.status_code == 403
    assert Technology.objects.get(pk=mine.pk).status == TechnologyStatus.SUBMITTED
    assert DuplicateFlag.objects.get(pk=flag.pk).status == DuplicateFlagStatus.OPEN
    admin = UserFactory(roles=["admin"])
    merged = api_client_for(admin).post(url, {"keep": theirs.pk}, format="json")
    assert merged.status_code == 200
    assert merged.json()["survivor"] == theirs.pk
    assert Technology.objects.get(pk=mine.pk).merged_into_id == theirs.pk
    # and the other holder's history does not learn the title of a listing never published
    absorbed = TechnologyEvent.objects.get(technology=theirs, action="absorb")
    assert mine.title_zh not in absorbed.note and mine.title_en not in absorbed.note


def test_a_published_listing_is_not_merged_into_an_unpublished_one(flagged, reviewer):
    # given a published listing and its submitted twin
    original, again, flag = flagged
    # when a reviewer tries to keep the submitted one
    with pytest.raises(TransitionNotAllowed):
        services.technology_merge(user=reviewer, flag=flag, keep=again)
    # then nothing changed
    assert Technology.objects.get(pk=original.pk).status == TechnologyStatus.PUBLISHED
    assert DuplicateFlag.objects.get(pk=flag.pk).status == DuplicateFlagStatus.OPEN


def test_a_second_merge_of_the_same_pair_is_a_conflict(flagged, reviewer, api_client_for):
    # given a pair one reviewer merged
    original, _again, flag = flagged
    first = api_client_for(reviewer).post(
        f"/api/v1/duplicate-flags/{flag.pk}/merge/", {"keep": original.pk}, format="json"
    )
    # when another reviewer merges it too
    second = api_client_for(UserFactory(roles=["reviewer"])).post(
        f"/api/v1/duplicate-flags/{flag.pk}/merge/", {"keep": original.pk}, format="json"
    )
    # then the second is told it was already decided, and the merge happened once
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "transition_not_allowed"
    assert second.json()["detail"] == "其他人已对这一对作出决定，请刷新页面。"
    assert TechnologyEvent.objects.filter(action="merge").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_merging_the_same_pair_at_once_one_wins(owner):
    # given a flagged pair and two reviewers
    original = make_technology(owner, status=TechnologyStatus.PUBLISHED, **ORIGINAL)
    again = _submitted(owner, **REWORDED)
    flag = _pair(again)
    reviewers = [UserFactory(roles=["reviewer"]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def merge(reviewer):
        try:
            barrier.wait(timeout=10)
            services.technology_merge(user=reviewer, flag=flag, keep=original)
            outcomes.append("merged")
        except TransitionNotAllowed:
            outcomes.append("conflict")
        finally:
            connection.close()

    # when both merge at the same moment
    threads = [threading.Thread(target=merge, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then exactly one merged and the other was told the pair was decided
    assert sorted(outcomes) == ["conflict", "merged"]
    assert TechnologyEvent.objects.filter(action="merge").count() == 1
    assert TechnologyEvent.objects.filter(action="absorb").count() == 1
    assert Technology.objects.get(pk=again.pk).merged_into_id == original.pk
