"""DRF serializers and views of the standards app; they call the same services as the pages.

Conventions (the same as the backlog API): reads go through standards.access and selectors,
writes through standards.services; every 400 is {"detail", "code": "invalid", "errors": {...}};
refusals are 403 and are checked before input. Another council's assessment is 404, so its
existence is not revealed. Times are ISO 8601 in UTC.
"""

from datetime import UTC

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from institute import access as core_access
from institute import evidence
from institute.access import require
from institute.api import (
    EVIDENCE_DOWNLOAD_RESPONSES,
    PAGE_PARAMETERS,
    EvidenceFileSerializer,
    EvidenceUploadSerializer,
    InvalidInput,
    Pagination,
    id_parameter,
    paginated_schema,
    pk_or_404,
    public_id_or_404,
)
from institute.api import validated as _validated
from institute.errors import DomainError
from standards import access, selectors, services
from standards.models import Answer, Assessment, Category, Rating

app_name = "standards-api"


# The route takes any string so that a malformed identifier is the API's JSON 404 (not the
# site's HTML one); the schema says what a real identifier is.
PUBLIC_ID = id_parameter("public_id", "The assessment's id", OpenApiTypes.UUID)
FILE_ID = id_parameter("file_id", "The file's id", OpenApiTypes.UUID)


# --- Serializers -----------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    guidance = serializers.CharField()
    guidance_html = serializers.CharField()
    mandatory = serializers.BooleanField()
    position = serializers.IntegerField()
    replaces = serializers.SerializerMethodField()

    def get_replaces(self, criterion) -> list[str]:
        return [p.code for p in criterion.predecessors.all()]


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    change_notes = serializers.CharField()
    review_period_months = serializers.IntegerField()
    consultation_closes_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)


class StandardSerializer(serializers.Serializer):
    """A standard in the list; expects `adoption` (selectors.adoption_for) in the context."""

    slug = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    title = serializers.CharField()
    category = serializers.CharField()
    owner = serializers.CharField(source="owner.name")
    summary = serializers.CharField()
    council_types = serializers.ListField(child=serializers.CharField())
    current_version = serializers.IntegerField(
        source="current_version.number", allow_null=True, default=None
    )
    adoption = serializers.SerializerMethodField()

    def get_adoption(self, standard) -> dict:
        rate = self.context["adoption"][standard.pk]
        return {"adopted": rate.adopted, "in_scope": rate.in_scope, "percent": rate.percent}


class AnswerSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.code")
    rating = serializers.CharField()
    reason = serializers.CharField()
    evidence = serializers.CharField()
    evidence_url = serializers.CharField()
    evidence_date = serializers.DateField(allow_null=True)
    carried_over = serializers.BooleanField()
    complete = serializers.BooleanField()


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    url = serializers.CharField(source="get_absolute_url")
    standard = serializers.CharField(source="standard.slug")
    version = serializers.IntegerField(source="version.number")
    organisation = serializers.CharField(source="organisation.slug")
    status = serializers.CharField()
    result = serializers.CharField()
    started_at = serializers.DateTimeField(default_timezone=UTC)
    submitted_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    review_note = serializers.CharField()


class AssessmentDetailSerializer(AssessmentSerializer):
    answers = serializers.SerializerMethodField()

    def get_answers(self, assessment) -> list[dict]:
        answers = Answer.objects.filter(assessment=assessment).select_related("criterion")
        return AnswerSerializer(
            sorted(answers, key=lambda a: (a.criterion.position, a.criterion.pk)), many=True
        ).data


class AssessmentStartSerializer(serializers.Serializer):
    standard = serializers.SlugField(max_length=150)


class AnswerInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices, allow_blank=True, default="")
    reason = serializers.CharField(max_length=2000, allow_blank=True, default="")
    evidence = serializers.CharField(max_length=5000, allow_blank=True, default="")
    evidence_url = serializers.URLField(max_length=500, allow_blank=True, default="")
    evidence_date = serializers.DateField(allow_null=True, default=None)
    finish = serializers.BooleanField(default=True)


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["verify", "challenge"])
    note = serializers.CharField(max_length=5000, allow_blank=True, default="")


class CategoryFilterSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, allow_blank=True, default="")


class StandardDetailSerializer(StandardSerializer):
    versions = VersionSummarySerializer(many=True)
    criteria = CriterionSerializer(many=True)


class VersionDetailSerializer(VersionSummarySerializer):
    standard = serializers.CharField()
    criteria = CriterionSerializer(many=True)


# --- Views -----------------------------------------------------------------------------------


class StandardListView(APIView):
    """GET: published standards with their adoption, paginated."""

    @extend_schema(
        summary="List published standards with their adoption",
        operation_id="standards_list",
        parameters=[CategoryFilterSerializer, *PAGE_PARAMETERS],
        responses=paginated_schema(StandardSerializer),
    )
    def get(self, request):
        category = _validated(CategoryFilterSerializer, request.query_params)["category"]
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.standard_list(category=category), request, view=self
        )
        context = {"adoption": selectors.adoption_for(page)}
        return paginator.get_paginated_response(
            StandardSerializer(page, many=True, context=context).data
        )


class StandardDetailView(APIView):
    """GET: one standard, its current version's criteria and its version history."""

    @extend_schema(summary="Get a standard", responses=StandardDetailSerializer)
    def get(self, request, slug):
        standard = access.standard_get_for_user(request.user, slug)
        adoption = selectors.adoption_for([standard])
        body = StandardSerializer(standard, context={"adoption": adoption}).data
        versions = standard.versions.filter(status__in=access.PUBLIC_VERSION_STATUSES)
        body["versions"] = VersionSummarySerializer(versions.order_by("-number"), many=True).data
        body["criteria"] = CriterionSerializer(
            selectors.version_criteria(standard.current_version), many=True
        ).data
        return Response(body)


class VersionDetailView(APIView):
    """GET: one version with its criteria (drafts only for institute staff)."""

    @extend_schema(summary="Get a version of a standard", responses=VersionDetailSerializer)
    def get(self, request, slug, number):
        version = access.version_get_for_user(request.user, slug, pk_or_404(number, "version"))
        body = VersionSummarySerializer(version).data
        body["standard"] = version.standard.slug
        body["criteria"] = CriterionSerializer(selectors.version_criteria(version), many=True).data
        return Response(body)


def _assessment(request, public_id, *, write=False) -> Assessment:
    from django.http import Http404

    try:
        return access.assessment_get_for_user(
            request.user, public_id_or_404(public_id, "assessment"), write=write
        )
    except Http404:
        raise exceptions.NotFound("No assessment has this id.") from None


class AssessmentListView(APIView):
    """GET: your council's assessments (all, for staff and sector viewers). POST: start one."""

    @extend_schema(
        summary="List assessments you may see",
        operation_id="assessments_list",
        parameters=PAGE_PARAMETERS,
        responses=paginated_schema(AssessmentSerializer),
    )
    def get(self, request):
        require(request.user.is_authenticated, "Sign in to see assessments.")
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.assessment_list_for_api(request.user), request, view=self
        )
        return paginator.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(
        summary="Start your council's self-assessment",
        request=AssessmentStartSerializer,
        responses={200: AssessmentDetailSerializer, 201: AssessmentDetailSerializer},
    )
    def post(self, request):
        require(
            access.council_of(request.user) is not None,
            "Only council officers can start a self-assessment.",
        )
        data = _validated(AssessmentStartSerializer, request.data)
        standard = access.standard_get_for_user(request.user, data["standard"])
        if standard.current_version is None:
            raise DomainError("This standard has no published version.", field="standard")
        assessment, created = services.assessment_start(
            actor=request.user, version=standard.current_version
        )
        return Response(
            AssessmentDetailSerializer(assessment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AssessmentDetailView(APIView):
    @extend_schema(
        summary="Get an assessment", parameters=[PUBLIC_ID], responses=AssessmentDetailSerializer
    )
    def get(self, request, public_id):
        return Response(AssessmentDetailSerializer(_assessment(request, public_id)).data)


class AnswerView(APIView):
    """PUT: save the answer to one criterion (by its code)."""

    @extend_schema(
        summary="Answer one criterion",
        parameters=[PUBLIC_ID],
        request=AnswerInputSerializer,
        responses=AnswerSerializer,
    )
    def put(self, request, public_id, code):
        assessment = _assessment(request, public_id, write=True)
        criterion = assessment.version.criteria.filter(code=code).first()
        if criterion is None:
            raise exceptions.NotFound("This assessment has no criterion with that code.")
        data = _validated(AnswerInputSerializer, request.data)
        answer = services.answer_save(
            actor=request.user, assessment=assessment, criterion=criterion, **data
        )
        return Response(AnswerSerializer(answer).data)


class AssessmentSubmitView(APIView):
    @extend_schema(
        summary="Submit an assessment",
        parameters=[PUBLIC_ID],
        request=None,
        responses=AssessmentDetailSerializer,
    )
    def post(self, request, public_id):
        assessment = _assessment(request, public_id, write=True)
        missing = services.assessment_missing(assessment)
        if missing and assessment.is_editable:
            raise InvalidInput({"answers": [f"{c.code}: not completed" for c in missing]})
        assessment = services.assessment_submit(actor=request.user, assessment=assessment)
        return Response(AssessmentDetailSerializer(assessment).data)


class AssessmentReviewView(APIView):
    @extend_schema(
        summary="Verify or challenge an assessment (institute staff)",
        parameters=[PUBLIC_ID],
        request=ReviewInputSerializer,
        responses=AssessmentSerializer,
    )
    def post(self, request, public_id):
        require(core_access.can_curate(request.user), "Only institute staff review assessments.")
        assessment = _assessment(request, public_id)
        data = _validated(ReviewInputSerializer, request.data)
        assessment = services.assessment_review(actor=request.user, assessment=assessment, **data)
        return Response(AssessmentSerializer(assessment).data)


# --- Files of evidence on answers ----------------------------------------------------------


class AssessmentFileSerializer(EvidenceFileSerializer):
    criterion = serializers.CharField(source="criterion_code")


class AnswerFileUploadSerializer(EvidenceUploadSerializer):
    criterion = serializers.CharField(max_length=20, help_text="The criterion's code, like F1")


def _file_context(assessment) -> dict:
    def download_url(file):
        return reverse("standards-api:assessment_file", args=[assessment.public_id, file.public_id])

    return {"download_url": download_url}


class AssessmentFilesView(APIView):
    """GET: the files of evidence on an assessment's answers. POST: add one (multipart)."""

    @extend_schema(
        summary="List the files of evidence on an assessment's answers",
        operation_id="assessment_files_list",
        parameters=[PUBLIC_ID, *PAGE_PARAMETERS],
        responses=paginated_schema(AssessmentFileSerializer),
    )
    def get(self, request, public_id):
        assessment = _assessment(request, public_id)
        paginator = Pagination()
        links = paginator.paginate_queryset(
            selectors.assessment_file_links(assessment), request, view=self
        )
        files = []
        for link in links:
            link.evidencefile.criterion_code = link.answer.criterion.code
            files.append(link.evidencefile)
        return paginator.get_paginated_response(
            AssessmentFileSerializer(files, many=True, context=_file_context(assessment)).data
        )

    @extend_schema(
        summary="Add a file of evidence to the answer to one criterion",
        parameters=[PUBLIC_ID],
        request={"multipart/form-data": AnswerFileUploadSerializer},
        responses={201: AssessmentFileSerializer},
    )
    def post(self, request, public_id):
        assessment = _assessment(request, public_id, write=True)
        data = _validated(AnswerFileUploadSerializer, request.data)
        criterion = assessment.version.criteria.filter(code=data["criterion"]).first()
        if criterion is None:
            raise DomainError("This assessment has no criterion with that code.", field="criterion")
        file = services.answer_file_add(
            actor=request.user, assessment=assessment, criterion=criterion, upload=data.get("file")
        )
        file.criterion_code = criterion.code
        return Response(
            AssessmentFileSerializer(file, context=_file_context(assessment)).data,
            status=status.HTTP_201_CREATED,
        )


class AssessmentFileView(APIView):
    @extend_schema(
        summary="Download a file of evidence (once the virus check has passed it)",
        parameters=[PUBLIC_ID, FILE_ID],
        responses=EVIDENCE_DOWNLOAD_RESPONSES,
    )
    def get(self, request, public_id, file_id):
        try:
            _, file = access.answer_file_get_for_user(
                request.user,
                public_id_or_404(public_id, "assessment"),
                public_id_or_404(file_id, "file"),
            )
        except Http404:
            raise exceptions.NotFound("No file has this id.") from None
        return evidence.evidence_file_response(file)


urlpatterns = [
    path("standards/", StandardListView.as_view(), name="standard_list"),
    path("standards/<str:slug>/", StandardDetailView.as_view(), name="standard_detail"),
    path(
        "standards/<str:slug>/versions/<str:number>/",
        VersionDetailView.as_view(),
        name="version_detail",
    ),
    path("assessments/", AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/<str:public_id>/", AssessmentDetailView.as_view(), name="assessment_detail"),
    path(
        "assessments/<str:public_id>/answers/<str:code>/",
        AnswerView.as_view(),
        name="assessment_answer",
    ),
    path(
        "assessments/<str:public_id>/files/",
        AssessmentFilesView.as_view(),
        name="assessment_files",
    ),
    path(
        "assessments/<str:public_id>/files/<str:file_id>/",
        AssessmentFileView.as_view(),
        name="assessment_file",
    ),
    path(
        "assessments/<str:public_id>/submit/",
        AssessmentSubmitView.as_view(),
        name="assessment_submit",
    ),
    path(
        "assessments/<str:public_id>/review/",
        AssessmentReviewView.as_view(),
        name="assessment_review",
    ),
]
