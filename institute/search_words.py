"""The words of every title and name searched, kept by the database (`SearchWord`).

The service search corrects a typing mistake against these words (a few thousand, whatever
the number of rows) before it searches, instead of comparing the mistake with every title:
pg_trgm similarity over 100,000 long titles was the slow case (docs/performance.md).

Triggers keep the table: a statement trigger on INSERT (one call however many rows a loader
inserts, through a transition table) and a row trigger on UPDATE that PostgreSQL calls only
when the title itself changes (not on every counter update). Words are never deleted: a word
no row has any more corrects a mistake to a search that finds nothing, which is what the
mistake found before. Each app adds its table's triggers with `triggers(...)` in a migration.
"""

from django.db import migrations

# Words as the search splits them (`words` below): runs of letters and digits, lower case.
WORD_PATTERN = "[^[:alnum:]]+"
MIN_LENGTH = 3  # shorter words are not corrected (too many near neighbours)
MAX_LENGTH = 40

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION search_words_add(titles text[]) RETURNS void LANGUAGE sql AS $$
    -- In word order, so that two transactions adding the same words cannot deadlock.
    INSERT INTO institute_searchword (word)
    SELECT DISTINCT word
    FROM unnest(titles) AS title, regexp_split_to_table(lower(title), '{WORD_PATTERN}') AS word
    WHERE length(word) BETWEEN {MIN_LENGTH} AND {MAX_LENGTH}
    ORDER BY word
    ON CONFLICT (word) DO NOTHING
$$;

CREATE OR REPLACE FUNCTION search_words_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        PERFORM search_words_add(ARRAY[to_jsonb(NEW) ->> TG_ARGV[0]]);
    ELSE
        EXECUTE format('SELECT search_words_add(array_agg(%I)) FROM search_words_new', TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;
"""  # noqa: S608 (this module's constants)

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS search_words_trigger();
DROP FUNCTION IF EXISTS search_words_add(text[]);
"""


def triggers(table: str, column: str) -> migrations.RunSQL:
    """A migration operation: keep `table.column`'s words, starting with the rows there now."""
    sql = f"""
    CREATE TRIGGER {table}_search_words_insert AFTER INSERT ON {table}
        REFERENCING NEW TABLE AS search_words_new
        FOR EACH STATEMENT EXECUTE FUNCTION search_words_trigger('{column}');
    CREATE TRIGGER {table}_search_words_update AFTER UPDATE OF {column} ON {table}
        FOR EACH ROW WHEN (OLD.{column} IS DISTINCT FROM NEW.{column})
        EXECUTE FUNCTION search_words_trigger('{column}');
    SELECT search_words_add(array_agg({column})) FROM {table};
    """  # noqa: S608 (table and column names from migrations)
    reverse = f"""
    DROP TRIGGER IF EXISTS {table}_search_words_insert ON {table};
    DROP TRIGGER IF EXISTS {table}_search_words_update ON {table};
    """
    return migrations.RunSQL(sql, reverse)
