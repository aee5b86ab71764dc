"""GOV.UK pagination for every list page: one COUNT and one page query, whatever the list length."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """Template context for a page of results: page_obj, page_range and the query without page.

    A page number past the end, or not a number, shows the nearest real page rather than an
    error, because people edit URLs and follow old links.
    """
    paginator = Paginator(queryset, per_page)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1),
        "querystring_base": query.urlencode(),
    }
