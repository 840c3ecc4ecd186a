"""Notes the platform writes on a deal's timeline (a document attached, a screening decision)
read in each reader's language, whoever's language they were written in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from exchange import services
from exchange.models import DealEvent
from tests.exchange.conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def test_an_attached_document_reads_in_the_readers_language(make_deal, enterprise):
    # given a contract attached by a user working in English
    deal = make_deal(stage="negotiation")
    upload = SimpleUploadedFile("contract.pdf", PDF_BYTES, content_type="application/pdf")
    with translation.override("en"):
        services.deal_message_post(
            deal=deal, user=enterprise, body="final", upload=upload, kind="contract"
        )
    event = DealEvent.objects.get(deal=deal, action="document")
    assert event.note == "Contract: contract.pdf"
    # when a Chinese reader reads the timeline, then the kind of document is in Chinese
    with translation.override("zh-hans"):
        assert event.shown_note.startswith("合同")
        assert "Contract" not in event.shown_note
    # and a note a person wrote stays as written
    opened = DealEvent(deal=deal, action="open", note="Looking forward")
    with translation.override("zh-hans"):
        assert opened.shown_note == "Looking forward"
