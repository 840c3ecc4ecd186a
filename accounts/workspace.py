"""Sections that other apps add to the workspace.

accounts knows no app above it, so an app with something to show a role on the workspace
registers a provider in its `AppConfig.ready`. A provider takes the user and returns None or a
section: a dict with `template` (the include to render), optionally `role_label` (a role the
user holds through that app, such as a verified expert) and the template's context.
"""

from __future__ import annotations

from collections.abc import Callable

SectionProvider = Callable[..., dict | None]

_providers: list[SectionProvider] = []


def register_workspace_section(provider: SectionProvider) -> SectionProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def workspace_sections(*, user) -> list[dict]:
    return [section for provider in _providers if (section := provider(user=user))]


def workspace_role_labels(*, user, sections: list[dict]) -> list[str]:
    """The platform roles' labels, then the roles held through another app, once each."""
    labels = list(user.get_role_labels())
    for section in sections:
        label = section.get("role_label")
        if label and str(label) not in labels:
            labels.append(str(label))
    return labels
