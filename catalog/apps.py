from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Technology catalogue")

    def ready(self) -> None:
        from accounts.workspace import register_workspace_figures, register_workspace_todos

        # Registers the tasks, so catalog.services can dispatch them by name
        # ("catalog.tasks.notify_saved_searches") without importing the module that imports it.
        from catalog import tasks  # noqa: F401
        from catalog.duplicates import duplicate_workspace_todos
        from catalog.selectors import catalog_workspace_figures, catalog_workspace_todos

        register_workspace_todos(catalog_workspace_todos)
        register_workspace_todos(duplicate_workspace_todos)
        register_workspace_figures(catalog_workspace_figures)
