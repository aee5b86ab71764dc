"""Who may do what in the sector app, in one place: everyone reads the 2030 targets and the
recommendations tracker; sector viewers and institute staff read council-level detail (the
dashboard, comparison groups); institute staff record values, update recommendations and
upload comparison groups. Built on institute.access."""

from django.http import Http404

from institute import access as core_access
from institute.errors import NotAllowed
from institute.models import Theme
from institute.sector.models import ComparisonGroupSet, MetricSeries, Recommendation


def can_view_council_detail(user) -> bool:
    """Council-level figures, dashboards and comparison groups: sector viewers and staff."""
    return core_access.can_view_sector_detail(user)


def can_edit_blueprint(user) -> bool:
    """Record target values, update recommendations, upload comparison groups: staff only."""
    return core_access.can_curate(user)


def require_council_detail(user) -> None:
    if not can_view_council_detail(user):
        raise NotAllowed("The sector dashboard is for sector viewers and institute staff.")


def require_editor(user) -> None:
    if not can_edit_blueprint(user):
        raise NotAllowed("Only institute staff can change the blueprint's figures.")


def series_get_for_user(user, slug: str, *, write: bool = False) -> MetricSeries:
    """Series are public to read; only institute staff record values, and only for series the
    institute records (the platform counts the others)."""
    series = MetricSeries.objects.filter(slug=slug).first()
    if series is None:
        raise Http404
    if write:
        require_editor(user)
        if series.is_computed:
            raise NotAllowed("The platform counts this figure itself: it cannot be recorded.")
    return series


def recommendation_get_for_user(user, number: int, *, write: bool = False) -> Recommendation:
    recommendation = Recommendation.objects.filter(number=number).first()
    if recommendation is None:
        raise Http404
    if write:
        require_editor(user)
    return recommendation


def theme_get(value: str) -> Theme:
    if value not in Theme.values:
        raise Http404
    return Theme(value)


def comparison_group_set_get_for_user(user, pk: int, *, write: bool = False):
    """Comparison groups may be licensed (CIPFA's are): sector viewers and staff read them,
    staff change them."""
    if write:
        require_editor(user)
    else:
        require_council_detail(user)
    group_set = ComparisonGroupSet.objects.filter(pk=pk).first()
    if group_set is None:
        raise Http404
    return group_set
