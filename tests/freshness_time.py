"""Moving the site's calendar in freshness tests (core.freshness reads timezone.localdate)."""

import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def travel(monkeypatch):
    """travel(days): from now on, today is `days` after the real today (nothing else moves, so
    no row changes, no search generation moves: only the date does)."""
    real_localdate = timezone.localdate

    def move(days: int) -> datetime.date:
        target = real_localdate() + datetime.timedelta(days=days)
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: target)
        return target

    return move
