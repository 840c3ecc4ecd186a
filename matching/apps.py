from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching engine")

    def ready(self) -> None:
        # Catalog and exchange announce publications; matching, above them, listens. The queued
        # run is written inside the publishing transaction, so it commits (or rolls back) with
        # the publication and the worker picks it up after the commit.
        from catalog.events import TECHNOLOGY_CHANGED, TECHNOLOGY_PUBLISHED
        from core.events import subscribe
        from exchange.events import NEED_CHANGED, NEED_PUBLISHED
        from matching import services, tasks  # noqa: F401  (registers the tasks services name)

        for event in (TECHNOLOGY_PUBLISHED, TECHNOLOGY_CHANGED):
            subscribe(event, services.schedule_matching_for_technology, in_transaction=True)
        for event in (NEED_PUBLISHED, NEED_CHANGED):
            subscribe(event, services.schedule_matching_for_need, in_transaction=True)

        from accounts.workspace import register_workspace_todos
        from matching.selectors import lead_workspace_todos

        register_workspace_todos(lead_workspace_todos)
