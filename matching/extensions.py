"""Suggestions that apps above matching add to a need's match results.

matching knows no app above it (facilities, programmes ...), yet a need that calls for testing
or scale-up should also show the pilot lines and test benches that could serve it. So an app
registers a provider in its `AppConfig.ready`: a callable taking `need` and `user` and returning
None or a panel, a dict with `template` (the include to render under the matches) and that
template's context. The need's Matches panel renders every panel returned; matching itself
never imports the provider's app (the import-linter layers contract keeps it that way).
"""

from __future__ import annotations

from collections.abc import Callable

SuggestionProvider = Callable[..., dict | None]

_need_providers: list[SuggestionProvider] = []


def register_need_suggestions(provider: SuggestionProvider) -> SuggestionProvider:
    if provider not in _need_providers:
        _need_providers.append(provider)
    return provider


def need_suggestion_panels(*, need, user) -> list[dict]:
    return [panel for provider in _need_providers if (panel := provider(need=need, user=user))]
