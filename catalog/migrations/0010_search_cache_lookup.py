"""One function answers a cached search: the generation, the cached entry and, on a miss only,
whether a result may be stored.

`catalog_search_generation_settled()` (migration 0008) reads pg_locks on every search. pg_locks
takes every lock-manager partition lock of the server while it is read, which is work a warm
search, answered from the cache, does not need: "settled" only decides whether a result computed
now may be *stored*. `catalog_search_cache_lookup(key)` reads, in this order, the sequence's
current value g, the entry cached for `key` under g and, only when there is none, the writers'
lock, exactly as the settled function does. The argument of migration 0008 is unchanged: the
lock is still checked after the sequence is read and before the reader computes its result.
"""

from django.db import migrations

# The writers' shared advisory lock of migration 0008.
WRITERS_LOCK = (1667331175, 1)

FORWARD = f"""
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
        settled := NOT EXISTS (
            SELECT FROM pg_locks
            WHERE locktype = 'advisory'
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND classid = {WRITERS_LOCK[0]} AND objid = {WRITERS_LOCK[1]} AND objsubid = 2
              AND pid <> pg_backend_pid()
        );
    END IF;
END $$;
"""

BACKWARD = "DROP FUNCTION catalog_search_cache_lookup(text);"


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_technology_event_is_a_transition_event"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
