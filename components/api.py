"""DRF serializers and views of the components library; they call the same services as the pages.

The conventions are the backlog API's (backlog/api.py): reads through components.access and
components.selectors, writes through components.services; every 400 is {"detail", "code",
"errors": {field: [...]}}; a refusal is 403 with a JSON body and is checked before the input.
"""

from datetime import UTC

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from components import access, selectors, services
from components.models import (
    RE_REVIEW_FIELDS,
    Adoption,
    CostModel,
    Hosting,
    Kind,
    Maturity,
    Stage,
)
from institute import access as core_access
from institute import evidence
from institute import selectors as core_selectors
from institute.access import require
from institute.api import (
    EVIDENCE_DOWNLOAD_RESPONSES,
    PAGE_PARAMETERS,
    EvidenceFileSerializer,
    EvidenceUploadSerializer,
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
from institute.errors import NotAllowed
from institute.models import Organisation, ServiceArea, Theme
from standards import selectors as standards_selectors

app_name = "components-api"


# Components are found by their public_id (a UUID), never by number: ones in review must not be
# found by guessing. The routes take any string so that a malformed identifier is the API's JSON
# 404 (not the site's HTML one); the schema says what a real identifier is.
PUBLIC_ID = id_parameter("public_id", "The component's id", OpenApiTypes.UUID)


def _component(request, public_id: str):
    return access.component_get_for_user(request.user, public_id_or_404(public_id, "component"))


# --- Serializers -----------------------------------------------------------------------------


class FiltersSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Kind.choices, allow_blank=True, default="")
    maturity = serializers.ChoiceField(choices=Maturity.choices, allow_blank=True, default="")
    service_area = ServiceAreaField(allow_blank=True, default="")
    theme = serializers.ChoiceField(choices=Theme.choices, allow_blank=True, default="")
    licence = serializers.CharField(max_length=100, allow_blank=True, default="")
    open_licence = serializers.ChoiceField(
        choices=[("yes", "yes"), ("no", "no")], allow_blank=True, default=""
    )
    cost_model = serializers.ChoiceField(choices=CostModel.choices, allow_blank=True, default="")
    hosting = serializers.ChoiceField(choices=Hosting.choices, allow_blank=True, default="")
    origin = serializers.ChoiceField(
        choices=list(selectors.ORIGINS.items()),
        allow_blank=True,
        default="",
        help_text="harvested: from a publiccode.yml source; hand: entered by hand; failing: "
        "its harvest source is failing.",
    )
    sort = serializers.ChoiceField(
        choices=[(key, label) for key, (label, _) in selectors.SORTS.items()],
        allow_blank=True,
        default="",
    )


class ComponentInputSerializer(serializers.Serializer):
    """A new component. The service checks it again and has the last word."""

    name = serializers.CharField(max_length=150)
    summary = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=20000)
    kind = serializers.ChoiceField(choices=Kind.choices)
    maturity = serializers.ChoiceField(
        choices=[c for c in Maturity.choices if c[0] != Maturity.RETIRED]
    )
    theme = serializers.ChoiceField(choices=Theme.choices, allow_blank=True, default="")
    service_areas = serializers.ListField(child=ServiceAreaField(), max_length=20, default=list)
    standards = serializers.ListField(
        child=serializers.SlugField(max_length=150), max_length=50, default=list
    )
    licence = serializers.CharField(max_length=100, allow_blank=True, default="")
    source_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    documentation_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    maintainer = serializers.SlugField(max_length=200, allow_blank=True, default="")
    maintainer_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    cost_model = serializers.ChoiceField(choices=CostModel.choices)
    hosting = serializers.ChoiceField(choices=Hosting.choices)

    def validate_service_areas(self, slugs):
        slugs = list(dict.fromkeys(slugs))
        areas = {a.slug: a for a in ServiceArea.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in areas]
        if unknown:
            raise serializers.ValidationError(
                f"Choose service areas from the list; not known: {', '.join(unknown)}."
            )
        return [areas[s] for s in slugs]

    def validate_standards(self, slugs):
        slugs = list(dict.fromkeys(slugs))
        standards = standards_selectors.standards_by_slug(slugs)
        unknown = [s for s in slugs if s not in standards]
        if unknown:
            raise serializers.ValidationError(
                f"Choose standards from the list; not known: {', '.join(unknown)}."
            )
        return [standards[s] for s in slugs]

    def validate_maintainer(self, slug):
        if not slug:
            return None
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise serializers.ValidationError("No organisation has this slug.")
        return organisation


class ComponentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.CharField(source="get_absolute_url")
    name = serializers.CharField()
    summary = serializers.CharField()
    kind = serializers.CharField()
    maturity = serializers.CharField()
    theme = serializers.CharField()
    service_areas = serializers.SerializerMethodField()
    licence = serializers.CharField()
    licence_open = serializers.BooleanField()
    cost_model = serializers.CharField()
    hosting = serializers.CharField()
    maintainer = serializers.CharField(source="maintainer_display")
    source_url = serializers.CharField()
    documentation_url = serializers.CharField()
    status = serializers.CharField()
    councils_using = serializers.IntegerField(source="using_count")
    councils_adopting = serializers.IntegerField(source="adopting_count")
    published_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)

    def get_service_areas(self, component) -> list[str]:
        # A list names its page's rows in one call (`service_areas` in the context).
        slugs = self.context.get("service_areas")
        if slugs is None:
            slugs = core_selectors.service_area_slugs([component])
        return slugs.get(component.pk, [])


class ComponentDetailSerializer(ComponentSerializer):
    description = serializers.CharField()
    description_html = serializers.CharField()
    retired_reason = serializers.CharField()
    problems = serializers.SerializerMethodField()
    standards = serializers.SerializerMethodField()
    adoption = serializers.SerializerMethodField()
    pending_change = serializers.SerializerMethodField(
        help_text="A change to its maturity, licence or links waiting for review (institute "
        "staff only; null for everyone else)"
    )

    def get_standards(self, component) -> list[str]:
        return sorted(standard.slug for standard in self.context["page"]["standards"])

    def get_problems(self, component) -> list[dict]:
        return [
            {"id": link.problem_id, "title": link.problem.title, "status": link.problem.status}
            for link in self.context["page"]["problem_links"]
        ]

    def get_adoption(self, component) -> dict:
        summary = self.context["page"]["summary"]
        return {
            "councils": summary.total,
            "stale": summary.stale,
            "by_stage": dict(summary.by_stage),
            "by_region": dict(summary.by_region),
            "by_council_type": dict(summary.by_type),
            "councils_like_mine": [row.organisation.slug for row in summary.like_mine],
        }

    @extend_schema_field(ReviewedChangeSerializer(allow_null=True))
    def get_pending_change(self, component) -> dict | None:
        user = self.context.get("user")
        if user is None or not component.is_published or not access.can_review(user):
            return None
        change = selectors.component_pending_change(component)
        return ReviewedChangeSerializer(change).data if change else None


class AdoptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    component = serializers.UUIDField(source="component.public_id")
    component_name = serializers.CharField(source="component.name")
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    gss_code = serializers.CharField(source="organisation.gss_code")
    stage = serializers.CharField()
    since = serializers.DateField()
    evidence_url = serializers.CharField()
    evidence_note = serializers.CharField()
    confirmed_at = serializers.DateTimeField(default_timezone=UTC)
    stale = serializers.SerializerMethodField()

    def get_stale(self, adoption) -> bool:
        return adoption.is_stale()

    # The columns `rows` reads (selectors.adoption_list's `columns`): a page of 100 read every
    # column of each component, its description and search vector too.
    ROW_COLUMNS = (
        "id", "stage", "since", "evidence_url", "evidence_note", "confirmed_at",
        "component__public_id", "component__name",
        "organisation__slug", "organisation__name", "organisation__gss_code",
    )  # fmt: skip

    @classmethod
    def rows(cls, adoptions) -> list[dict]:
        """What `cls(adoptions, many=True).data` gives, built directly: a 100-row page of the
        adoption lists spent most of its time in DRF's per-field machinery. A test pins that
        the two agree (tests/components/test_api.py). `adoptions` are read with ROW_COLUMNS."""
        at = serializers.DateTimeField(default_timezone=UTC).to_representation
        return [
            {
                "id": a.pk,
                "component": str(a.component.public_id),
                "component_name": a.component.name,
                "organisation": a.organisation.slug,
                "organisation_name": a.organisation.name,
                "gss_code": a.organisation.gss_code,
                "stage": a.stage,
                "since": a.since.isoformat(),
                "evidence_url": a.evidence_url,
                "evidence_note": a.evidence_note,
                "confirmed_at": at(a.confirmed_at),
                "stale": a.is_stale(),
            }
            for a in adoptions
        ]


class AdoptionInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    since = serializers.DateField()
    evidence_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    evidence_note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    show_as_contact = serializers.BooleanField(default=False)


class AdoptionCreateSerializer(AdoptionInputSerializer):
    component = serializers.UUIDField(help_text="The component's id.")
    organisation = serializers.SlugField(max_length=200, required=False)


class AdoptionFiltersSerializer(serializers.Serializer):
    component = serializers.UUIDField(required=False, help_text="A component's id.")
    organisation = serializers.SlugField(
        required=False, max_length=200, help_text="An organisation slug."
    )


# --- Views -----------------------------------------------------------------------------------


class ComponentListView(APIView):
    """GET: the published catalogue, filtered, sorted, paginated. POST: submit for review."""

    @extend_schema(
        summary="List published components",
        operation_id="components_list",
        parameters=[FiltersSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(ComponentSerializer),
    )
    def get(self, request):
        filters = selectors.ComponentFilters(**_validated(FiltersSerializer, request.query_params))
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.component_list(filters), request, view=self)
        areas = core_selectors.service_area_slugs(page)
        return paginator.get_paginated_response(
            ComponentSerializer(page, many=True, context={"service_areas": areas}).data
        )

    @extend_schema(
        summary="Submit a component for review",
        request=ComponentInputSerializer,
        responses={201: ComponentDetailSerializer},
    )
    def post(self, request):
        access.require_can_submit_component(request.user)
        data = _validated(ComponentInputSerializer, request.data)
        component = services.component_submit(actor=request.user, source="api", **data)
        component = access.component_get_for_user(request.user, component.public_id)
        location = reverse(
            "components-api:component_detail", kwargs={"public_id": component.public_id}
        )
        return Response(
            _detail(component, request),
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


def _detail(component, request) -> dict:
    page = selectors.component_page(component, request.user)
    return ComponentDetailSerializer(component, context={"page": page, "user": request.user}).data


class ComponentPatchSerializer(ComponentInputSerializer):
    """The fields of a component that can be changed; those not sent keep their values."""


class ComponentDetailView(APIView):
    """GET: one component. PATCH: change it (as on its edit page)."""

    @extend_schema(
        summary="Get a component", parameters=[PUBLIC_ID], responses=ComponentDetailSerializer
    )
    def get(self, request, public_id):
        return Response(_detail(_component(request, public_id), request))

    @extend_schema(
        summary="Change a component (institute staff; its submitter until it is published)",
        description="On a published component, a change to "
        + ", ".join(RE_REVIEW_FIELDS)
        + " is not applied: it waits for review by another member of institute staff, and the "
        "answer is 202 with it in `pending_change`. Other fields change at once (200).",
        parameters=[PUBLIC_ID],
        request=ComponentPatchSerializer,
        responses={
            200: ComponentDetailSerializer,
            202: OpenApiResponse(
                ComponentDetailSerializer,
                description="Saved; a change to its maturity, licence or links waits for review "
                "(`pending_change`), and readers see the published values until then",
            ),
        },
    )
    def patch(self, request, public_id):
        component = access.component_get_for_user(
            request.user, public_id_or_404(public_id, "component"), write=True
        )
        serializer = ComponentPatchSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            raise InvalidInput(serializer.errors)
        sent = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        updated = services.component_update(actor=request.user, component=component, **sent)
        return Response(
            _detail(access.component_get_for_user(request.user, component.public_id), request),
            status=status.HTTP_202_ACCEPTED if updated.proposed_change else status.HTTP_200_OK,
        )


def _own_council(request, slug: str | None) -> Organisation:
    """The council an adoption is recorded for: the officer's own; any other is refused."""
    membership = core_access.membership_of(request.user)
    if membership is None or not access.can_record_adoption(request.user):
        raise NotAllowed("Only council officers can record their council's adoption.")
    if slug and slug != membership.organisation.slug:
        raise NotAllowed("You can only record adoption for your own council.")
    return membership.organisation


def _adoption_page(request, view, qs):
    paginator = Pagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(AdoptionSerializer.rows(page))


class AdoptionListView(APIView):
    """GET: adoptions, by ?component= and/or ?organisation=. POST: record your council's."""

    @extend_schema(
        summary="List adoptions",
        operation_id="adoptions_list",
        parameters=[AdoptionFiltersSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(AdoptionSerializer),
    )
    def get(self, request):
        values = _validated(AdoptionFiltersSerializer, request.query_params)
        component = organisation = None
        if "component" in values:
            component = _component(request, str(values["component"]))
        if "organisation" in values:
            organisation = Organisation.objects.filter(slug=values["organisation"]).first()
            if organisation is None:
                raise InvalidInput({"organisation": ["No organisation has this slug."]})
        qs = selectors.adoption_list(
            component=component,
            organisation=organisation,
            order=selectors.BY_ID,
            columns=AdoptionSerializer.ROW_COLUMNS,
        )
        return _adoption_page(request, self, qs)

    @extend_schema(
        summary="Record your council's adoption of a component",
        request=AdoptionCreateSerializer,
        responses={200: AdoptionSerializer, 201: AdoptionSerializer},
    )
    def post(self, request):
        require(request.user.is_authenticated, "Sign in to record adoption.")
        slug = request.data.get("organisation") if hasattr(request.data, "get") else None
        organisation = _own_council(request, slug if isinstance(slug, str) else None)
        data = _validated(AdoptionCreateSerializer, request.data)
        component = _component(request, str(data.pop("component")))
        data.pop("organisation", None)
        adoption, created = services.adoption_record(
            actor=request.user, component=component, organisation=organisation, **data
        )
        adoption = access.adoption_get_for_user(request.user, adoption.pk)
        return Response(
            AdoptionSerializer(adoption).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ComponentAdoptionsView(APIView):
    @extend_schema(
        summary="List a component's adoptions",
        parameters=[PUBLIC_ID, *PAGE_PARAMETERS],
        responses=paginated_schema(AdoptionSerializer),
    )
    def get(self, request, public_id):
        component = _component(request, public_id)
        qs = selectors.adoption_list(
            component=component, order=selectors.BY_ID, columns=AdoptionSerializer.ROW_COLUMNS
        )
        return _adoption_page(request, self, qs)


class OrganisationAdoptionsView(APIView):
    @extend_schema(
        summary="List an organisation's adoptions",
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(AdoptionSerializer),
    )
    def get(self, request, slug):
        organisation = get_object_or_404(Organisation, slug=slug)
        qs = selectors.adoption_list(
            organisation=organisation,
            order=selectors.BY_ID,
            columns=AdoptionSerializer.ROW_COLUMNS,
        )
        return _adoption_page(request, self, qs)


class AdoptionDetailView(APIView):
    """GET: one adoption. PATCH/PUT: change it (the council's own officers only)."""

    @extend_schema(summary="Get an adoption", responses=AdoptionSerializer)
    def get(self, request, pk):
        return Response(AdoptionSerializer(_adoption(request, pk)).data)

    @extend_schema(
        summary="Change your council's adoption",
        request=AdoptionInputSerializer,
        responses=AdoptionSerializer,
    )
    def patch(self, request, pk):
        adoption = _adoption(request, pk, write=True)
        current = {
            "stage": adoption.stage,
            "since": adoption.since.isoformat(),
            "evidence_url": adoption.evidence_url,
            "evidence_note": adoption.evidence_note,
            "show_as_contact": adoption.show_as_contact,
        }
        incoming = request.data if hasattr(request.data, "items") else {}
        data = _validated(AdoptionInputSerializer, {**current, **dict(incoming.items())})
        adoption, _ = services.adoption_record(
            actor=request.user,
            component=adoption.component,
            organisation=adoption.organisation,
            **data,
        )
        return Response(AdoptionSerializer(_adoption(request, str(adoption.pk))).data)

    @extend_schema(
        summary="Replace your council's adoption",
        request=AdoptionInputSerializer,
        responses=AdoptionSerializer,
    )
    def put(self, request, pk):
        return self.patch(request, pk)


# --- Harvest sources ---------------------------------------------------------------------------


class FetchSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at", default_timezone=UTC)
    result = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())
    changed = serializers.ListField(child=serializers.CharField())
    decision = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    component = serializers.UUIDField(source="component.public_id", allow_null=True)
    organisation = serializers.CharField(source="organisation.slug", allow_null=True)
    failures = serializers.IntegerField()
    last_error = serializers.CharField()
    checked_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)
    succeeded_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)


class SourceDetailSerializer(SourceSerializer):
    fetches = serializers.SerializerMethodField()

    def get_fetches(self, source) -> list[dict]:
        return FetchSerializer(self.context["fetches"], many=True).data


class SourceInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    listing = serializers.BooleanField(
        default=False, help_text="An organisation's list of repositories (institute staff)."
    )
    component = serializers.UUIDField(required=False, help_text="An existing component's id.")
    organisation = serializers.SlugField(max_length=200, required=False)


class SourceListView(APIView):
    """GET: the sources you registered (every source for institute staff). POST: register."""

    @extend_schema(
        summary="List harvest sources",
        operation_id="sources_list",
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(SourceSerializer),
    )
    def get(self, request):
        require(request.user.is_authenticated, "Sign in to see harvest sources.")
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.sources_for_user(request.user), request, view=self
        )
        return paginator.get_paginated_response(SourceSerializer(page, many=True).data)

    @extend_schema(
        summary="Register a repository, file or list of repositories to harvest",
        request=SourceInputSerializer,
        responses={201: SourceDetailSerializer},
    )
    def post(self, request):
        require(access.can_register_source(request.user), "Sign in to register a repository.")
        data = _validated(SourceInputSerializer, request.data)
        component = None
        if data.get("component"):
            component = _component(request, str(data["component"]))
        organisation = None
        if data.get("organisation"):
            organisation = Organisation.objects.filter(slug=data["organisation"]).first()
            if organisation is None:
                raise InvalidInput({"organisation": ["No organisation has this slug."]})
        source = services.source_register(
            actor=request.user,
            url=data["url"],
            listing=data["listing"],
            component=component,
            organisation=organisation,
        )
        return Response(
            _source_detail(request, source.pk),
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("components-api:source_detail", kwargs={"pk": source.pk})},
        )


def _source_detail(request, pk) -> dict:
    source = access.source_get_for_user(request.user, pk)
    fetches = selectors.source_fetches(source)
    return SourceDetailSerializer(source, context={"fetches": fetches}).data


class SourceDetailView(APIView):
    @extend_schema(
        summary="Get a harvest source and its fetch history", responses=SourceDetailSerializer
    )
    def get(self, request, pk):
        return Response(_source_detail(request, pk_or_404(pk, "source")))


def _adoption(request, pk: str, *, write: bool = False) -> Adoption:
    return access.adoption_get_for_user(request.user, pk_or_404(pk, "adoption"), write=write)


# --- Files of evidence on adoptions --------------------------------------------------------

FILE_ID = id_parameter("file_id", "The file's id", OpenApiTypes.UUID)


def _adoption_files_of(request, pk: str, *, write: bool = False) -> Adoption:
    """An adoption whose files the user may see (404 otherwise, as for a missing one)."""
    adoption = _adoption(request, pk, write=write)
    if not access.can_view_adoption_files(request.user, adoption):
        raise Http404
    return adoption


def _file_context(adoption) -> dict:
    def download_url(file):
        return reverse("components-api:adoption_file", args=[adoption.pk, file.public_id])

    return {"download_url": download_url}


class AdoptionFilesView(APIView):
    """GET: an adoption's files of evidence (the council, staff and sector viewers). POST: add
    one (multipart; the council's officers)."""

    @extend_schema(
        summary="List an adoption's files of evidence",
        operation_id="adoption_files_list",
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(EvidenceFileSerializer),
    )
    def get(self, request, pk):
        adoption = _adoption_files_of(request, pk)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            adoption.evidence_files.order_by("uploaded_at", "id"), request, view=self
        )
        return paginator.get_paginated_response(
            EvidenceFileSerializer(page, many=True, context=_file_context(adoption)).data
        )

    @extend_schema(
        summary="Add a file of evidence to your council's adoption",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceFileSerializer},
    )
    def post(self, request, pk):
        adoption = _adoption(request, pk, write=True)
        data = _validated(EvidenceUploadSerializer, request.data)
        file = services.adoption_file_add(
            actor=request.user, adoption=adoption, upload=data.get("file")
        )
        return Response(
            EvidenceFileSerializer(file, context=_file_context(adoption)).data,
            status=status.HTTP_201_CREATED,
        )


class AdoptionFileView(APIView):
    @extend_schema(
        summary="Download a file of evidence (once the virus check has passed it)",
        parameters=[FILE_ID],
        responses=EVIDENCE_DOWNLOAD_RESPONSES,
    )
    def get(self, request, pk, file_id):
        try:
            _, file = access.adoption_file_get_for_user(
                request.user, pk_or_404(pk, "adoption"), public_id_or_404(file_id, "file")
            )
        except Http404:
            raise exceptions.NotFound("No file has this id.") from None
        return evidence.evidence_file_response(file)


def _component_changes(user, public_id):
    return access.component_changes_get_for_user(user, public_id)[1]


(
    ComponentChangeListView,
    ComponentChangeDetailView,
    ComponentChangePublishView,
    ComponentChangeRejectView,
) = change_views(
    prefix="components",
    noun="a component",
    target_id=PUBLIC_ID,
    seen_by="institute staff",
    decider="institute staff",
    get_change=access.component_change_get_for_user,
    get_changes=_component_changes,
    publish=services.component_change_publish,
    reject=services.component_change_reject,
)


urlpatterns = [
    path("components/", ComponentListView.as_view(), name="component_list"),
    path("components/<str:public_id>/", ComponentDetailView.as_view(), name="component_detail"),
    path(
        "components/<str:public_id>/adoptions/",
        ComponentAdoptionsView.as_view(),
        name="component_adoptions",
    ),
    path(
        "components/<str:public_id>/changes/",
        ComponentChangeListView.as_view(),
        name="component_changes",
    ),
    path(
        "components/<str:public_id>/changes/<str:change_id>/",
        ComponentChangeDetailView.as_view(),
        name="component_change",
    ),
    path(
        "components/<str:public_id>/changes/<str:change_id>/publish/",
        ComponentChangePublishView.as_view(),
        name="component_change_publish",
    ),
    path(
        "components/<str:public_id>/changes/<str:change_id>/reject/",
        ComponentChangeRejectView.as_view(),
        name="component_change_reject",
    ),
    path("sources/", SourceListView.as_view(), name="source_list"),
    path("sources/<str:pk>/", SourceDetailView.as_view(), name="source_detail"),
    path("adoptions/", AdoptionListView.as_view(), name="adoption_list"),
    path("adoptions/<str:pk>/", AdoptionDetailView.as_view(), name="adoption_detail"),
    path("adoptions/<str:pk>/files/", AdoptionFilesView.as_view(), name="adoption_files"),
    path(
        "adoptions/<str:pk>/files/<str:file_id>/",
        AdoptionFileView.as_view(),
        name="adoption_file",
    ),
    path(
        "organisations/<str:slug>/adoptions/",
        OrganisationAdoptionsView.as_view(),
        name="organisation_adoptions",
    ),
]
