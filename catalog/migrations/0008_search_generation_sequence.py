"""The search generation becomes a sequence, so catalogue writes no longer queue on one row.

Until now every statement that changed search entries (or an organisation's kind) ran
`UPDATE catalog_searchgeneration SET value = value + 1` in its trigger, inside the writer's own
transaction: the row lock it took was held until that writer committed, so every catalogue write
waited for every other one (publishing, editing, withdrawing, importing).

Now the trigger does two things that take no row lock and never wait for another writer:

1. `pg_advisory_xact_lock_shared(WRITERS_LOCK)`: a *shared* advisory lock, held until the
   writer's transaction ends. Shared holders do not conflict with each other, so any number of
   writers hold it at once; it only tells a reader "a search change may still be uncommitted".
2. `nextval('catalog_search_generation')`: a sequence is not transactional (the new value is
   seen by everyone at once and is not undone by a rollback) and takes no row lock.

A reader asks `catalog_search_generation_settled()`, which reads, in this order, the sequence's
current value `g` and whether any *other* session of this database holds the writers' lock
(advisory locks belong to one database; pg_locks lists the whole server's). A cached result is
read only under the current generation, and stored only when that call said "settled".

Why a result is never served stale. Take a search result R computed by a reader that read
(g, settled) at time p and then computed R from a snapshot taken after p (READ COMMITTED: every
statement takes a new snapshot), and any writer W whose change is not in R:
 * if W's trigger ran after the reader read the sequence, W's nextval made the sequence pass g:
   every later reader reads a generation > g and never reads R (entries are keyed by generation);
 * if W's trigger ran before, W took its lock before its nextval, so at time p (which follows
   the sequence read) W either still held the lock, the call said "not settled" and R was never
   stored, or W had already ended: PostgreSQL releases a transaction's locks only after its
   commit is visible to new snapshots, so a committed W is in R (a rolled-back W changed
   nothing, its bump merely retires entries early).
The reader's own uncommitted changes are left out of the check (`pid <> pg_backend_pid()`): it
sees them, and the entry it stores commits or rolls back with them. The order matters (sequence
first, then the lock check; in the writer lock first, then nextval), which is why both sides run
in PL/pgSQL, whose statements run in order, not as one SQL statement whose parts the planner may
evaluate in any order. The sequence has CACHE 1: a session-cached nextval would not move
`last_value`, which the readers compare.

The cost: while writers are in flight, expensive searches are computed but not stored (each
reader computes its own, which is what the cache-less search does anyway); the next search after
the writes commit stores again. A reader never waits for a writer, a writer never waits for a
writer or a reader.
"""

from django.db import migrations

# The two-key advisory lock the writers share: ('catg' as an int4, 1 = search generation).
WRITERS_LOCK = (1667331175, 1)

FORWARD = f"""
CREATE SEQUENCE catalog_search_generation AS bigint MINVALUE 1 CACHE 1;
SELECT setval(
    'catalog_search_generation',
    COALESCE((SELECT max(value) FROM catalog_searchgeneration), 0) + 1
);
CREATE OR REPLACE FUNCTION catalog_search_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({WRITERS_LOCK[0]}, {WRITERS_LOCK[1]});
    PERFORM nextval('catalog_search_generation');
    RETURN NULL;
END $$;
CREATE FUNCTION catalog_search_generation_settled(OUT generation bigint, OUT settled boolean)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT last_value INTO generation FROM catalog_search_generation;
    settled := NOT EXISTS (
        SELECT FROM pg_locks
        WHERE locktype = 'advisory'
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = {WRITERS_LOCK[0]} AND objid = {WRITERS_LOCK[1]} AND objsubid = 2
          AND pid <> pg_backend_pid()
    );
END $$;
"""

BACKWARD = """
DROP FUNCTION catalog_search_generation_settled();
INSERT INTO catalog_searchgeneration (id, value)
SELECT 1, last_value FROM catalog_search_generation;
CREATE OR REPLACE FUNCTION catalog_search_generation_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_searchgeneration (id, value) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET value = catalog_searchgeneration.value + 1;
    RETURN NULL;
END $$;
DROP SEQUENCE catalog_search_generation;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_trust_visibility"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.DeleteModel(name="SearchGeneration"),
    ]
