"""The search's words table of the PostgreSQL cache (migration v7): ``job_words`` holds one row per word of each job's
search document (``jobs.search``'s lexemes, the inactive marker aside) with the job's ``active``, kept by statement
triggers on ``jobs`` (transition tables: the same statement as the job row, whoever writes it, as the counters are).

Why a table rather than the GIN index it replaces: a prefix is a range of one btree (``word``, ``job_id``, holding
``active``), read from the index alone and in order, so a capped count stops at its cap, and another word of the query
is a probe of the key (``job_id``, ``word``). GIN's bitmap collected every match of a prefix before any cap applied
and fetched each counted row from the table (173 ms p95 for a count capped at 10,000 of 1,000,000 jobs).

Registered as one of the schema's migrations (pg/schema.py), which fills it from the jobs already cached; the indexes
are made after the fill (one sorted build each)."""

from __future__ import annotations

from jpm_tui.cache.pg.derived import INACTIVE


def job_triggers(name: str, function: str) -> str:
    """The statement triggers ``jobs_{name}_insert``, ``_update`` and ``_delete`` on ``jobs``, each running ``function``
    over the rows its statement changed (transition tables ``new_rows``, ``old_rows``)."""
    return (f"CREATE TRIGGER jobs_{name}_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows\n"
            f"    FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
            f"CREATE TRIGGER jobs_{name}_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS "
            f"new_rows\n    FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n"
            f"CREATE TRIGGER jobs_{name}_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows\n"
            f"    FOR EACH STATEMENT EXECUTE FUNCTION {function}();\n")


_WORDS_OF = f"""SELECT word, n.id, n.active FROM {{rows}}, unnest(tsvector_to_array(n.search)) word
     WHERE word <> '{INACTIVE}'"""
"""Each word of the jobs ``n`` of ``{rows}`` (their search documents), with the job's id and active flag."""

_CHANGED = "old_rows o JOIN new_rows n ON n.id = o.id AND (n.search, n.active) IS DISTINCT FROM (o.search, o.active)"
"""The jobs an update changed the words (or active flag) of: most updates change neither."""

WORDS = f"""
CREATE TABLE job_words (word text COLLATE "C" NOT NULL, job_id bigint NOT NULL, active integer NOT NULL);
INSERT INTO job_words {_WORDS_OF.format(rows="jobs n")};
ALTER TABLE job_words ADD PRIMARY KEY (job_id, word);
CREATE INDEX job_words_word ON job_words (word, job_id) INCLUDE (active);
ALTER TABLE job_words ALTER COLUMN word SET STATISTICS 1000;
DROP INDEX jobs_search;

CREATE FUNCTION jpm_job_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_words {_WORDS_OF.format(rows="new_rows n")};
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM job_words w USING {_CHANGED} WHERE w.job_id = o.id;
        INSERT INTO job_words {_WORDS_OF.format(rows=_CHANGED)};
    ELSE
        DELETE FROM job_words w USING old_rows o WHERE w.job_id = o.id;
    END IF;
    RETURN NULL;
END $$;
{job_triggers("words", "jpm_job_words")}"""
