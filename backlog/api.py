"""DRF serializers and views for the backlog; they call the same services as the pages.

Conventions of every endpoint here:

- Reads go through backlog.access (which problem) and backlog.selectors (what to show); writes go
  through backlog.services only. The rules live there, so the API allows exactly what the pages do.
- Every 400 has one shape, the shape a service's DomainError gets from
  institute.api.exception_handler: {"detail": ..., "code": "invalid", "errors": {field: [...]}},
  whether a serializer or a service found the mistake.
- A refusal is 403 with a JSON body. Anonymous writes get 403 too, not 401: SessionAuthentication
  comes first in DEFAULT_AUTHENTICATION_CLASSES and gives no WWW-Authenticate challenge.
- The permission check comes before input validation: someone who may not write learns nothing
  about what valid input would be.
- Times are ISO 8601 in UTC ("2026-01-02T03:04:05.678901Z").
"""

from datetime import UTC

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from backlog import access, selectors, services
from backlog.models import Problem, Status
from institute import selectors as core_selectors
from institute.access import require
from institute.api import (
    PAGE_PARAMETERS,
    Pagination,
    ServiceAreaField,
    paginated_schema,
    pk_or_404,
    validated,
)
from institute.models import CouncilType, Region, ServiceArea, Theme

app_name = "backlog-api"

MAX_SERVICE_AREAS = 20


class ProblemGone(exceptions.APIException):
    """A problem its council withdrew: the address answers 410, not 404 (as its page does)."""

    status_code = status.HTTP_410_GONE
    default_code = "withdrawn"


def _problem(request, pk: str) -> Problem:
    """The problem with this id, or a JSON 404 (for ids that are not numbers too), or a JSON 410
    for a withdrawn one."""
    try:
        return access.problem_get_for_user(request.user, pk_or_404(pk, "problem"))
    except access.ProblemWithdrawn as gone:
        when = gone.tombstone.withdrawn_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        raise ProblemGone(
            f"Withdrawn by the council that raised it, on {when}.", code="withdrawn"
        ) from None


# --- Serializers -----------------------------------------------------------------------------


class BacklogFiltersSerializer(serializers.Serializer):
    """The query parameters of the backlog list: the same filters, sort and search as the page."""

    q = serializers.CharField(max_length=200, allow_blank=True, default="")
    theme = serializers.ChoiceField(choices=Theme.choices, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, default="")
    service_area = ServiceAreaField(allow_blank=True, default="")
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, default="")
    council_type = serializers.ChoiceField(
        choices=CouncilType.choices, allow_blank=True, default=""
    )
    sort = serializers.ChoiceField(
        choices=[(key, label) for key, (label, _) in selectors.SORTS.items()],
        allow_blank=True,
        default="",
    )


class ProblemSubmitSerializer(serializers.Serializer):
    """Input of a new problem. The service checks it again and has the last word."""

    title = serializers.CharField(max_length=150)
    summary = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=20000)
    theme = serializers.ChoiceField(choices=Theme.choices)
    service_areas = serializers.ListField(
        child=ServiceAreaField(),
        allow_empty=False,
        min_length=1,
        max_length=MAX_SERVICE_AREAS,
    )

    def validate_service_areas(self, slugs):
        slugs = list(dict.fromkeys(slugs))
        areas = {area.slug: area for area in ServiceArea.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in areas]
        if unknown:
            raise serializers.ValidationError(
                f"Choose service areas from the list; not known: {', '.join(unknown)}."
            )
        return [areas[slug] for slug in slugs]


class ProblemEditSerializer(ProblemSubmitSerializer):
    """A change to a problem: only the fields given change. Institute staff give a reason."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in access.EDITABLE_FIELDS:
            self.fields[name].required = False


class GoneSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


GONE = {410: GoneSerializer}


class ProblemRevisionChangeSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=list(access.EDITABLE_FIELDS))
    before = serializers.CharField()
    after = serializers.CharField()


class ProblemRevisionSerializer(serializers.Serializer):
    """One edit of a problem: who (by name and organisation), when, why and what changed (the
    values as people read them: a theme's label, service areas' names)."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField(default_timezone=UTC)
    author = serializers.CharField(source="actor.full_name", default="")
    organisation = serializers.CharField(source="actor_organisation.name", default="")
    by_staff = serializers.BooleanField()
    reason = serializers.CharField()
    changes = ProblemRevisionChangeSerializer(many=True)


class CommentAddSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class ProblemSerializer(serializers.Serializer):
    """A problem in the list. Expects prefetched service areas and `voted_ids` in the context."""

    id = serializers.IntegerField()
    url = serializers.CharField(source="get_absolute_url")
    title = serializers.CharField()
    summary = serializers.CharField()
    theme = serializers.CharField()
    status = serializers.CharField()
    service_areas = serializers.SerializerMethodField()
    council_count = serializers.IntegerField()
    vote_count = serializers.IntegerField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    voted = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(default_timezone=UTC)
    last_activity_at = serializers.DateTimeField(default_timezone=UTC)

    def get_service_areas(self, problem) -> list[str]:
        return [area.slug for area in problem.service_areas.all()]

    def get_voted(self, problem) -> bool:
        return problem.pk in self.context["voted_ids"]

    # The columns `rows` reads: what a row shows, and every sort's columns (a cursor is made
    # from the page's last row).
    ROW_COLUMNS = (
        "id", "title", "summary", "theme", "status", "council_count", "vote_count",
        "merged_into_id", "created_at", "last_activity_at", "trending_count", "service_area_ids",
    )  # fmt: skip

    @classmethod
    def rows(cls, problems, *, voted_ids) -> list[dict]:
        """What `cls(problems, many=True).data` gives, built directly: a 100-row page spent
        most of its time in DRF's per-field machinery and in the service areas' prefetched
        objects. `problems` are loaded with ROW_COLUMNS only; their service areas' slugs (in
        the order of their names, as the prefetch had them) come from the ids beside each row."""
        at = serializers.DateTimeField(default_timezone=UTC).to_representation
        areas = core_selectors.service_area_slugs(problems)
        return [
            {
                "id": p.pk,
                "url": p.get_absolute_url(),
                "title": p.title,
                "summary": p.summary,
                "theme": p.theme,
                "status": p.status,
                "service_areas": areas.get(p.pk, []),
                "council_count": p.council_count,
                "vote_count": p.vote_count,
                "merged_into": p.merged_into_id,
                "voted": p.pk in voted_ids,
                "created_at": at(p.created_at),
                "last_activity_at": at(p.last_activity_at),
            }
            for p in problems
        ]


class ProblemDetailSerializer(ProblemSerializer):
    """One problem with its description and the councils affected (`councils` in the context)."""

    description = serializers.CharField()
    description_html = serializers.CharField()
    councils = serializers.SerializerMethodField()

    def get_service_areas(self, problem) -> list[str]:
        return [area.slug for area in problem.service_areas.order_by("name")]

    def get_councils(self, problem) -> list[dict]:
        breakdown = self.context["councils"]
        organisations = [org for _, orgs in breakdown.by_region for org in orgs]
        return [
            {
                "name": org.name,
                "gss_code": org.gss_code,
                "region": org.region,
                "council_type": org.council_type,
                "officers": org.officers,
                # A council that has closed since: its last day, and the councils that carry
                # its figures now (slugs), as the problem page says.
                "closed_on": org.valid_to.isoformat() if org.closed else None,
                "successors": [heir.slug for heir in org.heirs],
            }
            for org in sorted(organisations, key=lambda org: (org.name, org.pk))
        ]


class CommentSerializer(serializers.Serializer):
    """A comment; the author by name and organisation (never their e-mail address)."""

    id = serializers.IntegerField()
    author = serializers.CharField(source="author.full_name")
    organisation = serializers.CharField(source="author_organisation.name")
    body = serializers.CharField()
    body_html = serializers.CharField()
    created_at = serializers.DateTimeField(default_timezone=UTC)
    edited_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)
    hidden = serializers.BooleanField(source="is_hidden")
    # Only staff are shown hidden comments (selectors.problem_comments): only they see a reason.
    hidden_reason = serializers.CharField()


def _detail(problem: Problem, request) -> dict:
    context = {
        "councils": selectors.problem_councils(problem),
        "voted_ids": selectors.problem_voted_ids(request.user, [problem]),
    }
    return ProblemDetailSerializer(problem, context=context).data


# --- Views -----------------------------------------------------------------------------------


class VoteResultSerializer(serializers.Serializer):
    problem = serializers.IntegerField()
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField()
    council_count = serializers.IntegerField()


class ProblemListView(APIView):
    """GET: the backlog, filtered, sorted and paginated. POST: submit a problem."""

    @extend_schema(
        summary="List problems",
        operation_id="problems_list",
        parameters=[BacklogFiltersSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(ProblemSerializer),
    )
    def get(self, request):
        filters = selectors.BacklogFilters(
            **validated(BacklogFiltersSerializer, request.query_params)
        )
        paginator = Pagination()
        problems = selectors.problem_list_page(filters, columns=ProblemSerializer.ROW_COLUMNS)
        page = paginator.paginate_queryset(problems, request, view=self)
        voted_ids = selectors.problem_voted_ids(request.user, page)
        return paginator.get_paginated_response(ProblemSerializer.rows(page, voted_ids=voted_ids))

    @extend_schema(
        summary="Submit a problem",
        request=ProblemSubmitSerializer,
        responses={201: ProblemDetailSerializer},
    )
    def post(self, request):
        require(
            access.can_submit_problem(request.user),
            "Only council officers, centre staff and institute staff can submit problems.",
        )
        data = validated(ProblemSubmitSerializer, request.data)
        problem = services.problem_submit(actor=request.user, **data)
        # Read it back, so the body is exactly what GET shows (the service may change the row
        # after it built the object, e.g. the submitter's own vote touching last_activity_at).
        problem = access.problem_get_for_user(request.user, problem.pk)
        location = reverse("backlog-api:problem_detail", kwargs={"pk": problem.pk})
        return Response(
            _detail(problem, request),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class ProblemDetailView(APIView):
    """GET: one problem. A merged problem is still shown, with `merged_into` set; a withdrawn
    one is 410. PATCH: edit it (its submitter while it is new; institute staff at any status,
    with a `reason`). DELETE: withdraw it (its submitter, while it is new and no other council
    has said it has it)."""

    @extend_schema(summary="Get a problem", responses={200: ProblemDetailSerializer, **GONE})
    def get(self, request, pk):
        return Response(_detail(_problem(request, pk), request))

    @extend_schema(
        summary="Edit a problem",
        request=ProblemEditSerializer,
        responses={200: ProblemDetailSerializer, **GONE},
    )
    def patch(self, request, pk):
        problem = _problem(request, pk)
        require(
            access.can_edit_problem(request.user, problem),
            "Only the person who raised a problem can change it, while it is new, and "
            "institute staff.",
        )
        data = validated(ProblemEditSerializer, request.data)
        given = {name: data[name] for name in access.EDITABLE_FIELDS if name in data}
        current = {
            "title": problem.title,
            "summary": problem.summary,
            "description": problem.description,
            "theme": problem.theme,
            "service_areas": list(problem.service_areas.all()),
        }
        services.problem_edit(
            actor=request.user, problem=problem, **{**current, **given}, reason=data["reason"]
        )
        return Response(_detail(access.problem_get_for_user(request.user, problem.pk), request))

    @extend_schema(summary="Withdraw a problem", responses={204: None, **GONE})
    def delete(self, request, pk):
        problem = _problem(request, pk)
        services.problem_withdraw(actor=request.user, problem=problem)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProblemChangesView(APIView):
    """GET: a problem's revisions, newest first, paginated."""

    @extend_schema(
        summary="List a problem's changes",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated_schema(ProblemRevisionSerializer), **GONE},
    )
    def get(self, request, pk):
        problem = _problem(request, pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.problem_revisions(problem), request, view=self)
        return paginator.get_paginated_response(ProblemRevisionSerializer(page, many=True).data)


class ProblemVoteView(APIView):
    """POST: "my council has this problem too" (201 new, 200 already). DELETE: take it back."""

    @extend_schema(
        summary="Vote for a problem",
        request=None,
        responses={200: VoteResultSerializer, 201: VoteResultSerializer, **GONE},
    )
    def post(self, request, pk):
        problem = _problem(request, pk)
        _, created = services.problem_vote(actor=request.user, problem=problem)  # updates it
        body = {
            "problem": problem.pk,
            "voted": True,
            "vote_count": problem.vote_count,
            "council_count": problem.council_count,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Withdraw your vote", responses={204: None, **GONE})
    def delete(self, request, pk):
        problem = _problem(request, pk)
        if not services.problem_vote_withdraw(actor=request.user, problem=problem):
            raise exceptions.NotFound("You have not voted for this problem.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProblemCommentsView(APIView):
    """GET: the discussion, paginated, oldest first. POST: add a comment."""

    @extend_schema(
        summary="List a problem's comments",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated_schema(CommentSerializer), **GONE},
    )
    def get(self, request, pk):
        problem = _problem(request, pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.problem_comments(problem, request.user), request, view=self
        )
        return paginator.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        summary="Comment on a problem",
        request=CommentAddSerializer,
        responses={201: CommentSerializer, **GONE},
    )
    def post(self, request, pk):
        problem = _problem(request, pk)
        require(
            access.can_comment(request.user),
            "Only council officers, centre staff and institute staff can comment.",
        )
        data = validated(CommentAddSerializer, request.data)
        comment = services.comment_add(actor=request.user, problem=problem, body=data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("problems/", ProblemListView.as_view(), name="problem_list"),
    path("problems/<str:pk>/", ProblemDetailView.as_view(), name="problem_detail"),
    path("problems/<str:pk>/vote/", ProblemVoteView.as_view(), name="problem_vote"),
    path("problems/<str:pk>/comments/", ProblemCommentsView.as_view(), name="problem_comments"),
    path("problems/<str:pk>/changes/", ProblemChangesView.as_view(), name="problem_changes"),
]
