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


# --- To-do items ----------------------------------------------------------------------------
#
# What waits for this user, counted where the queue is selected: each app registers a provider
# (in its AppConfig.ready) that returns its items for the user. An item counts the very queryset
# its queue page lists, so the count and the queue's length are the same number.

TodoProvider = Callable[..., list[dict]]

_todo_providers: list[TodoProvider] = []


def register_workspace_todos(provider: TodoProvider) -> TodoProvider:
    if provider not in _todo_providers:
        _todo_providers.append(provider)
    return provider


def queue_todo(*, key: str, label, queryset, url: str, since_field: str | None = None) -> dict:
    """One to-do item: how many rows `queryset` (the queue's own selector) holds and, with
    `since_field`, since when its oldest row waits. One query."""
    from django.db.models import Count, Min

    aggregates = {"count": Count("pk")}
    if since_field:
        aggregates["waiting_since"] = Min(since_field)
    values = queryset.order_by().aggregate(**aggregates)
    return {
        "key": key,
        "label": label,
        "count": values["count"],
        "url": url,
        "waiting_since": values.get("waiting_since"),
    }


def workspace_todos(*, user) -> list[dict]:
    """Every provider's items for the user, in registration order (accounts first)."""
    return [item for provider in _todo_providers for item in provider(user=user)]


# --- Figures ----------------------------------------------------------------------------------
#
# The few numbers a role watches (a holder's inquiries, a financier's pipeline value), each a
# dict: `key`, `label`, `value`, `url` (the list behind the number) and, for money, `currency`.

FigureProvider = Callable[..., list[dict]]

_figure_providers: list[FigureProvider] = []


def register_workspace_figures(provider: FigureProvider) -> FigureProvider:
    if provider not in _figure_providers:
        _figure_providers.append(provider)
    return provider


def workspace_figures(*, user) -> list[dict]:
    return [item for provider in _figure_providers for item in provider(user=user)]
