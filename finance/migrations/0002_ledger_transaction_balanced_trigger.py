"""The database refuses a ledger transaction whose entries do not sum to zero.

A deferred constraint trigger runs at COMMIT for every transaction touched, so a service may
insert entries one by one; the check sees them all. It also refuses entries of one transaction
on accounts of different currencies.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION finance_ledger_transaction_is_balanced() RETURNS trigger AS $$
DECLARE
    checked_id bigint;
    total numeric;
    currencies integer;
BEGIN
    IF TG_OP = 'DELETE' THEN
        checked_id := OLD.transaction_id;
    ELSE
        checked_id := NEW.transaction_id;
    END IF;
    SELECT COALESCE(SUM(entry.amount), 0), COUNT(DISTINCT account.currency)
      INTO total, currencies
      FROM finance_ledgerentry entry
      JOIN finance_ledgeraccount account ON account.id = entry.account_id
     WHERE entry.transaction_id = checked_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % is not balanced: its entries sum to %',
            checked_id, total USING ERRCODE = 'check_violation';
    END IF;
    IF currencies > 1 THEN
        RAISE EXCEPTION 'ledger transaction % mixes currencies', checked_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER finance_ledger_transaction_balanced
    AFTER INSERT OR UPDATE OR DELETE ON finance_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION finance_ledger_transaction_is_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS finance_ledger_transaction_balanced ON finance_ledgerentry;
DROP FUNCTION IF EXISTS finance_ledger_transaction_is_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
