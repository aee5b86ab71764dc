"""One search across the service: problems, components, standards, learning, centres and
organisations in one ranked list.

Each app says what it contributes (`registry.search_kind`, from its `ready()`): a queryset of
the rows the user may see, passed through `ranked`, the one rule for matching and scoring, so
that scores compare across kinds. Every kind's best rows come back in one UNION ALL statement,
whatever the number of kinds or matches.

A row matches when its full-text vector matches the words (websearch syntax, English stemming)
or, when the words match nothing of its kind, when its title is like them (pg_trgm word
similarity, which forgives typing mistakes: "bin colection" finds "Missed bin collections").
Its score is the full-text rank plus the title's word similarity, so a title match outranks a
match deep in a description, whatever the kind.
"""

import hashlib
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import Exists, F, FloatField, TextField, Value
from django.db.models.functions import Cast, Left

from institute import fragments, registry
from institute.models import SEARCH_CONFIG

MAX_LENGTH = 200  # characters of a search; more is refused with a message
PER_KIND = 50  # best rows of each kind in one search
CANDIDATES = 100  # rows of each kind scored, at most (see `ranked`)
PAGE_SIZE = 20
SUMMARY_LENGTH = 300


def terms_clean(text: str) -> str:
    """The words searched for: spaces collapsed, control characters (which PostgreSQL refuses
    in a string) dropped."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def ranked(
    qs,
    *,
    terms: str,
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
    without reading the rows). Titles are compared by trigrams only when the words match nothing
    of this kind: a typing mistake, not a second search."""
    query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
    vector = F(vector) if isinstance(vector, str) else vector
    rank_vector = F(rank_vector) if rank_vector else vector
    words = qs.annotate(search_vector_=vector).filter(search_vector_=query)
    alike = qs.filter(**{f"{title}__trigram_word_similar": terms})
    # One list of candidates (a UNION), so PostgreSQL joins it rather than testing every row.
    candidates = (
        words.order_by(*candidate_order)
        .values("pk")[:CANDIDATES]
        .union(
            # The most alike first: ordering also leads PostgreSQL to the trigram index (with
            # a bare LIMIT it reads the table, computing every title's similarity).
            alike.filter(~Exists(words))
            .annotate(search_alike=TrigramWordSimilarity(terms, title))
            .order_by("-search_alike")
            .values("pk")[:CANDIDATES],
            all=True,
        )
    )
    return qs.filter(pk__in=candidates).annotate(
        search_key=Cast(key, output_field=TextField()),
        search_title=F(title),
        search_summary=Left(summary, SUMMARY_LENGTH),
        search_score=Cast(
            SearchRank(rank_vector, query, normalization=Value(32))
            + TrigramWordSimilarity(terms, title),
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
    are of every kind). One query, or none when the same search was answered since the rows it
    would find last changed."""
    terms = terms_clean(terms)[:MAX_LENGTH]
    results = Results(terms=terms)
    entries = {entry.kind: entry for entry in registry.search_kinds()}
    if not terms or not any(character.isalnum() for character in terms):
        return results
    depends = tuple(sorted({name for entry in entries.values() for name in entry.depends}))
    digest = hashlib.sha256(terms.encode()).hexdigest()
    # Only what everyone may see is found, so one answer serves everyone until a write changes
    # what it would find (popular searches repeat).
    rows = fragments.cached(f"search:{digest}", depends, lambda: _rows(user, terms, entries))
    for key, title, summary, score, kind in rows:
        results.counts[kind] = results.counts.get(kind, 0) + 1
        if kinds and kind not in kinds:
            continue
        entry = entries[kind]
        results.rows.append(Result(kind, entry.label, title, summary, entry.url(key), score))
    return results


def _rows(user, terms: str, entries: dict) -> list[tuple]:
    """(key, title, summary, score, kind) of every kind's best matches, best first."""
    parts = [
        entry.rows(user=user, terms=terms)
        .annotate(search_kind=Value(entry.kind))
        .order_by("-search_score", "search_key")
        .values_list("search_key", "search_title", "search_summary", "search_score", "search_kind")[
            :PER_KIND
        ]
        for entry in entries.values()
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return list(union.order_by("-search_score", "search_kind", "search_key"))
