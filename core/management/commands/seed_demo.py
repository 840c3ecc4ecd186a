from importlib import import_module

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations, users and data; safe to run repeatedly."

    def handle(self, *args, **options):
        call_command("load_taxonomy", verbosity=0)
        # Each app's demo.py has a seed() that builds on the apps before it in INSTALLED_APPS,
        # and may name the logins it creates (demo_logins(): [(email, password)]).
        logins: list[tuple[str, str]] = []
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            try:
                demo = import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            summary = demo.seed()
            if summary:
                self.stdout.write(f"  {app_config.label}: {summary}")
            if hasattr(demo, "demo_logins"):
                logins.extend(demo.demo_logins())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for email, password in logins:
            self.stdout.write(f"  {email:28} {password}")
