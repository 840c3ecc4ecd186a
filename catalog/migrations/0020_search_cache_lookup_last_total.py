"""The cache lookup also answers, on a miss, the total stored for the same statement under an
earlier generation: a hint of the search's size, so a search that matched many listings before
the last change is sampled first (catalog.selectors) instead of being counted up to the exact
limit and then sampled. The order of migration 0010 is kept: the sequence first, then the entry,
then (on a miss only) the writers' lock."""

from django.db import migrations

# The writers' shared advisory lock of migration 0008.
WRITERS_LOCK = (1667331175, 1)

SETTLED = f"""
        settled := NOT EXISTS (
            SELECT FROM pg_locks
            WHERE locktype = 'advisory'
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = {WRITERS_LOCK[0]} AND objid = {WRITERS_LOCK[1]} AND objsubid = 2
              AND pid <> pg_backend_pid()
        );
"""

FORWARD = f"""
DROP FUNCTION catalog_search_cache_lookup(text);
CREATE FUNCTION catalog_search_cache_lookup(
    key text,
    OUT generation bigint,
    OUT settled boolean,
    OUT total integer,
    OUT head integer[],
    OUT facet_rows jsonb,
    OUT last_total integer
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    stored_generation bigint;
BEGIN
    SELECT last_value INTO generation FROM catalog_search_generation;
    SELECT cache.generation, cache.total, cache.head, cache.facet_rows
    INTO stored_generation, total, head, facet_rows
    FROM catalog_searchresultcache AS cache
    WHERE cache.statement_hash = key;
    IF stored_generation IS DISTINCT FROM generation THEN
        last_total := total;
        total := NULL;
        head := NULL;
        facet_rows := NULL;
{SETTLED}
    END IF;
END $$;
"""

BACKWARD = f"""
DROP FUNCTION catalog_search_cache_lookup(text);
CREATE FUNCTION catalog_search_cache_lookup(
    key text,
    OUT generation bigint,
    OUT settled boolean,
    OUT total integer,
    OUT head integer[],
    OUT facet_rows jsonb
) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT last_value INTO generation FROM catalog_search_generation;
    SELECT cache.total, cache.head, cache.facet_rows INTO total, head, facet_rows
    FROM catalog_searchresultcache AS cache
    WHERE cache.statement_hash = key AND cache.generation = catalog_search_cache_lookup.generation;
    IF total IS NULL THEN
{SETTLED}
    END IF;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0019_search_entry_recent_index"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
