from django.core.management.base import BaseCommand

from catalog.models import Category
from catalog.taxonomy import load_taxonomy


class Command(BaseCommand):
    help = "Load (or refresh) the green-industry taxonomy; safe to run repeatedly."

    def handle(self, *args, **options):
        count = load_taxonomy(Category)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Taxonomy loaded: {count} categories."))
