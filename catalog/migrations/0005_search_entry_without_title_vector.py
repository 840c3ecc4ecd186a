"""The search entry no longer keeps a separate title vector: title matches are found with an
A-weighted query on `search_vector` (catalog.selectors), so the narrower row and one GIN index
less make both searching and bulk loading faster."""

from django.db import migrations

UPSERT = """
CREATE OR REPLACE FUNCTION catalog_search_entry_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_technologysearchentry (
        technology_id, organization_id, category_id, status, published_at, asking_price, trl,
        transaction_modes, region, has_granted_patent, search_vector{title_column})
    SELECT id, organization_id, category_id, status, published_at, asking_price, trl,
        transaction_modes, region, has_granted_patent, search_vector{title_value}
    FROM changed_rows
    ON CONFLICT (technology_id) DO UPDATE SET
        organization_id = EXCLUDED.organization_id,
        category_id = EXCLUDED.category_id,
        status = EXCLUDED.status,
        published_at = EXCLUDED.published_at,
        asking_price = EXCLUDED.asking_price,
        trl = EXCLUDED.trl,
        transaction_modes = EXCLUDED.transaction_modes,
        region = EXCLUDED.region,
        has_granted_patent = EXCLUDED.has_granted_patent,
        search_vector = EXCLUDED.search_vector{title_update};
    RETURN NULL;
END $$;
"""
WITHOUT_TITLE = UPSERT.format(title_column="", title_value="", title_update="")
WITH_TITLE = UPSERT.format(
    title_column=", title_vector",
    title_value=", strip(ts_filter(search_vector, '{a}'))",
    title_update=",\n        title_vector = EXCLUDED.title_vector",
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_technology_search_entry"),
    ]

    operations = [
        # Reversed last: the old function needs the column back first.
        migrations.RunSQL(WITHOUT_TITLE, WITH_TITLE),
        migrations.RemoveIndex(
            model_name="technologysearchentry",
            name="search_entry_title_gin",
        ),
        migrations.RemoveField(
            model_name="technologysearchentry",
            name="title_vector",
        ),
    ]
