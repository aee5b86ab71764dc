"""GOV.UK pagination for every list page: one bounded COUNT and one page query, whatever the
list length."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a page of a 100,000-row list never counts them all.

    Past the cap the page says "more than 10,000" and offers the first 400 pages; filters and
    search narrow a list long before anyone reads that far.
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
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.raw_count, self.cap)

    @property
    def capped(self):
        return self.raw_count > self.cap


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """Template context for a page of results: page_obj, page_range and the query without page.

    A page number past the end, or not a number, shows the nearest real page rather than an
    error, because people edit URLs and follow old links.
    """
    paginator = CappedPaginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "querystring_base": query.urlencode(),
    }
