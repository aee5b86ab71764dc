"""The API of reviewed changes (docs/adr/0020-re-review-of-published-claims.md): the
operations every kind shares (the list of an item's changes, one change, publish, reject),
each app routing them with its own access and services, so the pages' rules hold."""

from datetime import UTC

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from institute.api import (
    PAGE_PARAMETERS,
    Pagination,
    id_parameter,
    paginated_schema,
    pk_or_404,
    public_id_or_404,
    validated,
)
from institute.models import ChangeStatus


class ReviewedChangeSerializer(serializers.Serializer):
    """A change to a published item's claims: waiting for review, or decided. Readers see the
    published values until it is published."""

    id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=ChangeStatus.choices)
    summary = serializers.CharField(help_text='What it changes ("evidence rating 2 → 5")')
    proposed = serializers.DictField(help_text="The new values, by field name")
    previous = serializers.DictField(help_text="The published values, by field name")
    proposed_by = serializers.SerializerMethodField(help_text="Who made it")
    proposed_at = serializers.DateTimeField(default_timezone=UTC)
    decided_by = serializers.SerializerMethodField(help_text="Who published or rejected it")
    decided_at = serializers.DateTimeField(default_timezone=UTC, allow_null=True)
    reason = serializers.CharField(help_text="Why it was rejected (blank otherwise)")
    url = serializers.CharField(
        source="get_absolute_url", help_text="Its page, where it is reviewed"
    )

    def get_proposed_by(self, change) -> str | None:
        return str(change.proposed_by) if change.proposed_by_id else None

    def get_decided_by(self, change) -> str | None:
        return str(change.decided_by) if change.decided_by_id else None


class ChangeRejectSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, help_text="Why it is rejected; its author is told"
    )


CHANGE_ID = id_parameter("change_id", "The change's id", OpenApiTypes.INT)


def change_views(
    *,
    noun: str,
    prefix: str,
    target_id: OpenApiParameter,
    seen_by: str,
    decider: str,
    get_change,
    get_changes,
    publish,
    reject,
) -> tuple:
    """The four operations on an item's reviewed changes, the same for every kind (the list, one
    change, publish, reject), calling the app's access (get_change(user, public_id, pk),
    get_changes(user, public_id) -> queryset) and services (publish/reject(actor=, change=…)),
    so the rules of the pages hold: who may see and decide, never the author, once only."""

    class ChangeListView(APIView):
        @extend_schema(
            summary=f"List changes to {noun}'s claims",
            operation_id=f"{prefix}_changes_list",
            description=f"Newest first, at every status. Seen by {seen_by}.",
            parameters=[target_id, *PAGE_PARAMETERS],
            responses=paginated_schema(ReviewedChangeSerializer),
        )
        def get(self, request, public_id):
            changes = get_changes(request.user, public_id_or_404(public_id, noun))
            paginator = Pagination()
            page = paginator.paginate_queryset(changes, request, view=self)
            return paginator.get_paginated_response(ReviewedChangeSerializer(page, many=True).data)

    def _change(request, public_id, change_id):
        return get_change(
            request.user, public_id_or_404(public_id, noun), pk_or_404(change_id, "change")
        )

    class ChangeDetailView(APIView):
        @extend_schema(
            summary=f"Get a change to {noun}'s claims",
            parameters=[target_id, CHANGE_ID],
            responses=ReviewedChangeSerializer,
        )
        def get(self, request, public_id, change_id):
            return Response(ReviewedChangeSerializer(_change(request, public_id, change_id)).data)

    class ChangePublishView(APIView):
        @extend_schema(
            summary=f"Publish a change to {noun}'s claims",
            description=f"By {decider}, never its author. A change already decided (or "
            "replaced by a later one) is a 409 and nothing changes.",
            parameters=[target_id, CHANGE_ID],
            request=None,
            responses=ReviewedChangeSerializer,
        )
        def post(self, request, public_id, change_id):
            change = _change(request, public_id, change_id)
            publish(actor=request.user, change=change)
            return Response(ReviewedChangeSerializer(_change(request, public_id, change_id)).data)

    class ChangeRejectView(APIView):
        @extend_schema(
            summary=f"Reject a change to {noun}'s claims",
            description=f"By {decider}, never its author, with a `note` saying why (its author "
            "is told). Readers keep seeing the published values. A change already decided is a "
            "409 and nothing changes.",
            parameters=[target_id, CHANGE_ID],
            request=ChangeRejectSerializer,
            responses=ReviewedChangeSerializer,
        )
        def post(self, request, public_id, change_id):
            change = _change(request, public_id, change_id)
            note = validated(ChangeRejectSerializer, request.data)["note"]
            reject(actor=request.user, change=change, reason=note)
            return Response(ReviewedChangeSerializer(_change(request, public_id, change_id)).data)

    return ChangeListView, ChangeDetailView, ChangePublishView, ChangeRejectView
