"""The service search page and its API: one ranked list of everything a person may see."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from institute import registry, search
from institute.api import PAGE_PARAMETERS, InvalidInput, Pagination
from institute.forms import SearchForm
from institute.urlcache import absolute_url


def _form(data) -> SearchForm:
    choices = [(entry.kind, entry.plural) for entry in registry.search_kinds()]
    return SearchForm(data or None, kind_choices=choices)


@require_GET
def search_page(request):
    form = _form(request.GET)
    results = None
    if form.is_bound and form.is_valid() and search.terms_clean(form.cleaned_data["q"]):
        results = search.search(
            user=request.user, terms=form.cleaned_data["q"], kinds=form.cleaned_data["kind"]
        )
    context = {"page_title": "Search", "form": form, "results": results}
    if results is not None:
        paginator = Paginator(results.rows, search.PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context |= {
            "page_title": f"Search results for ‘{results.terms}’",
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
            "querystring_base": query.urlencode(),
            "kinds": [
                {
                    "kind": entry.kind,
                    "plural": entry.plural,
                    "count": results.count_label(entry.kind),
                }
                for entry in registry.search_kinds()
            ],
        }
    elif form.errors:
        context["page_title"] = "Error: Search"
    return render(request, "institute/search.html", context)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=search.MAX_LENGTH, allow_blank=False, trim_whitespace=True)


def _api_kinds(values: list[str]) -> list[str]:
    """The kinds asked for; an unknown one is a 400 naming the parameter (one flat message)."""
    known = {entry.kind for entry in registry.search_kinds()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput(
            {
                "kind": [
                    f"Unknown kind: {', '.join(repr(k) for k in unknown)}. "
                    f"Kinds are {', '.join(sorted(known))}."
                ]
            }
        )
    return values


class SearchApi(APIView):
    @extend_schema(
        operation_id="search",
        summary="Search problems, components, standards, learning, centres and organisations",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                allow_blank=False,
                pattern=r"\S",
                description="The words (at least one character that is not a space).",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                many=True,
                # The kinds each app registers (AppConfig.ready runs before URLs are loaded).
                enum=[entry.kind for entry in registry.search_kinds()],
                description="Only these kinds (repeat the parameter for more than one).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses=inline_serializer(
            name="SearchResults",
            fields={
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "results": inline_serializer(
                    name="SearchResult",
                    fields={
                        "kind": serializers.CharField(),
                        "title": serializers.CharField(),
                        "summary": serializers.CharField(),
                        "url": serializers.URLField(),
                        "score": serializers.FloatField(),
                        "draft": serializers.BooleanField(
                            help_text="Not published: found only for the people who may work on it."
                        ),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        serializer = SearchQuerySerializer(data={"q": request.query_params.get("q", "")})
        if not serializer.is_valid():
            raise InvalidInput(serializer.errors)
        kinds = _api_kinds(request.query_params.getlist("kind"))
        results = search.search(
            user=request.user, terms=serializer.validated_data["q"], kinds=kinds
        )
        paginator = _ResultsPagination()
        page = paginator.paginate_queryset(results.rows, request, view=self)
        response = paginator.get_paginated_response(
            [
                {
                    "kind": row.kind,
                    "title": row.title,
                    "summary": row.summary,
                    "url": absolute_url(row.url),
                    "score": round(row.score, 4),
                    "draft": row.draft,
                }
                for row in page
            ]
        )
        response.data["counts"] = results.counts
        return response


class _ResultsPagination(Pagination):
    """The API's pagination, over the search's results (a list, at most PER_KIND a kind)."""

    django_paginator_class = Paginator
