"""Change notifications of a team's PostgreSQL cache: every statement that writes a table the boards show sends
``NOTIFY jpm_tui_changes, '<table>'``. PostgreSQL delivers a transaction's notifications when it commits, and only
then, one per distinct table (duplicates within a transaction are folded), so a listener hears, per commit, which
tables changed. Registered as one of the schema's migrations (pg/schema.py); cache/pg/notify.py listens."""

from __future__ import annotations

from jpm_tui.cache.store.tables import tables

CHANNEL = "jpm_tui_changes"
"""The channel the cache's writes notify on (per database: each team cache has its own)."""

NOTIFIED_TABLES: tuple[str, ...] = (*tables(), "outbox", "sync_state")
"""What a board shows: the domain tables, the outbox (its marks and count) and the feeds' state (the time of the
last sync). The tables the store derives (job_raw, job_counts, ...) change with these, in the same commits."""

NOTIFY = f"""
CREATE FUNCTION jpm_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END $$;
""" + "\n".join(
    f"CREATE TRIGGER {name}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
    "FOR EACH STATEMENT EXECUTE FUNCTION jpm_notify_change();"
    for name in NOTIFIED_TABLES
)
