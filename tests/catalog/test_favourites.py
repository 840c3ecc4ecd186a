"""Favourites (issue #14 item 10): a star on the detail page and the result cards (form post and
htmx), a "My favourites" page, the API; a user sees only their own; a listing the user cannot
see is 404; two simultaneous stars keep one row and never fail."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from catalog import services
from catalog.choices import TechnologyStatus
from catalog.models import Favourite
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.login(email=user.email, password=PASSWORD)


@pytest.fixture
def reader(db):
    return UserFactory(roles=["enterprise"])


def test_star_by_form_post_is_idempotent_and_returns_to_the_page(client, owner, reader):
    # given a published listing and a signed-in reader on the search results
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, reader)
    url = reverse("catalog:favourite_toggle", args=[technology.pk])
    # when the reader stars it twice without JavaScript
    first = client.post(url, {"action": "add", "next": "/technologies/?q=x"})
    second = client.post(url, {"action": "add", "next": "/technologies/?q=x"})
    # then one favourite, and back on the page the star came from
    assert first.status_code == second.status_code == 302
    assert first["Location"] == "/technologies/?q=x"
    assert Favourite.objects.filter(user=reader, technology=technology).count() == 1
    # and unstarring twice is fine too
    client.post(url, {"action": "remove"})
    assert client.post(url, {"action": "remove"}).status_code == 302
    assert not Favourite.objects.exists()


def test_star_never_redirects_off_site(client, owner, reader):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, reader)
    response = client.post(
        reverse("catalog:favourite_toggle", args=[technology.pk]),
        {"action": "add", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("catalog:technology_detail", args=[technology.pk])


def test_star_with_htmx_returns_the_new_button(client, owner, reader):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    login(client, reader)
    response = client.post(
        reverse("catalog:favourite_toggle", args=[technology.pk]),
        {"action": "add"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-pressed="true"' in content
    assert 'value="remove"' in content
    assert "<html" not in content


def test_star_needs_csrf(owner, reader):
    from django.test import Client

    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client = Client(enforce_csrf_checks=True)
    login(client, reader)
    response = client.post(reverse("catalog:favourite_toggle", args=[technology.pk]))
    assert response.status_code == 403
    assert not Favourite.objects.exists()


def test_anonymous_star_goes_to_sign_in_and_changes_nothing(client, owner):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = client.post(reverse("catalog:favourite_toggle", args=[technology.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Favourite.objects.exists()


def test_starring_a_listing_the_user_cannot_see_is_404_page_and_api(
    client, api_client_for, owner, reader
):
    # given someone else's draft
    draft = make_technology(owner)
    login(client, reader)
    # when the reader tries to star it, on the page and in the API
    page = client.post(reverse("catalog:favourite_toggle", args=[draft.pk]), {"action": "add"})
    api = api_client_for(reader).post(f"/api/v1/technologies/{draft.pk}/favourite/")
    # then 404 and nothing stored
    assert page.status_code == 404
    assert api.status_code == 404
    assert not Favourite.objects.exists()


def test_own_draft_cannot_be_starred_409(api_client_for, owner):
    draft = make_technology(owner)
    response = api_client_for(owner).post(f"/api/v1/technologies/{draft.pk}/favourite/")
    assert response.status_code == 409
    assert not Favourite.objects.exists()


def test_api_star_list_and_unstar(api_client_for, api_client, owner, reader):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client = api_client_for(reader)
    url = f"/api/v1/technologies/{technology.pk}/favourite/"
    assert client.post(url).status_code == 201
    assert client.post(url).status_code == 200
    listing = client.get("/api/v1/favourites/").json()
    assert [row["technology"] for row in listing["results"]] == [technology.pk]
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 204
    assert client.get("/api/v1/favourites/").json()["results"] == []
    assert api_client.get("/api/v1/favourites/").status_code in (401, 403)


def test_a_user_sees_only_their_own_favourites(client, api_client_for, owner, reader, stranger):
    # given the reader's favourite
    technology = make_technology(
        owner, status=TechnologyStatus.PUBLISHED, title_zh="读者收藏的技术"
    )
    services.favourite_add(user=reader, technology=technology)
    # when another user looks at their favourites (page and API)
    login(client, stranger)
    page = client.get(reverse("catalog:favourite_list")).content.decode()
    api = api_client_for(stranger).get("/api/v1/favourites/").json()
    # then they see none of the reader's
    assert "读者收藏的技术" not in page
    assert 'data-testid="no-favourites"' in page
    assert api["results"] == []
    # and the reader sees it on the page
    client.logout()
    login(client, reader)
    assert "读者收藏的技术" in client.get(reverse("catalog:favourite_list")).content.decode()


def test_a_withdrawn_listing_drops_out_of_the_list(api_client_for, owner, reader):
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    services.favourite_add(user=reader, technology=technology)
    type(technology).objects.filter(pk=technology.pk).update(status=TechnologyStatus.WITHDRAWN)
    assert api_client_for(reader).get("/api/v1/favourites/").json()["results"] == []


def test_detail_and_result_cards_show_the_star_state(client, owner, reader):
    starred = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    services.favourite_add(user=reader, technology=starred)
    login(client, reader)
    detail = client.get(reverse("catalog:technology_detail", args=[starred.pk])).content.decode()
    assert 'aria-pressed="true"' in detail
    results = client.get(reverse("catalog:technology_list")).content.decode()
    assert results.count('data-testid="favourite-star"') == 2
    assert results.count('aria-pressed="true"') == 1


def test_favourites_page_is_in_the_navigation(client, reader):
    login(client, reader)
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert reverse("catalog:favourite_list") in page


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_stars_keep_one_row_and_do_not_fail(owner, reader):
    # given a published listing
    technology = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def star():
        try:
            barrier.wait(timeout=10)
            services.favourite_add(user=reader, technology=technology)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    # when two requests star it at the same moment
    threads = [threading.Thread(target=star) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then neither failed and there is one favourite
    assert errors == []
    assert Favourite.objects.filter(user=reader, technology=technology).count() == 1
