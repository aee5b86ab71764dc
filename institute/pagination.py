"""Pagination for every list page and API list: a bounded COUNT and one page query, whatever the
list length, and pages past the first few reached by their neighbour's last row (a cursor), so a
deep page costs what the first one does."""

import base64
import binascii
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from institute import fragments

PAGE_SIZE = 25
COUNT_CAP = 10_000
# Page numbers are offered up to here (an OFFSET of at most 19 pages); past it, "Next" carries
# the last row's sort values, and the database starts from there in the sort's index.
NUMBERED_PAGES = 20


def counted_under(queryset, name: str, filters, *depends: str, order_depends: tuple[str, ...] = ()):
    """Mark a list whose count, and which rows its first page shows, CappedPaginator may keep
    in the cache until a write bumps one of these versions (institute.fragments).

    `name` and `filters` (the selector's filters dataclass, or any value whose repr names every
    filter) key the list; a dataclass's `sort` is left out, since every sort of a list holds the
    same rows and the first page's key adds the queryset's order itself. `depends` must cover
    every row the filters read, and
    `order_depends` what else the sorts read (counters a vote changes, say). Counting reads up
    to COUNT_CAP rows and a sort may read every match, on every request, and the same lists
    (the whole backlog, a popular filter or search) are asked for again and again between
    writes. The rows themselves are always read afresh. Call it on the queryset given to the
    paginator: a queryset's clones do not keep the mark."""
    if dataclasses.is_dataclass(filters) and hasattr(filters, "sort"):
        filters = dataclasses.replace(filters, sort="")
    queryset.count_key = f"{name}:{filters!r}"
    queryset.count_depends = depends
    queryset.order_depends = order_depends
    return queryset


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a page of a 100,000-row list never counts them all.

    Past the cap the page says "more than 10,000"; filters and search narrow a list long before
    anyone reads that far. A list marked with `counted_under` is counted once per version of
    the rows it depends on.
    """

    cap = COUNT_CAP

    def __init__(self, object_list, *args, **kwargs):
        super().__init__(object_list, *args, **kwargs)
        # A list may count less far (a search counts each match on the table).
        self.cap = getattr(object_list, "count_cap", None) or self.cap

    @cached_property
    def raw_count(self):
        counter = getattr(self.object_list, "capped_count", None)  # a list that counts itself
        if counter is not None:
            return counter(self.cap)
        bounded = self.object_list.order_by()[: self.cap + 1]
        key = getattr(self.object_list, "count_key", None)
        if key is None:
            return bounded.count()
        digest = hashlib.sha256(f"{self.cap}:{key}".encode()).hexdigest()
        return fragments.cached(
            f"list-count:{digest}", self.object_list.count_depends, bounded.count
        )

    @cached_property
    def count(self):
        return min(self.raw_count, self.cap)

    def page(self, number):
        """The first page of a list marked with `counted_under`: its rows' ids from the cache
        (the same list in the same sort, since the last write that could change them), then
        those rows, read by primary key. Other pages as Django reads them."""
        number = self.validate_number(number)
        key = getattr(self.object_list, "count_key", None)
        if number != 1 or key is None or not isinstance(self.object_list, QuerySet):
            return super().page(number)
        queryset, size = self.object_list, self.per_page
        digest = hashlib.sha256(f"{size}:{queryset.query.order_by}:{key}".encode()).hexdigest()
        read = None  # the rows, once read from the database

        def first_ids():
            nonlocal read
            read = list(queryset[:size])
            return [row.pk for row in read]

        ids = fragments.cached(
            f"list-first:{digest}", (*queryset.count_depends, *queryset.order_depends), first_ids
        )
        if read is None and ids:
            found = {row.pk: row for row in queryset.filter(pk__in=ids)}
            read = [found[pk] for pk in ids if pk in found]
        elif read is None:  # an empty list asks the database too: no page is served without it
            read = list(queryset[:size])
        return self._get_page(read, number, self)

    @property
    def capped(self):
        return self.raw_count > self.cap


# --- Keyset (cursor) pages -----------------------------------------------------------------------


class InvalidCursor(ValueError):
    """A cursor this list did not make (edited, or from another sort)."""


@dataclass(frozen=True)
class Keyset:
    """A list's sort, when it can be paged by a row's values: columns of the list's own table,
    ending with the primary key (so the order is total). Other sorts (by relevance, across a
    join) page by number. A foreign key counts by its column (`component_id`), not the row.

    A sort in one direction on columns that cannot be null is one row comparison, which starts
    the database's index scan at the row. Mixed directions (the catalogue's most used, then by
    name) and nullable columns (a publication date) are compared column by column, nulls where
    PostgreSQL sorts them (last going up, first going down)."""

    fields: tuple
    directions: tuple  # True where a field is sorted descending

    @classmethod
    def of(cls, queryset) -> "Keyset | None":
        if not isinstance(queryset, QuerySet) or not queryset.query.order_by:
            return None
        model = queryset.model
        fields, directions = [], []
        for item in queryset.query.order_by:
            if not isinstance(item, str) or "__" in item or item.startswith("?"):
                return None
            name = item.lstrip("-")
            try:
                field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            except FieldDoesNotExist:
                return None  # an annotation, such as a search rank
            if not field.concrete or (field.is_relation and name != field.attname):
                return None  # a related row, not its key's column (`component_id` is one)
            fields.append(field)
            directions.append(item.startswith("-"))
        if fields[-1] is not model._meta.pk:
            return None
        return cls(tuple(fields), tuple(directions))

    @property
    def name(self) -> str:
        return ",".join(
            ("-" if desc else "") + field.name
            for field, desc in zip(self.fields, self.directions, strict=True)
        )

    @property
    def simple(self) -> bool:
        """One direction and no nullable column: one row comparison serves."""
        return len(set(self.directions)) == 1 and not any(f.null for f in self.fields)

    def cursor(self, row, *, before: bool = False, page: int) -> str:
        """The cursor of the page after `row` (or before it), which is page number `page`."""
        values = [
            None if getattr(row, field.attname) is None else field.value_to_string(row)
            for field in self.fields
        ]
        data = {"o": self.name, "v": values, "p": page, **({"b": 1} if before else {})}
        text = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[list, bool, int]:
        """(values, before, page number) of a cursor; InvalidCursor if this sort did not make it."""
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(text)
            values, page = data["v"], int(data["p"])
            if data["o"] != self.name or len(values) != len(self.fields) or page < 1:
                raise InvalidCursor
            values = [self._value(f, v) for f, v in zip(self.fields, values, strict=True)]
        except (ValueError, TypeError, KeyError, binascii.Error, ValidationError) as error:
            raise InvalidCursor from error
        return values, bool(data.get("b")), page

    @staticmethod
    def _value(field, value):
        if value is None:
            if not field.null:
                raise InvalidCursor
            return None
        if not isinstance(value, str):
            raise InvalidCursor
        return field.to_python(value)

    def rows(self, queryset, values, *, before: bool, limit: int) -> list:
        """Up to `limit` rows after the row with these values (before it, nearest first)."""
        qs = queryset.filter(self._condition(queryset, values, before=before))
        if before:
            qs = qs.reverse()
        return list(qs[:limit])

    def _condition(self, queryset, values, *, before: bool):
        quote = connection.ops.quote_name
        table = quote(queryset.model._meta.db_table)
        columns = [f"{table}.{quote(field.column)}" for field in self.fields]
        params = [
            None if v is None else f.get_db_prep_value(v, connection)
            for f, v in zip(self.fields, values, strict=True)
        ]
        if self.simple:
            # A row comparison, (a, id) < (x, y), so the database starts its index scan at the
            # row; `a < x OR (a = x AND id < y)` would make it read from the top and filter.
            operator = "<" if self.directions[0] != before else ">"
            marks = ", ".join(["%s"] * len(values))
            sql, sql_params = f"({', '.join(columns)}) {operator} ({marks})", params
        else:
            # Column by column: after the row means equal on the columns before one and past
            # it on that one. The first column's bound, repeated alone, lets an index on it
            # start near the row.
            alternatives, alternative_params = [], []
            equal, equal_params = [], []
            for column, value, desc in zip(columns, params, self.directions, strict=True):
                past, past_params = _past(column, value, later=desc == before)
                if past != "FALSE":
                    alternatives.append(" AND ".join([*equal, past]))
                    alternative_params += [*equal_params, *past_params]
                if value is None:
                    equal.append(f"{column} IS NULL")
                else:
                    equal.append(f"{column} = %s")
                    equal_params.append(value)
            sql = "(" + " OR ".join(f"({a})" for a in alternatives or ["FALSE"]) + ")"
            sql_params = alternative_params
            if params[0] is not None and not self.fields[0].null:
                bound = "<=" if self.directions[0] != before else ">="
                sql = f"{columns[0]} {bound} %s AND {sql}"
                sql_params = [params[0], *sql_params]
        # Columns from the model, values as parameters: nothing from the request reaches the SQL.
        return RawSQL(sql, sql_params, output_field=BooleanField())  # noqa: S611


def _past(column: str, value, *, later: bool) -> tuple[str, list]:
    """SQL for "this column comes after `value`" in an ascending order with nulls last (`later`
    false: "before `value`" in it), which is also "after" in the descending order with nulls
    first. FALSE when nothing can."""
    if later:
        if value is None:
            return "FALSE", []
        return f"({column} > %s OR {column} IS NULL)", [value]
    if value is None:
        return f"{column} IS NOT NULL", []
    return f"{column} < %s", [value]


class KeysetPage:
    """A page reached by cursor: what a Django Page offers the templates, and the cursors of
    its neighbours."""

    def __init__(self, rows, *, paginator, number, keyset, more_after, more_before):
        self.object_list = rows
        self.paginator = paginator
        self.number = number
        self.keyset = keyset
        self._more_after, self._more_before = more_after, more_before

    def __len__(self):
        return len(self.object_list)

    def __iter__(self):
        return iter(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def has_next(self):
        return self._more_after

    def has_previous(self):
        return self._more_before

    def has_other_pages(self):
        return self.has_next() or self.has_previous()

    def next_cursor(self):
        return self.keyset.cursor(self[-1], page=self.number + 1)

    def previous_cursor(self):
        return self.keyset.cursor(self[0], before=True, page=self.number - 1)


def keyset_page(queryset, keyset: Keyset, cursor: str, *, paginator, per_page: int) -> KeysetPage:
    """The page a cursor points to; InvalidCursor if it is not one of this list's."""
    values, before, number = keyset.decode(cursor)
    rows = keyset.rows(queryset, values, before=before, limit=per_page + 1)
    more = len(rows) > per_page  # beyond this page, in the direction read
    rows = rows[:per_page]
    if before:
        rows.reverse()
    return KeysetPage(
        rows,
        paginator=paginator,
        number=number,
        keyset=keyset,
        # The cursor's own row lies on the other side.
        more_after=True if before else more,
        more_before=(more and number > 1) if before else True,
    )


def numbered_keyset_page(
    queryset, keyset: Keyset, number: int, *, paginator, per_page: int
) -> KeysetPage | None:
    """Page `number`, past NUMBERED_PAGES (an old link, or a number typed into the address),
    read as its cursor would read it: the last row before the page is found by its sort values
    alone (a narrow scan of the sort's index, not `number` pages of whole rows and their joins),
    then the page starts from there. None if the list is shorter than that."""
    offset = (number - 1) * per_page
    columns = [field.attname for field in keyset.fields]
    anchor = list(queryset.prefetch_related(None).values_list(*columns)[offset - 1 : offset])
    if not anchor:
        return None
    rows = keyset.rows(queryset, list(anchor[0]), before=False, limit=per_page + 1)
    if not rows:
        return None
    return KeysetPage(
        rows[:per_page],
        paginator=paginator,
        number=number,
        keyset=keyset,
        more_after=len(rows) > per_page,
        more_before=True,
    )


def _page_number(value) -> int | None:
    """A page number as people type it, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def numbered_next_cursor(page, keyset: Keyset | None) -> str | None:
    """The cursor for "Next" from a numbered page, once the next number is past NUMBERED_PAGES."""
    if keyset is None or not page.has_next() or page.number < NUMBERED_PAGES:
        return None
    return keyset.cursor(page[-1], page=page.number + 1)


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """Template context for a page of results: page_obj, page_range, the query without page or
    cursor, and the links to the previous and next pages.

    `?page=` numbers the first NUMBERED_PAGES pages; past them (when the sort allows it) the
    links carry `?after=` or `?before=` cursors, and a larger `?page=` (an old link) is read
    the way its cursor would be. A page number past the end, not a number, or a
    cursor that is not this list's shows the nearest real page rather than an error, because
    people edit URLs and follow old links.
    """
    paginator = CappedPaginator(queryset, per_page)
    keyset = Keyset.of(queryset)
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    base = query.urlencode()
    page_obj = None
    # The cursor says which way it reads; the parameter's name is for people reading the URL.
    cursor = request.GET.get("after") or request.GET.get("before")
    if keyset is not None and cursor:
        try:
            page_obj = keyset_page(queryset, keyset, cursor, paginator=paginator, per_page=per_page)
        except InvalidCursor:
            page_obj = None
        if page_obj is not None and not page_obj.object_list:
            page_obj = None  # the rows moved away: start again
    number = _page_number(request.GET.get("page"))
    if page_obj is None and keyset is not None and number and number > NUMBERED_PAGES:
        # Past the numbered pages: read like "Next" would have, not with OFFSET. A number past
        # the end shows the last page, as Django's get_page does.
        number = min(number, paginator.num_pages)
        if number > NUMBERED_PAGES:
            page_obj = numbered_keyset_page(
                queryset, keyset, number, paginator=paginator, per_page=per_page
            )
    if page_obj is None:
        page_obj = paginator.get_page(request.GET.get("page"))
        page_range = list(
            paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
        )
        if keyset is not None:  # no link to a page number OFFSET would reach slowly
            page_range = _numbers_within(page_range, page_obj.number, paginator.ELLIPSIS)
        previous_url = (
            _with(base, page=page_obj.previous_page_number()) if page_obj.has_previous() else None
        )
        next_url = None
        if page_obj.has_next():
            after = numbered_next_cursor(page_obj, keyset)
            next_url = (
                _with(base, after=after) if after else _with(base, page=page_obj.next_page_number())
            )
    else:
        page_range = (
            [1, paginator.ELLIPSIS, page_obj.number]
            if page_obj.number > 2
            else list(range(1, page_obj.number + 1))
        )
        previous_url = next_url = None
        if page_obj.has_previous():
            if page_obj.number - 1 <= NUMBERED_PAGES:
                previous_url = _with(base, page=page_obj.number - 1)
            else:
                previous_url = _with(base, before=page_obj.previous_cursor())
        if page_obj.has_next():
            next_url = _with(base, after=page_obj.next_cursor())
    return {
        "page_obj": page_obj,
        "page_range": page_range,
        "querystring_base": base,
        "previous_url": previous_url,
        "next_url": next_url,
    }


def _numbers_within(page_range, current, ellipsis):
    """The elided page range without the numbers past NUMBERED_PAGES (other than the current
    page, reached by an old link)."""
    kept = [n for n in page_range if n in (ellipsis, current) or n <= NUMBERED_PAGES]
    while kept and kept[-1] == ellipsis:
        kept.pop()
    return kept


def _with(base: str, **params) -> str:
    extra = urlencode(params)
    return f"?{base}&{extra}" if base else f"?{extra}"
