"""The lists of the network answer in the same number of queries for 2 and for 12 rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.permissions import forget_memberships
from centres import services
from tests.centres.conftest import make_centre, make_technology

pytestmark = pytest.mark.django_db
FEW, MANY = 2, 12
PINNED = {
    "/api/v1/referrals/": 3,
    "/api/v1/transfer-centres/": 2,
    "/network/referrals/": 6,
    "/network/": 5,
    "/network/dashboard/": 10,
}


def _add_rows(count, *, china_member, holder_org, start):
    for index in range(start, start + count):
        partner = make_centre("TH")
        services.referral_create(
            user=china_member,
            to_centre=partner,
            technology=make_technology(holder_org, title=f"QCROW{index:02d}"),
        )


def _count(client, url, user):
    forget_memberships(user=user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), [query["sql"][:140] for query in queries]


@pytest.mark.parametrize("url", list(PINNED))
def test_lists_do_not_grow_with_rows(url, china_member, holder_org):
    # given
    client = APIClient() if url.startswith("/api/") else Client()
    if url.startswith("/api/"):
        client.force_authenticate(china_member)
    else:
        client.force_login(china_member)
    _add_rows(FEW, china_member=china_member, holder_org=holder_org, start=0)
    client.get(url)
    # when
    few, few_sql = _count(client, url, china_member)
    _add_rows(MANY - FEW, china_member=china_member, holder_org=holder_org, start=FEW)
    many, many_sql = _count(client, url, china_member)
    # then
    assert few == many, "\n".join(sorted(set(many_sql) - set(few_sql)) or many_sql)
    assert many == PINNED[url], "\n".join(many_sql)
