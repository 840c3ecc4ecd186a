from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Experts and programmes")

    def ready(self):
        from accounts.workspace import register_workspace_section
        from programmes.workspace import expert_workspace_section, operator_workspace_section

        register_workspace_section(operator_workspace_section)
        register_workspace_section(expert_workspace_section)

        from accounts.workspace import register_workspace_todos
        from programmes.selectors.experts import expert_workspace_todos

        register_workspace_todos(expert_workspace_todos)

        from accounts.permissions import register_expert_standing
        from programmes.selectors.experts import expert_standing_of

        register_expert_standing(expert_standing_of)

        from programmes.workspace import scenario_workspace_section

        register_workspace_section(scenario_workspace_section)
