from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.demo import demo_logins, seed_accounts


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisations, users and data; safe to run repeatedly."

    def handle(self, *args, **options):
        call_command("load_taxonomy", verbosity=0)
        seed_accounts()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins:"))
        for email, password in demo_logins():
            self.stdout.write(f"  {email:28} {password}")
