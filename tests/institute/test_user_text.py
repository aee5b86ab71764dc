"""Text people type is isolated (`<bdi>`) wherever it sits inline with other text, so a
right-to-left override in a title cannot reorder the words around it (the council profile
showed "… (1 officer) problem's council" reversed)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from backlog import services
from institute.models import ServiceArea
from institute.wording import count_of, govuk_datetime, govuk_time

pytestmark = pytest.mark.django_db
RLO = "\u202e"
TITLE = f"Bins {RLO}reversed text"


def _unisolated(html: str, text: str) -> list[str]:
    """Each place in the page's text (not in a tag's attributes) where `text` is not directly
    inside <bdi>."""
    main = html[html.index("<main") :]
    found, start = [], 0
    while (at := main.find(text, start)) != -1:
        start = at + len(text)
        before = main[:at]
        if before.rfind("<") > before.rfind(">"):
            continue  # an attribute value: not laid out as text
        if not before.endswith("<bdi>"):
            found.append(main[max(0, at - 80) : at + len(text) + 20])
    return found


@pytest.fixture
def problem(officer):
    return services.problem_submit(
        actor=officer,
        title=TITLE,
        summary="Collections are missed.",
        description="They are missed.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )


@pytest.mark.parametrize(
    "page",
    [
        lambda p: reverse("institute:organisation_detail", args=["leeds"]),
        lambda p: reverse("backlog:problem_list"),
        lambda p: p.get_absolute_url(),
        lambda p: reverse("backlog:my_council"),
    ],
    ids=["council profile", "backlog", "problem page", "my council's problems"],
)
def test_a_title_with_a_right_to_left_override_is_isolated_from_the_text_around_it(
    client, officer, problem, page
):
    client.force_login(officer)
    html = client.get(page(problem)).content.decode()
    assert TITLE in html
    assert _unisolated(html, TITLE) == []


def test_counts_read_in_the_singular_and_plural():
    assert count_of(1, "council") == "1 council"
    assert count_of(0, "council") == "0 councils"
    assert count_of(2, "officer") == "2 officers"
    assert count_of(3, "study", "studies") == "3 studies"


def test_times_are_written_in_govuk_style():
    london = ZoneInfo("Europe/London")
    assert govuk_time(datetime(2026, 12, 3, 15, 32, tzinfo=london)) == "3:32pm"
    assert govuk_time(datetime(2026, 12, 3, 9, 5, tzinfo=london)) == "9:05am"
    assert govuk_time(datetime(2026, 12, 3, 10, 0, tzinfo=london)) == "10am"
    assert govuk_time(datetime(2026, 12, 3, 12, 0, tzinfo=london)) == "midday"
    assert govuk_time(datetime(2026, 12, 3, 0, 0, tzinfo=london)) == "midnight"
    # Shown in UK time whatever the time zone it is stored in.
    assert govuk_datetime(datetime(2026, 7, 1, 14, 32, tzinfo=ZoneInfo("UTC"))) == (
        "1 July 2026, 3:32pm"
    )
