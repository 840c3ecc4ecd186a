"""The tables of the token apps this one replaces: DRF's authtoken (one key per user that never
expired) and knox's own model (swapped for ApiToken; its migrations are off, MIGRATION_MODULES).
Left in place they would keep dead keys, and their foreign keys to the user table would stop
Django from truncating it (flush, transactional tests)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("api_tokens", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token; DROP TABLE IF EXISTS knox_authtoken;",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
