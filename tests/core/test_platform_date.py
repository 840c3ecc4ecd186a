"""The exchange's business date does not follow the zone of whoever is acting."""

import datetime

from django.utils import timezone

from core.timezones import platform_date

# 00:30 in Beijing on 4 December is 23:30 on 3 December in Bangkok.
MOMENT = datetime.datetime(2026, 12, 3, 16, 30, tzinfo=datetime.UTC)


def test_a_bangkok_request_gets_the_beijing_date(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    with timezone.override("Asia/Bangkok"):
        assert timezone.localdate(MOMENT) == datetime.date(2026, 12, 3)
        assert platform_date(MOMENT) == datetime.date(2026, 12, 4)
