from django.db import migrations


def load(apps, schema_editor):
    from catalog.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("catalog", "Category"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
