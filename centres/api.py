"""DRF serializers and views of this app; they call the same services as the pages.

The conventions of backlog/api.py hold here too: reads through centres.access and
centres.selectors, writes through centres.services; one 400 body shape
({"detail", "code": "invalid", "errors": {field: [...]}}); refusals are 403 with a JSON body and
are checked before the input; drafts are 404 to everyone but the centre and the institute.
PATCH changes only the fields sent.
"""

import uuid
from datetime import UTC

from django.db.models import Q
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from backlog import selectors as backlog_selectors
from centres import access, selectors, services
from centres.models import (
    Centre,
    CostBand,
    LearningKind,
    Project,
    ProjectPhase,
    ProjectStatus,
)
from components import selectors as components_selectors
from institute.access import require
from institute.api import (
    PAGE_PARAMETERS,
    InvalidInput,
    Pagination,
    ServiceAreaField,
    id_parameter,
    paginated_schema,
    pk_or_404,
    public_id_or_404,
)
from institute.api import validated as _validated
from institute.change_api import ReviewedChangeSerializer, change_views
from institute.models import CouncilType, Organisation, Region, ServiceArea, Theme
from standards import selectors as standards_selectors

app_name = "centres-api"

MAX_LINKS = 50


# The learning routes take any string so that a malformed identifier is the API's JSON 404 (not
# the site's HTML one); the schema says what a real identifier is.
PUBLIC_ID = id_parameter("public_id", "The learning's id", OpenApiTypes.UUID)


def _centre(request, slug: str) -> Centre:
    return access.centre_get_for_user(request.user, slug)


# --- Input fields ----------------------------------------------------------------------------


class CouncilsField(serializers.ListField):
    """Councils by slug or ONS GSS code."""

    child = serializers.CharField(max_length=200)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LINKS)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        keys = list(dict.fromkeys(super().to_internal_value(data)))
        found = list(Organisation.objects.filter(Q(slug__in=keys) | Q(gss_code__in=keys)))
        by_key = {o.slug: o for o in found} | {o.gss_code: o for o in found if o.gss_code}
        unknown = [key for key in keys if key not in by_key]
        if unknown:
            raise serializers.ValidationError(f"No organisation is known as: {', '.join(unknown)}.")
        return [by_key[key] for key in keys]


class ProblemsField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=2_000_000_000)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LINKS)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        found = backlog_selectors.problems_by_number(ids)
        unknown = [str(pk) for pk in ids if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"There is no problem with id {', '.join(unknown)}.")
        return [found[pk] for pk in ids]


class ServiceAreasField(serializers.ListField):
    child = ServiceAreaField()

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        found = {a.slug: a for a in ServiceArea.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise serializers.ValidationError(
                f"Choose service areas from the list; not known: {', '.join(unknown)}."
            )
        return [found[s] for s in slugs]


class _SlugsField(serializers.ListField):
    """Rows of `model` by slug, in the order given; the services judge which may be linked."""

    child = serializers.SlugField(max_length=160)
    by_slug = None  # slugs -> {slug: row}, from the owning app's selectors
    noun = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LINKS)
        super().__init__(**kwargs)

    def find(self, slugs) -> dict:
        return type(self).by_slug(slugs)

    def to_internal_value(self, data):
        slugs = list(dict.fromkeys(super().to_internal_value(data)))
        found = self.find(slugs)
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise serializers.ValidationError(f"No {self.noun} has the slug {', '.join(unknown)}.")
        return [found[s] for s in slugs]


class ComponentsField(_SlugsField):
    """Published components, and those the object links already (as the page's form offers):
    another person's draft is refused like an unknown slug, its name never shown."""

    noun = "component"

    def find(self, slugs) -> dict:
        linked = (self.root.context.get("current") or {}).get(self.field_name, ())
        return components_selectors.components_to_link_by_slug(slugs, linked)


class StandardsField(_SlugsField):
    by_slug = staticmethod(standards_selectors.standards_by_slug)
    noun = "standard"


def _centre_from_body(request) -> Centre:
    slug = request.data.get("centre") if hasattr(request.data, "get") else None
    if not isinstance(slug, str) or not slug:
        raise InvalidInput({"centre": ["Give the slug of the centre."]})
    centre = Centre.objects.select_related("host").filter(slug=slug).first()
    if centre is None:
        raise InvalidInput({"centre": ["No centre has this slug."]})
    return centre


# --- Serializers -----------------------------------------------------------------------------


class CentreInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    host = serializers.SlugField(max_length=200)
    regions = serializers.ListField(
        child=serializers.ChoiceField(choices=Region.choices),
        allow_empty=False,
        min_length=1,
        max_length=9,
    )
    focus_themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices),
        allow_empty=False,
        min_length=1,
        max_length=6,
    )
    focus = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, allow_blank=True, default="")

    def validate_host(self, slug):
        host = Organisation.objects.filter(slug=slug).first()
        if host is None:
            raise serializers.ValidationError("No organisation has this slug.")
        return host


class ProjectInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=150)
    summary = serializers.CharField(max_length=1000)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    phase = serializers.ChoiceField(choices=ProjectPhase.choices, default=ProjectPhase.DISCOVERY)
    partner_councils = CouncilsField(required=False, default=list)
    problems = ProblemsField(required=False, default=list)
    components_produced = ComponentsField(required=False, default=list)
    components_used = ComponentsField(required=False, default=list)
    start_date = serializers.DateField(allow_null=True, required=False, default=None)
    end_date = serializers.DateField(allow_null=True, required=False, default=None)


class LearningInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LearningKind.choices)
    title = serializers.CharField(max_length=150)
    summary = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=50000)
    evidence_strength = serializers.IntegerField(min_value=0, max_value=5)
    cost_band = serializers.ChoiceField(choices=CostBand.choices)
    impact_summary = serializers.CharField(max_length=1000)
    themes = serializers.ListField(
        child=serializers.ChoiceField(choices=Theme.choices),
        allow_empty=False,
        min_length=1,
        max_length=6,
    )
    service_areas = ServiceAreasField(required=False, default=list)
    councils = CouncilsField(required=False, default=list)
    problems = ProblemsField(required=False, default=list)
    components = ComponentsField(required=False, default=list)
    standards = StandardsField(required=False, default=list)
    project = serializers.IntegerField(allow_null=True, required=False, default=None)


class ProjectCreateSerializer(ProjectInputSerializer):
    """The schema of a new project: the centre's slug and the project's fields."""

    centre = serializers.SlugField(max_length=150)


class LearningCreateSerializer(LearningInputSerializer):
    """The schema of new learning: the centre's slug and the learning's fields."""

    centre = serializers.SlugField(max_length=150)


class LibraryFiltersSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=LearningKind.choices, allow_blank=True, default="")
    theme = serializers.ChoiceField(choices=Theme.choices, allow_blank=True, default="")
    service_area = ServiceAreaField(allow_blank=True, default="")
    min_evidence = serializers.IntegerField(min_value=0, max_value=5, required=False)
    cost_band = serializers.ChoiceField(choices=CostBand.choices, allow_blank=True, default="")
    centre = serializers.SlugField(max_length=150, allow_blank=True, default="")
    council_type = serializers.ChoiceField(
        choices=CouncilType.choices, allow_blank=True, default=""
    )
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True, default="")
    sort = serializers.ChoiceField(
        choices=[(k, label) for k, (label, _) in selectors.SORTS.items()],
        allow_blank=True,
        default="",
    )


class ProjectFiltersSerializer(serializers.Serializer):
    centre = serializers.SlugField(max_length=150, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=ProjectStatus.choices, allow_blank=True, default="")
    problem = serializers.IntegerField(min_value=1, max_value=2_000_000_000, required=False)


class CentreSerializer(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    name = serializers.CharField()
    host = serializers.CharField(source="host.slug")
    host_name = serializers.CharField(source="host.name")
    regions = serializers.ListField(child=serializers.CharField())
    focus_themes = serializers.ListField(child=serializers.CharField())
    focus = serializers.CharField()
    project_count = serializers.IntegerField(required=False)
    learning_count = serializers.IntegerField(required=False)


class CentreDetailSerializer(CentreSerializer):
    description = serializers.CharField()
    description_html = serializers.CharField()


def _councils(organisations) -> list[dict]:
    return [{"slug": o.slug, "name": o.name} for o in organisations]


class ProjectSerializer(serializers.Serializer):
    """Expects prefetched partner councils and problems (selectors.project_list)."""

    id = serializers.IntegerField()
    url = serializers.CharField(source="get_absolute_url")
    centre = serializers.CharField(source="centre.slug")
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    phase = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    partner_councils = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(default_timezone=UTC)
    activated_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)

    def get_partner_councils(self, project) -> list[dict]:
        return _councils(sorted(project.partner_councils.all(), key=lambda o: o.name))

    def get_problems(self, project) -> list[int]:
        return sorted(p.pk for p in project.problems.all())


class ProjectDetailSerializer(ProjectSerializer):
    """One project, with the components it produces and uses (prefetched, by slug)."""

    components_produced = serializers.SerializerMethodField()
    components_used = serializers.SerializerMethodField()

    def get_components_produced(self, project) -> list[str]:
        return sorted(c.slug for c in project.components_produced.all())

    def get_components_used(self, project) -> list[str]:
        return sorted(c.slug for c in project.components_used.all())


class LearningSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.CharField(source="get_absolute_url")
    centre = serializers.CharField(source="centre.slug")
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    evidence_strength = serializers.IntegerField()
    cost_band = serializers.CharField()
    themes = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    published_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)


class LearningDetailSerializer(LearningSerializer):
    body = serializers.CharField()
    body_html = serializers.CharField()
    impact_summary = serializers.CharField()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    councils = serializers.SerializerMethodField()
    service_areas = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    components = serializers.SerializerMethodField()
    standards = serializers.SerializerMethodField()
    revisions = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(default_timezone=UTC)
    updated_at = serializers.DateTimeField(default_timezone=UTC)
    submitted_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)
    review_note = serializers.SerializerMethodField()
    pending_change = serializers.SerializerMethodField(
        help_text="For the centre's staff and institute staff: a change to the evidence rating, "
        "cost band or impact waiting for review (null when none or not theirs to see)"
    )

    def get_councils(self, learning) -> list[dict]:
        return _councils(learning.councils.order_by("name"))

    def get_service_areas(self, learning) -> list[str]:
        return [a.slug for a in learning.service_areas.order_by("name")]

    def get_problems(self, learning) -> list[int]:
        return sorted(learning.problems.values_list("pk", flat=True))

    def get_components(self, learning) -> list[str]:
        return list(learning.components.order_by("slug").values_list("slug", flat=True))

    def get_standards(self, learning) -> list[str]:
        return list(learning.standards.order_by("slug").values_list("slug", flat=True))

    def get_revisions(self, learning) -> list[dict]:
        return [
            {"number": r.number, "replaced_at": r.replaced_at.astimezone(UTC).isoformat()}
            for r in learning.revisions.all()
        ]

    def get_review_note(self, learning) -> str:
        # Only the centre's staff and institute staff can see a draft, so only they see this.
        return "" if learning.is_published else learning.review_note

    @extend_schema_field(ReviewedChangeSerializer(allow_null=True))
    def get_pending_change(self, learning) -> dict | None:
        user = self.context.get("user")
        if user is None or not learning.is_published:
            return None
        if not access.can_work_on_centre(user, learning.centre):
            return None
        change = selectors.learning_pending_change(learning)
        return ReviewedChangeSerializer(change).data if change else None


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField()
    impact_summary = serializers.CharField()
    evidence_strength = serializers.IntegerField()
    cost_band = serializers.CharField()
    text_from = serializers.DateTimeField(default_timezone=UTC)
    replaced_at = serializers.DateTimeField(default_timezone=UTC)


def _merge_partial(serializer_class, data, current: dict) -> dict:
    """PATCH: validate only the fields sent and keep the rest as they are."""
    serializer = serializer_class(data=data, partial=True, context={"current": current})
    if not serializer.is_valid():
        raise InvalidInput(serializer.errors)
    sent = {k: v for k, v in serializer.validated_data.items() if k in data}
    return {**current, **sent}


# --- Views: centres --------------------------------------------------------------------------


class CentreListView(APIView):
    """GET: every centre. POST: set one up (institute staff)."""

    @extend_schema(
        summary="List centres",
        operation_id="centres_list",
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(CentreSerializer),
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.centre_list(), request, view=self)
        return paginator.get_paginated_response(CentreSerializer(page, many=True).data)

    @extend_schema(
        summary="Set up a centre (institute staff)",
        request=CentreInputSerializer,
        responses={201: CentreDetailSerializer},
    )
    def post(self, request):
        require(access.can_manage_centres(request.user), "Only institute staff can set up centres.")
        data = _validated(CentreInputSerializer, request.data)
        centre = services.centre_create(actor=request.user, **data)
        return Response(
            CentreDetailSerializer(centre).data,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": reverse("centres-api:centre_detail", kwargs={"slug": centre.slug})
            },
        )


class CentreDetailView(APIView):
    @extend_schema(summary="Get a centre", responses=CentreDetailSerializer)
    def get(self, request, slug):
        return Response(CentreDetailSerializer(_centre(request, slug)).data)


# --- Views: projects -------------------------------------------------------------------------


def _project_body(project_id: int) -> dict:
    project = selectors.project_with_component_slugs(project_id)
    return ProjectDetailSerializer(project).data


class ProjectListView(APIView):
    """GET: every centre's projects, filtered. POST: add one (the centre's own staff)."""

    @extend_schema(
        summary="List projects",
        operation_id="projects_list",
        parameters=[ProjectFiltersSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(ProjectSerializer),
    )
    def get(self, request):
        values = _validated(ProjectFiltersSerializer, request.query_params)
        filters = selectors.ProjectFilters(**values)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.project_list(filters), request, view=self)
        return paginator.get_paginated_response(ProjectSerializer(page, many=True).data)

    @extend_schema(
        summary="Add a project (the centre's staff)",
        request=ProjectCreateSerializer,
        responses={201: ProjectDetailSerializer},
    )
    def post(self, request):
        centre = _centre_from_body(request)
        require(
            access.can_work_on_centre(request.user, centre),
            "Only the centre's own staff can add projects.",
        )
        data = _validated(ProjectInputSerializer, request.data)
        project = services.project_create(actor=request.user, centre=centre, **data)
        return Response(
            _project_body(project.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("centres-api:project_detail", kwargs={"pk": project.pk})},
        )


class ProjectDetailView(APIView):
    """GET: one project. PATCH: change it (the centre's own staff)."""

    @extend_schema(summary="Get a project", responses=ProjectDetailSerializer)
    def get(self, request, pk):
        project = access.project_get_for_user(request.user, pk_or_404(pk, "project"))
        return Response(_project_body(project.pk))

    @extend_schema(
        summary="Change a project (the centre's staff)",
        request=ProjectInputSerializer,
        responses=ProjectDetailSerializer,
    )
    def patch(self, request, pk):
        project = access.project_get_for_user(request.user, pk_or_404(pk, "project"), write=True)
        current = {
            "title": project.title,
            "summary": project.summary,
            "status": project.status,
            "phase": project.phase,
            "partner_councils": list(project.partner_councils.all()),
            "problems": list(project.problems.all()),
            "components_produced": list(project.components_produced.all()),
            "components_used": list(project.components_used.all()),
            "start_date": project.start_date,
            "end_date": project.end_date,
        }
        data = _merge_partial(ProjectInputSerializer, request.data, current)
        services.project_update(actor=request.user, project=project, **data)
        return Response(_project_body(project.pk))


# --- Views: learning -------------------------------------------------------------------------


def _learning_project(centre: Centre, project_id):
    if project_id is None:
        return None
    project = Project.objects.filter(pk=project_id, centre=centre).first()
    if project is None:
        raise InvalidInput({"project": ["Choose one of this centre's projects."]})
    return project


def _learning_body(request, public_id: uuid.UUID) -> dict:
    learning = access.learning_get_for_user(request.user, public_id)
    return LearningDetailSerializer(learning, context={"user": request.user}).data


class LearningListView(APIView):
    """GET: the published library, searched and filtered. POST: draft learning (centre staff)."""

    @extend_schema(
        summary="Search published learning",
        operation_id="learning_list",
        parameters=[LibraryFiltersSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(LearningSerializer),
    )
    def get(self, request):
        values = _validated(LibraryFiltersSerializer, request.query_params)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.learning_library(selectors.LibraryFilters(**values)), request, view=self
        )
        return paginator.get_paginated_response(LearningSerializer(page, many=True).data)

    @extend_schema(
        summary="Draft learning (the centre's staff)",
        request=LearningCreateSerializer,
        responses={201: LearningDetailSerializer},
    )
    def post(self, request):
        centre = _centre_from_body(request)
        require(
            access.can_work_on_centre(request.user, centre),
            "Only the centre's own staff can add learning.",
        )
        data = _validated(LearningInputSerializer, request.data)
        data["project"] = _learning_project(centre, data.get("project"))
        learning = services.learning_create(actor=request.user, centre=centre, **data)
        return Response(
            _learning_body(request, learning.public_id),
            status=status.HTTP_201_CREATED,
            headers={
                "Location": reverse(
                    "centres-api:learning_detail", kwargs={"public_id": learning.public_id}
                )
            },
        )


class LearningDetailView(APIView):
    """GET: one item (drafts only for the centre and the institute). PATCH: change it."""

    @extend_schema(
        summary="Get learning", parameters=[PUBLIC_ID], responses=LearningDetailSerializer
    )
    def get(self, request, public_id):
        return Response(_learning_body(request, public_id_or_404(public_id, "learning")))

    @extend_schema(
        summary="Change learning (the centre's staff)",
        description="On published learning, a change to evidence_strength, cost_band or "
        "impact_summary is not applied: it waits for review by the centre's lead or institute "
        "staff (someone other than its author), and the answer is 202 with it in "
        "`pending_change`. Other fields change at once (200).",
        parameters=[PUBLIC_ID],
        request=LearningInputSerializer,
        responses={
            200: LearningDetailSerializer,
            202: OpenApiResponse(
                LearningDetailSerializer,
                description="Saved; a change to the item's claims waits for review "
                "(`pending_change`), and readers see the published values until then",
            ),
        },
    )
    def patch(self, request, public_id):
        learning = access.learning_get_for_user(
            request.user, public_id_or_404(public_id, "learning"), write=True
        )
        current = {
            "kind": learning.kind,
            "title": learning.title,
            "summary": learning.summary,
            "body": learning.body,
            "evidence_strength": learning.evidence_strength,
            "cost_band": learning.cost_band,
            "impact_summary": learning.impact_summary,
            "themes": learning.themes,
            "service_areas": list(learning.service_areas.all()),
            "councils": list(learning.councils.all()),
            "problems": list(learning.problems.all()),
            "components": list(learning.components.all()),
            "standards": list(learning.standards.all()),
            "project": learning.project_id,
        }
        data = _merge_partial(LearningInputSerializer, request.data, current)
        data["project"] = _learning_project(learning.centre, data["project"])
        updated = services.learning_update(actor=request.user, learning=learning, **data)
        return Response(
            _learning_body(request, learning.public_id),
            status=status.HTTP_202_ACCEPTED if updated.proposed_change else status.HTTP_200_OK,
        )


class LearningSubmitView(APIView):
    @extend_schema(
        summary="Submit learning for review",
        parameters=[PUBLIC_ID],
        request=None,
        responses=LearningDetailSerializer,
    )
    def post(self, request, public_id):
        learning = access.learning_get_for_user(
            request.user, public_id_or_404(public_id, "learning"), write=True
        )
        services.learning_submit(actor=request.user, learning=learning)
        return Response(_learning_body(request, learning.public_id))


class LearningPublishView(APIView):
    @extend_schema(
        summary="Publish learning",
        parameters=[PUBLIC_ID],
        request=None,
        responses=LearningDetailSerializer,
    )
    def post(self, request, public_id):
        learning = access.learning_get_for_user(
            request.user, public_id_or_404(public_id, "learning")
        )
        services.learning_publish(actor=request.user, learning=learning)
        return Response(_learning_body(request, learning.public_id))


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class LearningReturnView(APIView):
    @extend_schema(
        summary="Send learning back to its authors",
        parameters=[PUBLIC_ID],
        request=ReturnSerializer,
        responses=LearningDetailSerializer,
    )
    def post(self, request, public_id):
        learning = access.learning_get_for_user(
            request.user, public_id_or_404(public_id, "learning")
        )
        require(
            access.can_publish_for_centre(request.user, learning.centre),
            "Only the centre's lead or institute staff can send learning back.",
        )
        data = _validated(ReturnSerializer, request.data)
        services.learning_return(actor=request.user, learning=learning, note=data["note"])
        return Response(_learning_body(request, learning.public_id))


class LearningRevisionsView(APIView):
    """GET: earlier versions of a published item, newest first."""

    @extend_schema(
        summary="List earlier versions of learning",
        parameters=[PUBLIC_ID],
        responses=RevisionSerializer(many=True),
    )
    def get(self, request, public_id):
        learning = access.learning_get_for_user(
            request.user, public_id_or_404(public_id, "learning")
        )
        revisions = learning.revisions.order_by("-number")
        return Response(RevisionSerializer(revisions, many=True).data)


def _learning_changes(user, public_id):
    return access.learning_changes_get_for_user(user, public_id)[1]


(
    LearningChangeListView,
    LearningChangeDetailView,
    LearningChangePublishView,
    LearningChangeRejectView,
) = change_views(
    prefix="learning",
    noun="learning",
    target_id=PUBLIC_ID,
    seen_by="the centre's staff and institute staff",
    decider="the centre's lead or institute staff",
    get_change=access.learning_change_get_for_user,
    get_changes=_learning_changes,
    publish=services.learning_change_publish,
    reject=services.learning_change_reject,
)


urlpatterns = [
    path("centres/", CentreListView.as_view(), name="centre_list"),
    path("centres/<str:slug>/", CentreDetailView.as_view(), name="centre_detail"),
    path("projects/", ProjectListView.as_view(), name="project_list"),
    path("projects/<str:pk>/", ProjectDetailView.as_view(), name="project_detail"),
    path("learning/", LearningListView.as_view(), name="learning_list"),
    path("learning/<str:public_id>/", LearningDetailView.as_view(), name="learning_detail"),
    path("learning/<str:public_id>/submit/", LearningSubmitView.as_view(), name="learning_submit"),
    path(
        "learning/<str:public_id>/publish/", LearningPublishView.as_view(), name="learning_publish"
    ),
    path("learning/<str:public_id>/return/", LearningReturnView.as_view(), name="learning_return"),
    path(
        "learning/<str:public_id>/revisions/",
        LearningRevisionsView.as_view(),
        name="learning_revisions",
    ),
    path(
        "learning/<str:public_id>/changes/",
        LearningChangeListView.as_view(),
        name="learning_changes",
    ),
    path(
        "learning/<str:public_id>/changes/<str:change_id>/",
        LearningChangeDetailView.as_view(),
        name="learning_change",
    ),
    path(
        "learning/<str:public_id>/changes/<str:change_id>/publish/",
        LearningChangePublishView.as_view(),
        name="learning_change_publish",
    ),
    path(
        "learning/<str:public_id>/changes/<str:change_id>/reject/",
        LearningChangeRejectView.as_view(),
        name="learning_change_reject",
    ),
]
