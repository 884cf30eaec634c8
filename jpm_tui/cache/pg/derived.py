"""What the jobs table derives from other rows, in PostgreSQL: the job list's denormalised columns (the SQLite store's
expressions, ``jpm_tui.cache.store.derived``, which both dialects read alike; the technicians' names aggregated
PostgreSQL's way) and the search document, as one lateral subquery over a
job's own columns. A chunk of jobs is written with them in one statement (``JOB_CHUNK_UPSERT``: each row version
written once); ``REFRESH_DERIVED`` computes them again for jobs whose related rows changed and rewrites only the
jobs whose values differ."""

from __future__ import annotations

from jpm_tui.cache.store.derived import (
    BUSINESS_UNIT_NAME,
    CUSTOMER_NAME,
    JOB_COLUMNS,
    JOB_TYPE_NAME,
    LOCATION_TEXT,
    NEXT_APPOINTMENT_TEMPLATE,
    NEXT_APPT_KEY_TEMPLATE,
)
from jpm_tui.cache.store.sql_text import quoted

_FINISHED = "(SELECT jsonb_array_elements_text(current_setting('jpm.finished_statuses')::jsonb))"
NEXT_APPOINTMENT_ID = NEXT_APPOINTMENT_TEMPLATE.format(id="{id}", finished=_FINISHED)
"""The next appointment (``store.derived``'s), its finished statuses read from the connection's setting
(``PgDatabase``)."""
NEXT_APPT_KEY = NEXT_APPT_KEY_TEMPLATE.format(finished=_FINISHED)

INACTIVE = "~inactive"
"""The search document's word of an inactive job (no user text makes it: queries hold letters and digits only); the
words table (words_schema.py) leaves it out and holds each word's ``active`` instead."""

_TYPES = {"id": "bigint", "status_rank": "integer", "priority_rank": "integer", "job_type_id": "bigint",
          "business_unit_id": "bigint", "customer_id": "bigint", "location_id": "bigint", "project_id": "bigint",
          "active": "integer"}
"""The jobs table's own columns that are not text, and their types (cells come as JSON)."""

DERIVED_COLUMNS = ("customer_name", "location_text", "job_type_name", "business_unit_name", "next_appointment_id",
                   "next_appt_key", "technician_names", "search")
"""The jobs table's columns derived from other rows (the job list's, then the search document)."""

TECHNICIAN_NAMES = """coalesce((
        SELECT string_agg(name, ', ' ORDER BY name) FROM (
            SELECT DISTINCT coalesce(nullif(t.name, ''), aa.technician_name) AS name
              FROM appointment_assignments aa LEFT JOIN technicians t ON t.id = aa.technician_id
             WHERE aa.appointment_id = {next_appointment_id} AND aa.active = 1) named), '')"""
"""The technicians of an appointment (``{next_appointment_id}``) as the job list names them."""

ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ"
UNACCENTED = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy"
"""Latin letters searched without their accents ("cafe" finds "Café", as SQLite's index does), by the built-in
``translate`` (the unaccent extension would need installing)."""

SEARCH_WORDS = (f"regexp_replace(lower(CASE WHEN octet_length({{text}}) = char_length({{text}}) THEN {{text}} "
                f"ELSE translate({{text}}, '{ACCENTED}', '{UNACCENTED}') END COLLATE \"C\"), '[^[:alnum:]]+', ' ', 'g')")
"""A text (``{text}``, named three times: a column or a lateral's) as the words the search index holds: ASCII letters
(folded) and digits, once accents are taken off (``translate`` only for a text that is not all ASCII: it was a third
of a job's write); the rest separates words (under "C", whatever the database's locale). ``search.text_search``
cuts the user's the same way."""

# The derived values of a job whose own columns are ``s.*``: the next appointment first (two columns read it),
# the customer's name (the search document holds it). ``OFFSET 0`` keeps each lateral a subquery of its own, computed
# once per job: flattened, the next appointment's two lookups ran again in every expression that names it (three
# times the work).
_LIST_VALUES = f"""
CROSS JOIN LATERAL (SELECT {NEXT_APPOINTMENT_ID.format(id="s.id")} AS next_appointment_id,
    {CUSTOMER_NAME.format(customer_id="s.customer_id")} AS customer_name OFFSET 0) n
CROSS JOIN LATERAL (SELECT
    n.customer_name,
    {LOCATION_TEXT.format(location_id="s.location_id")} AS location_text,
    {JOB_TYPE_NAME.format(job_type_id="s.job_type_id")} AS job_type_name,
    {BUSINESS_UNIT_NAME.format(business_unit_id="s.business_unit_id")} AS business_unit_name,
    n.next_appointment_id,
    {NEXT_APPT_KEY.format(next_appointment_id="n.next_appointment_id")} AS next_appt_key,
    {TECHNICIAN_NAMES.format(next_appointment_id="n.next_appointment_id")} AS technician_names
    OFFSET 0) x
"""
# The search document: the job's words and its customer's (name), location's (address), contacts', notes' and
# technicians' (names), and the inactive marker of an inactive job.
_SEARCH_VALUE = f"""
CROSS JOIN LATERAL (SELECT to_tsvector('simple', {SEARCH_WORDS.format(text="d.text")})
    || CASE WHEN s.active = 1 THEN ''::tsvector ELSE '{INACTIVE}'::tsvector END AS search
    FROM (SELECT concat_ws(' ', s.number, s.summary, {CUSTOMER_NAME.format(customer_id="s.customer_id")},
        (SELECT concat_ws(' ', street, unit, city, state, zip) FROM locations WHERE id = s.location_id),
        (SELECT string_agg(search_text, ' ') FROM contacts
          WHERE active = 1 AND ((owner_kind = 'customer' AND owner_id = s.customer_id)
                             OR (owner_kind = 'location' AND owner_id = s.location_id))),
        (SELECT string_agg(text, ' ') FROM job_notes WHERE job_id = s.id AND active = 1),
        (SELECT string_agg(coalesce(nullif(t.name, ''), aa.technician_name), ' ') FROM appointment_assignments aa
           LEFT JOIN technicians t ON t.id = aa.technician_id WHERE aa.job_id = s.id AND aa.active = 1)) AS text
    OFFSET 0) d
    OFFSET 0) w
"""
_LIST_COLUMNS = ("customer_name", "location_text", "job_type_name", "business_unit_name", "next_appointment_id",
                 "next_appt_key", "technician_names")
_VALUES = {**{c: f"x.{c}" for c in _LIST_COLUMNS}, "search": "w.search"}

_CELLS = ", ".join(
    f"(r->>{i})::{_TYPES.get(c, 'text')} AS {quoted(c)}" for i, c in enumerate(JOB_COLUMNS)
)
_ALL = JOB_COLUMNS + DERIVED_COLUMNS

JOB_CHUNK_UPSERT = (
    f"INSERT INTO jobs ({', '.join(quoted(c) for c in _ALL)}) "
    f"SELECT {', '.join(f's.{quoted(c)}' for c in JOB_COLUMNS)}, {', '.join(_VALUES[c] for c in DERIVED_COLUMNS)} "
    f"FROM (SELECT {_CELLS} FROM jsonb_array_elements(%s::jsonb) r OFFSET 0) s {_LIST_VALUES} {_SEARCH_VALUE}"
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{quoted(c)} = excluded.{quoted(c)}' for c in _ALL if c != 'id')}"
)
"""Writes a chunk of jobs (one parameter: the JSON array of their ``job_chunks.job_values`` rows) with what they
derive."""


def _refresh(columns: tuple[str, ...], laterals: str) -> str:
    new = ", ".join(_VALUES[c] for c in columns)
    old = ", ".join(f"j.{c}" for c in columns)
    return (f"UPDATE jobs j SET ({', '.join(columns)}) = ROW({new}) FROM jobs s {laterals} "
            f"WHERE s.id = ANY(%s) AND j.id = s.id AND ROW({old}) IS DISTINCT FROM ROW({new})")


REFRESH_LIST = _refresh(_LIST_COLUMNS, _LIST_VALUES)
"""The job list's derived columns of jobs (one parameter: an array of ids) computed again; only the jobs whose values
changed are rewritten. For rows the search document does not hold (appointments, technicians, names of types)."""
REFRESH_DERIVED = _refresh(DERIVED_COLUMNS, _LIST_VALUES + _SEARCH_VALUE)
"""The same for every derived column, the search document's too."""
