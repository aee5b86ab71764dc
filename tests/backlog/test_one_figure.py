"""One page, one figure: a vote through htmx updates every place on the page that shows the
problem's demand; a council already counted says so; the status banner names the new status."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from backlog import services
from backlog.models import Status, Vote
from institute.models import ServiceArea
from tests.factories import council_officer

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
DEMAND = re.compile(r"\d+ councils? affected \(\d+ officers?\)")


@pytest.fixture
def problem(officer):
    return services.problem_submit(
        actor=officer,
        title="Housing repairs reports go missing between systems",
        summary="Tenants report a repair twice because the first report never arrives.",
        description="Two systems, no link.",
        theme="data",
        service_areas=[ServiceArea.objects.get(slug="housing")],
    )


class _Demand(HTMLParser):
    """The text of every element marked data-demand, the out-of-band swaps a response carries
    (hx-swap-oob value -> text), and the whole text."""

    def __init__(self):
        super().__init__()
        self.marked, self.oob, self.text = [], {}, []
        self._open = []  # [kind, key, depth, text parts]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for item in self._open:
            item[2] += 1
        if "data-demand" in attrs:
            self._open.append(["marked", attrs["data-demand"], 1, []])
        elif "hx-swap-oob" in attrs:
            self._open.append(["oob", attrs["hx-swap-oob"], 1, []])

    def handle_endtag(self, tag):
        for item in list(self._open):
            item[2] -= 1
            if item[2] == 0:
                self._open.remove(item)
                text = "".join(item[3]).strip()
                if item[0] == "marked":
                    self.marked.append(text)
                else:
                    self.oob[item[1]] = text

    def handle_data(self, data):
        self.text.append(data)
        for item in self._open:
            item[3].append(data)


def _parse(html):
    parser = _Demand()
    parser.feed(html)
    return parser


def _main(html):
    return html[html.index("<main") : html.index("</main>")]


def test_after_an_htmx_vote_every_place_on_the_problem_page_shows_the_new_demand(
    client, other_officer, problem
):
    client.force_login(other_officer)
    page = _main(client.get(problem.get_absolute_url()).content.decode())
    before = _parse(page)
    # Every demand figure the page shows is marked for the vote to update.
    assert len(DEMAND.findall(page)) == len(before.marked) == 2
    assert set(before.marked) == {"1 council affected (1 officer)"}

    url = reverse("backlog:problem_vote", args=[problem.pk])
    response = _parse(client.post(url, {"action": "vote"}, headers=HTMX).content.decode())
    new = "2 councils affected (2 officers)"
    assert response.oob[f"innerHTML:[data-demand='{problem.pk}']"] == new
    # The councils affected (by type and region) come too, Bristol among them now.
    breakdown = response.oob["true"]
    assert new in breakdown and "Bristol" in breakdown
    # What the page shows after a reload is what the swaps put there.
    after = _parse(_main(client.get(problem.get_absolute_url()).content.decode()))
    assert set(after.marked) == {new}


def test_a_list_row_shows_the_demand_once_and_a_vote_updates_it(client, other_officer, problem):
    client.force_login(other_officer)
    html = _main(client.get(reverse("backlog:problem_list")).content.decode())
    assert len(DEMAND.findall(html)) == 1
    assert _parse(html).marked == ["1 council affected (1 officer)"]
    url = reverse("backlog:problem_vote", args=[problem.pk])
    body = client.post(url, {"action": "vote", "compact": "1"}, headers=HTMX).content.decode()
    response = _parse(body)
    assert response.oob == {
        f"innerHTML:[data-demand='{problem.pk}']": "2 councils affected (2 officers)"
    }
    assert "Your council has this problem" in body
    html = _main(client.get(reverse("backlog:problem_list")).content.decode())
    assert len(DEMAND.findall(html)) == 1


def test_a_second_officer_of_a_counted_council_is_told_and_can_add_their_name(client, problem):
    colleague = council_officer("leeds", "second@leeds.example.test")
    client.force_login(colleague)
    for url in (problem.get_absolute_url(), reverse("backlog:problem_list")):
        html = client.get(url).content.decode()
        # The tag follows the council, not the officer.
        assert "Your council has this problem" in html
        assert "<bdi>Leeds</bdi> is already counted (1 officer)." in html
        assert "Add your name" in html
        assert "My council has this problem too" not in html

    vote = reverse("backlog:problem_vote", args=[problem.pk])
    html = client.post(vote, {"action": "vote"}, headers=HTMX).content.decode()
    assert "Withdraw your vote" in html and "Add your name" not in html
    problem.refresh_from_db()
    assert (problem.council_count, problem.vote_count) == (1, 2)
    # Taking their name back leaves the council counted by the colleague who raised it.
    html = client.post(vote, {"action": "withdraw"}, headers=HTMX).content.decode()
    assert "<bdi>Leeds</bdi> is already counted (1 officer)." in html
    assert Vote.objects.filter(problem=problem).count() == 1


def test_an_officer_of_an_uncounted_council_is_asked_as_before(client, other_officer, problem):
    client.force_login(other_officer)
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "My council has this problem too" in html
    assert "Your council has this problem" not in html


def test_the_status_banner_names_the_new_status(client, institute_staff, problem):
    client.force_login(institute_staff)
    response = client.post(
        reverse("backlog:problem_status", args=[problem.pk]),
        {"status": "triaged", "note": ""},
        follow=True,
    )
    html = response.content.decode()
    assert "Status changed to triaged." in html
    assert "Status changed to new." not in html
    problem.refresh_from_db()
    assert problem.status == Status.TRIAGED
