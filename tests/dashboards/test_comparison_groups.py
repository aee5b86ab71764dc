"""Comparison groups: staff upload nearest-neighbour groups as CSV; every problem in a file is
named by its line and code and nothing loads until there are none; sector viewers and staff
compare a council with its group on its profile and on the dashboard."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institute import fragments
from institute.errors import NotAllowed
from institute.models import AuditEvent, Organisation
from institute.sector import comparison, profiles, refresh, services
from institute.sector.models import ComparisonGroupMember, ComparisonGroupSet
from tests.dashboards.conftest import councils
from tests.factories import date_input

pytestmark = pytest.mark.django_db
LEEDS, BRADFORD, WAKEFIELD, KIRKLEES, CALDERDALE = (
    "E08000035",
    "E08000032",
    "E08000036",
    "E08000034",
    "E08000033",
)
CORNWALL, WILTSHIRE = "E06000052", "E06000054"
GOOD = (
    f"gss_code,neighbour_1,neighbour_2,neighbour_3\n"
    f"{LEEDS},{BRADFORD},{WAKEFIELD},{KIRKLEES}\n"
    f"{CORNWALL},{WILTSHIRE}\n"
)
UPLOAD = reverse("sector:comparison_group_upload")


def _upload(actor, data: bytes, name="CIPFA nearest neighbours 2025"):
    return services.comparison_groups_upload(
        actor=actor,
        name=name,
        as_of="2025-04-01",
        source="CIPFA's nearest neighbours model",
        source_url="https://www.cipfa.org/services/cipfastats/nearest-neighbour-model",
        licence="CIPFA licence held by the institute",
        data=data,
    )


def test_a_good_file_loads_each_council_with_its_comparators_nearest_first(institute_staff):
    group_set = _upload(institute_staff, GOOD.encode())
    assert group_set.councils == 2
    leeds = Organisation.objects.get(gss_code=LEEDS)
    assert list(
        ComparisonGroupMember.objects.filter(group_set=group_set, council=leeds)
        .order_by("rank")
        .values_list("comparator__gss_code", "rank")
    ) == [(BRADFORD, 1), (WAKEFIELD, 2), (KIRKLEES, 3)]
    event = AuditEvent.objects.get(verb="comparison_groups_uploaded")
    assert event.data["councils"] == 2 and event.actor == institute_staff


BAD_FILES = [
    (
        f"{LEEDS},{BRADFORD},E99999999\n",
        ["Line 1: E99999999 is not the code of a current council"],
    ),
    (
        f"{LEEDS},{BRADFORD},Wakefield\n",
        ["Line 1: “WAKEFIELD” is not a GSS code (a letter and eight digits, like E08000035)"],
    ),
    (
        f"code,first\n{LEEDS},{BRADFORD}\n{CORNWALL},{WILTSHIRE}\n{LEEDS},{WAKEFIELD}\n",
        [f"Line 4: {LEEDS} (Leeds) already has a group, on line 2"],
    ),
    (
        f"{LEEDS},{BRADFORD},{LEEDS}\n",
        [f"Line 1: {LEEDS} (Leeds) is listed as its own comparator"],
    ),
    (
        f"{LEEDS},{BRADFORD},{WAKEFIELD},{BRADFORD}\n",
        [f"Line 1: {BRADFORD} (Bradford) is listed twice"],
    ),
    (f"{LEEDS}\n", [f"Line 1: {LEEDS} (Leeds) has no comparators"]),
    (
        "gss_code,neighbour_1\n\n",
        ["The file has no groups: each line needs a council's code, then its comparators' codes"],
    ),  # fmt: skip
    (
        # Every problem in every line, in order: nothing is loaded.
        f"{LEEDS},{BRADFORD}\n{CORNWALL},{CORNWALL},X1\n{LEEDS},{WAKEFIELD}\n",
        [
            "Line 2: “X1” is not a GSS code (a letter and eight digits, like E08000035)",
            f"Line 2: {CORNWALL} (Cornwall) is listed as its own comparator",
            f"Line 3: {LEEDS} (Leeds) already has a group, on line 1",
        ],
    ),
]


@pytest.mark.parametrize("text,errors", BAD_FILES)
def test_every_problem_is_named_by_line_and_code_and_nothing_loads(institute_staff, text, errors):
    with pytest.raises(comparison.ComparisonFileError) as error:
        _upload(institute_staff, text.encode())
    assert error.value.errors == errors
    assert not ComparisonGroupSet.objects.exists()
    assert not ComparisonGroupMember.objects.exists()


def test_a_file_over_10_mb_is_refused_before_it_is_read(client, institute_staff):
    big = (GOOD * (comparison.MAX_BYTES // len(GOOD) + 1)).encode()
    assert len(big) > comparison.MAX_BYTES
    with pytest.raises(comparison.ComparisonFileError, match="10 MB or smaller"):
        _upload(institute_staff, big)
    client.force_login(institute_staff)
    response = client.post(UPLOAD, _form(SimpleUploadedFile("groups.csv", big)))
    assert response.status_code == 200
    assert "The file must be 10 MB or smaller" in response.content.decode()
    assert not ComparisonGroupSet.objects.exists()


def test_a_file_that_is_not_utf8_text_is_refused(institute_staff):
    with pytest.raises(comparison.ComparisonFileError, match="UTF-8"):
        _upload(institute_staff, "Leeds,Bradford £".encode("latin-1"))
    assert not ComparisonGroupSet.objects.exists()


def _form(upload, **overrides):
    data = {
        "name": "LG Inform nearest neighbours",
        **date_input("as_of", "2025-04-01"),
        "source": "LG Inform",
        "source_url": "https://lginform.local.gov.uk/",
        "licence": "Open Government Licence v3.0",
        "file": upload,
    }
    data.update(overrides)
    return data


def test_the_upload_page_lists_every_problem_and_loads_a_good_file(client, institute_staff):
    client.force_login(institute_staff)
    bad = f"{LEEDS},{LEEDS}\n{CORNWALL},E99999999\n".encode()
    response = client.post(UPLOAD, _form(SimpleUploadedFile("groups.csv", bad)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Nothing was loaded" in html
    assert f"Line 1: {LEEDS} (Leeds) is listed as its own comparator" in html
    assert "Line 2: E99999999 is not the code of a current council" in html
    assert not ComparisonGroupSet.objects.exists()
    good = client.post(UPLOAD, _form(SimpleUploadedFile("groups.csv", GOOD.encode())))
    group_set = ComparisonGroupSet.objects.get()
    assert good.status_code == 302 and good.url == group_set.get_absolute_url()
    page = client.get(good.url).content.decode()
    assert "Bradford, Wakefield, Kirklees" in page
    # The same name twice is refused, with nothing more loaded.
    again = client.post(UPLOAD, _form(SimpleUploadedFile("groups.csv", GOOD.encode())))
    assert "A set of comparison groups with this name exists" in again.content.decode()
    assert ComparisonGroupMember.objects.count() == 4


def test_the_upload_form_names_its_empty_fields(client, institute_staff):
    client.force_login(institute_staff)
    html = client.post(UPLOAD, {"name": ""}).content.decode()
    for message in (
        "Enter a name for these groups",
        "Enter the date of the groups",
        "Enter where the groups come from",
        "Enter the licence the groups are held under",
        "Choose a CSV file",
    ):
        assert message in html


@pytest.mark.parametrize(
    "role,list_status,upload_status",
    [
        ("anonymous", 302, 302),
        ("officer", 403, 403),
        ("centre_staff", 403, 403),
        ("sector_viewer", 200, 403),
        ("institute_staff", 200, 200),
    ],
)
def test_sector_viewers_read_the_groups_and_only_staff_upload_or_remove_them(
    client, request, institute_staff, role, list_status, upload_status
):
    group_set = _upload(institute_staff, GOOD.encode())
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("sector:comparison_group_list")).status_code == list_status
    assert client.get(group_set.get_absolute_url()).status_code == list_status
    assert client.get(UPLOAD).status_code == upload_status
    remove = reverse("sector:comparison_group_remove", args=[group_set.pk])
    if role != "institute_staff":
        assert client.post(remove).status_code in (302, 403)
        assert ComparisonGroupSet.objects.exists()
    else:
        assert client.post(remove).status_code == 302
        assert not ComparisonGroupSet.objects.exists()
        assert AuditEvent.objects.filter(verb="comparison_groups_removed").exists()


def test_the_service_refuses_anyone_but_staff(sector_viewer):
    with pytest.raises(NotAllowed):
        _upload(sector_viewer, GOOD.encode())


# --- Using the groups ---------------------------------------------------------------------------


def test_a_profile_compares_a_council_with_the_median_of_its_group(
    client, sector_viewer, officer, institute_staff, sector
):
    """Leeds's group: Bradford, Wakefield and Kirklees, none of which has voted: the median of
    their officers' votes is 0, beside Leeds's 2."""
    group_set = _upload(institute_staff, GOOD.encode())
    refresh.aggregates_refresh()
    leeds = Organisation.objects.get(slug="leeds")
    table = profiles.council_comparison(leeds, show_standards=True, group_set=group_set)["table"]
    assert table.headers[-1] == "Median, CIPFA nearest neighbours 2025 (3)"
    votes = next(row for row in table.rows if row[0] == "Officers' votes")
    assert votes[1] == 2 and votes[-1] == 0
    assert table.summary.endswith(
        "and of the 3 councils it is compared with in CIPFA nearest neighbours 2025."
    )
    url = reverse("sector:council_profile", args=["leeds"])
    client.force_login(sector_viewer)
    html = client.get(url, {"group": group_set.pk}).content.decode()
    assert "Median, CIPFA nearest neighbours 2025 (3)" in html
    # Council officers and visitors see type and region only: the groups may be licensed.
    client.force_login(officer)
    html = client.get(url, {"group": group_set.pk}).content.decode()
    assert "CIPFA" not in html
    client.logout()
    assert "CIPFA" not in client.get(url, {"group": group_set.pk}).content.decode()


def test_a_council_outside_the_set_is_told_it_has_no_group(institute_staff, sector):
    group_set = _upload(institute_staff, GOOD.encode())
    refresh.aggregates_refresh()
    camden = Organisation.objects.get(slug="camden")
    comparison_ = profiles.council_comparison(camden, show_standards=False, group_set=group_set)
    assert comparison_["in_group"] == 0
    assert comparison_["table"].summary.endswith(
        "; CIPFA nearest neighbours 2025 gives it no comparison group."
    )


def test_the_dashboard_filters_to_a_council_and_its_group(
    client, sector_viewer, institute_staff, sector
):
    group_set = _upload(institute_staff, GOOD.encode())
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)
    dashboard = reverse("sector:dashboard")
    response = client.get(dashboard, {"group": group_set.pk, "council": "leeds"})
    assert response.context["councils"] == 4  # Leeds and its three comparators
    assert "Leeds and its comparison group (CIPFA nearest neighbours 2025)" in (
        response.content.decode()
    )
    problems = response.context["headline"]["problems"]
    assert problems == 1  # only problem A affects Leeds; none of the three has a problem
    # Half a choice, or a bad one, is ignored: all councils.
    for query in ({"group": group_set.pk}, {"council": "leeds"}, {"group": 999, "council": "x"}):
        assert client.get(dashboard, query).context["councils"] == councils()


def test_the_dashboard_with_a_group_reads_a_fixed_number_of_queries_however_big_the_set(
    client, sector_viewer, institute_staff, sector
):
    small = _upload(institute_staff, GOOD.encode())
    refresh.aggregates_refresh()
    client.force_login(sector_viewer)

    def queries(group_set) -> int:
        fragments.invalidate_all()  # cold, as on the first view after a change
        with CaptureQueriesContext(connection) as captured:
            response = client.get(
                reverse("sector:dashboard"), {"group": group_set.pk, "council": "leeds"}
            )
        assert response.status_code == 200
        return len(captured)

    first = queries(small)
    # Every council with its next 15 councils by code: 317 groups, 4,755 comparators.
    codes = list(
        Organisation.objects.current()
        .councils()
        .order_by("gss_code")
        .values_list("gss_code", flat=True)
    )
    lines = [",".join([c, *(codes[(i + k) % len(codes)] for k in range(1, 16))])
             for i, c in enumerate(codes)]  # fmt: skip
    big = _upload(institute_staff, "\n".join(lines).encode(), name="Every council")
    assert big.councils == len(codes)
    # 16: the dashboard's 15 (see test_dashboard.py), and the councils to choose from once a
    # set exists.
    assert queries(big) == first <= 16
