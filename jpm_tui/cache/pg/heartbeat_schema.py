"""The sync service's heartbeat table (pg/heartbeat.py writes and reads it), a migration of the schema (pg/schema.py):
its writes notify as those of the tables a board shows do (pg/notify_schema.py), so boards hear each beat."""

from __future__ import annotations

TABLE = "service_heartbeat"

# one row (id 1): the latest service to beat is the one the boards hear of
HEARTBEAT = f"""
CREATE TABLE {TABLE} (
    id integer PRIMARY KEY CHECK (id = 1), sender text NOT NULL, beat_at timestamptz NOT NULL,
    online boolean NOT NULL, reason text, last_round timestamptz
);
CREATE TRIGGER {TABLE}_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION jpm_notify_change();
"""

# a service that stops cleanly says so in its last beat: boards say "no sync service" at once, not once it is stale
STOPPED = f"ALTER TABLE {TABLE} ADD COLUMN stopped boolean NOT NULL DEFAULT false;"

# a service that has not heard from the backend yet says so: boards say it connects, not that it syncs
CONNECTING = f"ALTER TABLE {TABLE} ADD COLUMN connecting boolean NOT NULL DEFAULT false;"
