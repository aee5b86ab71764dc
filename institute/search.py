"""One search across the service: problems, components, standards, learning, centres and
organisations in one ranked list.

Each app says what it contributes (`registry.search_kind`, from its `ready()`): a queryset of
the rows the user may see, passed through `ranked`, the one rule for matching and scoring, so
that scores compare across kinds. Every kind's best rows come back in one UNION ALL statement,
whatever the number of kinds or matches.

A row matches when its full-text vector matches the words (websearch syntax, English stemming)
or, when the words match nothing of its kind and one of them is no word of any title or name
(a typing mistake: "colection"), when it matches the closest such words instead ("bin" and
"collection" or "collections"). The closest words come from the service's own words
(`SearchWord`, a few thousand, kept by the database: institute.search_words), by pg_trgm
similarity, so the cost of forgiving a mistake does not grow with the number of rows.
A row's score is the full-text rank plus its title's word similarity to what was typed, so a
title match outranks a match deep in a description, whatever the kind.

Drafts are found only for the people who may work on them (each kind says who, `drafts`), in
a second statement: the first, what everyone may see, is one answer for everyone.
"""

import functools
import hashlib
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Exists, F, FloatField, TextField, Value
from django.db.models.functions import Cast, Left

from institute import fragments, registry, search_words
from institute.models import SEARCH_CONFIG

MAX_LENGTH = 200  # characters of a search; more is refused with a message
PER_KIND = 50  # best rows of each kind in one search
CANDIDATES = 100  # rows of each kind scored, at most (see `ranked`)
CLOSEST_WORDS = 3  # a mistyped word is searched as any of its closest words
SIMILARITY = 0.2  # and they must be at least this alike (pg_trgm similarity, 0–1)
PAGE_SIZE = 20
SUMMARY_LENGTH = 300


def terms_clean(text: str) -> str:
    """The words searched for: spaces collapsed, control characters (which PostgreSQL refuses
    in a string) dropped."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


@dataclass(frozen=True)
class Terms:
    """What was typed (`text`) and, when a word of it is no word of any title, the query of its
    closest words (`alternative`, to_tsquery syntax)."""

    text: str
    alternative: str | None = None


_WORD = re.compile(r"[^\W_]+")  # as the database splits titles (search_words.WORD_PATTERN)


def terms_corrected(text: str) -> Terms:
    """`text`, with the query of the closest words if a word in it is no word of the service's
    titles and names. One statement."""
    words = [word for word in _WORD.findall(text.lower()) if len(word) <= search_words.MAX_LENGTH]
    if not words:
        return Terms(text)
    # Each word, and each two next to each other as one ("pot hole": "pothole").
    joined = [a + b for a, b in zip(words, words[1:], strict=False)]
    probes = words + joined
    fuzzy = [len(word) >= search_words.MIN_LENGTH for word in words] + [False] * len(joined)
    with connection.cursor() as cursor:
        # The GIN trigram index answers `%` at the threshold set (for this statement's
        # transaction only) by the first row of the join: a setting, not an argument.
        cursor.execute(
            """
            WITH threshold AS MATERIALIZED (
                SELECT set_config('pg_trgm.similarity_threshold', %s, true)
            )
            SELECT probe.word,
                CASE WHEN EXISTS (SELECT FROM institute_searchword w WHERE w.word = probe.word)
                    THEN ARRAY[probe.word]
                WHEN probe.fuzzy THEN ARRAY(
                    SELECT w.word::text FROM institute_searchword w WHERE w.word %% probe.word
                    ORDER BY similarity(w.word, probe.word) DESC, w.word LIMIT %s)
                ELSE ARRAY[]::text[] END
            FROM threshold, unnest(%s::text[], %s::boolean[]) AS probe(word, fuzzy)
            """,
            [str(SIMILARITY), CLOSEST_WORDS, probes, fuzzy],
        )
        closest = dict(cursor.fetchall())
    known = {word for word, found in closest.items() if found == [word]}
    known |= {word for word in words if len(word) < search_words.MIN_LENGTH}  # never corrected
    groups, mistaken, i = [], False, 0
    while i < len(words):
        word = words[i]
        either = " | ".join(closest[word]) or word
        group = either if word in known else f"({either})"
        mistaken |= word not in known
        if i + 1 < len(words) and words[i + 1] != word and word + words[i + 1] in known:
            pair = word + words[i + 1]
            if not (word in known and words[i + 1] in known):
                mistaken = True
            other = " | ".join(closest[words[i + 1]]) or words[i + 1]
            group = f"({pair} | ({group}) & ({other}))"
            i += 1
        groups.append(group)
        i += 1
    return Terms(text, " & ".join(groups) if mistaken else None)


def ranked(
    qs,
    *,
    terms: Terms,
    vector,
    title: str,
    summary: str,
    key: str = "pk",
    rank_vector=None,
    candidate_order=("pk",),
):
    """Rows of `qs` matching `terms`, scored: `vector` is a search vector field name or
    expression, `title` and `summary` field names, `key` the field that addresses the row (its
    URL argument); `rank_vector`, a narrower vector to score on (long texts are slow to rank).

    However many rows match, at most CANDIDATES of them are scored, the first in
    `candidate_order` (for problems, the most councils first: an index walks them in that order
    without reading the rows). The closest words of a mistyped word are searched only when the
    words match nothing of this kind: a typing mistake, not a second search."""
    query = SearchQuery(terms.text, search_type="websearch", config=SEARCH_CONFIG)
    vector = F(vector) if isinstance(vector, str) else vector
    rank_vector = F(rank_vector) if rank_vector else vector
    matching = qs.annotate(search_vector_=vector)
    words = matching.filter(search_vector_=query)
    candidates = words.order_by(*candidate_order).values("pk")[:CANDIDATES]
    rank_query = query
    if terms.alternative:
        alternative = SearchQuery(terms.alternative, search_type="raw", config=SEARCH_CONFIG)
        # One list of candidates (a UNION), so PostgreSQL joins it rather than testing every row.
        candidates = candidates.union(
            matching.filter(search_vector_=alternative)
            .filter(~Exists(words))
            .order_by(*candidate_order)
            .values("pk")[:CANDIDATES],
            all=True,
        )
        rank_query = query | alternative
    return qs.filter(pk__in=candidates).annotate(
        search_key=Cast(key, output_field=TextField()),
        search_title=F(title),
        search_summary=Left(summary, SUMMARY_LENGTH),
        search_score=Cast(
            SearchRank(rank_vector, rank_query, normalization=Value(32))
            + TrigramWordSimilarity(terms.text, title),
            output_field=FloatField(),
        ),
    )


@dataclass(frozen=True)
class Result:
    kind: str
    label: str
    title: str
    summary: str
    url: str
    score: float
    draft: bool = False


@dataclass
class Results:
    terms: str
    rows: list[Result] = field(default_factory=list)  # of the kinds asked for, best first
    counts: dict[str, int] = field(default_factory=dict)  # every kind's matches (to PER_KIND)

    def count_label(self, kind: str) -> str:
        count = self.counts.get(kind, 0)
        return f"{count}+" if count >= PER_KIND else str(count)


def search(*, user, terms: str, kinds=()) -> Results:
    """What `user` may see that matches `terms`, best first; only `kinds` if given (the counts
    are of every kind). What everyone may see comes from one statement (after one that looks
    for typing mistakes), or from the cache when the same search was answered since the rows
    it would find last changed; the drafts `user` may work on, from one more, when there are
    any they may."""
    terms = terms_clean(terms)[:MAX_LENGTH]
    results = Results(terms=terms)
    entries = {entry.kind: entry for entry in registry.search_kinds()}
    if not terms or not any(character.isalnum() for character in terms):
        return results
    depends = tuple(sorted({name for entry in entries.values() for name in entry.depends}))
    digest = hashlib.sha256(terms.encode()).hexdigest()
    # Only what everyone may see is found here, so one answer serves everyone until a write
    # changes what it would find (popular searches repeat).
    alternative, rows = fragments.cached(
        # ("found:": the cached value was once the rows alone; such entries are never read.)
        f"search:found:{digest}",
        depends,
        lambda: _found(terms, entries),
    )
    drafts = _draft_rows(user, Terms(terms, alternative), entries)
    rows = sorted(
        [(*row, False) for row in rows] + [(*row, True) for row in drafts],
        key=lambda row: (-row[3], row[4], row[0]),
    )
    for key, title, summary, score, kind, draft in rows:
        results.counts[kind] = results.counts.get(kind, 0) + 1
        if kinds and kind not in kinds:
            continue
        entry = entries[kind]
        results.rows.append(
            Result(kind, entry.label, title, summary, entry.url(key), score, draft=draft)
        )
    return results


def _found(text: str, entries: dict) -> tuple[str | None, list[tuple]]:
    """The query of the closest words (if there was a typing mistake), and what everyone may
    see that matches."""
    terms = terms_corrected(text)
    sql, params = _statement(tuple(entries), alternative=terms.alternative is not None)
    values = {_TEXT: terms.text, _ALTERNATIVE: terms.alternative}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(param, param) for param in params])
        return terms.alternative, cursor.fetchall()


# Stand-ins for what was typed, replaced in the statement's parameters on every search.
_TEXT = "search-terms-b6f1c2"
_ALTERNATIVE = "search-alternative-9d04e7"


@functools.lru_cache(maxsize=16)
def _statement(kinds: tuple[str, ...], *, alternative: bool) -> tuple[str, tuple]:
    """The statement (SQL and parameters) of every kind's public matches for stand-in terms.

    Built once: the ORM takes longer to build and compile this statement of six ranked
    UNIONs than PostgreSQL takes to answer it, and only its parameters change."""
    entries = {entry.kind: entry for entry in registry.search_kinds()}
    terms = Terms(_TEXT, _ALTERNATIVE if alternative else None)
    parts = [entries[kind].rows(terms=terms).annotate(search_kind=Value(kind)) for kind in kinds]
    return _union(parts).query.sql_with_params()


def _draft_rows(user, terms: Terms, entries: dict) -> list[tuple]:
    """The drafts `user` may work on that match (no query when they may work on none)."""
    if not user.is_authenticated:
        return []
    parts = [
        (entry.kind, entry.drafts(user=user, terms=terms))
        for entry in entries.values()
        if entry.drafts
    ]
    parts = [qs.annotate(search_kind=Value(kind)) for kind, qs in parts if qs is not None]
    return list(_union(parts)) if parts else []


def _union(parts: list):
    """(key, title, summary, score, kind) of the best matches of each ranked queryset, best
    first, in one statement."""
    parts = [
        part.order_by("-search_score", "search_key").values_list(
            "search_key", "search_title", "search_summary", "search_score", "search_kind"
        )[:PER_KIND]
        for part in parts
    ]
    if len(parts) == 1:
        return parts[0]
    return (
        parts[0].union(*parts[1:], all=True).order_by("-search_score", "search_kind", "search_key")
    )
