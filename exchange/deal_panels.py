"""Panels that other apps add to the deal page.

exchange knows no app above it, so an app with something to show on a deal (the contract record
of a completed deal, for instance) registers a provider in its `AppConfig.ready`. A provider takes
the deal, the reader and the reader's roles in the deal and returns None or a panel: a dict with
`template` (the include to render) and that template's context.
"""

from __future__ import annotations

from collections.abc import Callable

PanelProvider = Callable[..., dict | None]

_providers: list[PanelProvider] = []


def register_deal_panel(provider: PanelProvider) -> PanelProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def deal_panels(*, deal, user, roles: set[str]) -> list[dict]:
    return [
        panel for provider in _providers if (panel := provider(deal=deal, user=user, roles=roles))
    ]
