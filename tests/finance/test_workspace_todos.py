"""A financier's workspace: the applications to decide and the pipeline value (#14, item 13)."""

import re

import pytest
from django.urls import reverse

from finance import services

pytestmark = pytest.mark.django_db


def test_a_financier_sees_the_applications_to_decide_and_the_pipeline_value(
    client, financier, applicant, product
):
    # given two submitted applications and a draft (not in the pipeline)
    for amount in (200000, 650000):
        services.application_create(
            user=applicant, product=product, requested_amount=amount, submit=True
        )
    services.application_create(user=applicant, product=product, requested_amount=990000)
    # when the financier opens the workspace (in English)
    client.force_login(financier)
    page = client.get(reverse("accounts:workspace"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then two applications wait, linked to the pipeline, worth CNY 850,000 in all
    item = re.search(r'data-todo="applications_to_decide">(.*?)</li>', page, re.S).group(1)
    assert 'data-testid="todo-count">2<' in item
    assert reverse("finance:pipeline") in item
    figure = re.search(r'data-figure="pipeline_value_CNY">(.*?)</a>', page, re.S).group(1)
    assert "850,000" in figure
    # and an applicant has no such item
    client.force_login(applicant)
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert "applications_to_decide" not in page
