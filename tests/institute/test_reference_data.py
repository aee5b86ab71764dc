"""The 317 councils and 20 strategic authorities loaded by migration, and organisation history."""

import datetime

import pytest
from django.db import IntegrityError

from institute.models import CouncilType, Organisation, OrganisationKind, Region
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_england_has_317_current_principal_councils():
    assert Organisation.objects.current().councils().count() == 317


def test_council_counts_by_type_match_the_official_breakdown():
    councils = Organisation.objects.current().councils()
    counts = {t: councils.filter(council_type=t).count() for t in CouncilType.values}
    assert counts == {
        "county": 21,
        "district": 164,
        "unitary": 62,
        "metropolitan_borough": 36,
        "london_borough": 32,
        "sui_generis": 2,
    }


def test_councils_cover_all_nine_regions():
    regions = set(Organisation.objects.current().councils().values_list("region", flat=True))
    assert regions == set(Region.values)
    assert len(regions) == 9


def test_twenty_strategic_authorities_with_115_constituent_councils():
    authorities = Organisation.objects.filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
    assert authorities.count() == 20
    assert (
        Organisation.objects.current().councils().filter(strategic_authority__isnull=False).count()
        == 115
    )
    gla = authorities.get(gss_code="E61000001")
    assert gla.constituent_councils.count() == 33


def test_every_district_has_its_county_in_the_same_region():
    districts = Organisation.objects.filter(council_type=CouncilType.DISTRICT).select_related(
        "parent_county"
    )
    assert districts.count() == 164
    for district in districts:
        assert district.parent_county.council_type == CouncilType.COUNTY
        assert district.parent_county.region == district.region


def test_national_bodies_and_the_institute_exist():
    slugs = set(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.NATIONAL_BODY, OrganisationKind.INSTITUTE]
        ).values_list("slug", flat=True)
    )
    assert slugs == {
        "local-government-association",
        "mhclg",
        "digital-centre",
        "local-digital-institute",
    }


def test_barnsley_and_sheffield_carry_their_2025_codes():
    assert Organisation.objects.get(gss_code="E08000038").name == "Barnsley"
    assert Organisation.objects.get(gss_code="E08000039").name == "Sheffield"
    assert not Organisation.objects.filter(gss_code__in=["E08000016", "E08000019"]).exists()


def test_surrey_reorganisation_keeps_counts_right_on_both_sides_of_1_april_2027():
    before = datetime.date(2027, 3, 31)
    after = datetime.date(2027, 4, 1)
    assert Organisation.objects.current(on=before).councils().count() == 317
    # 11 districts and the county close; East Surrey and West Surrey open.
    assert Organisation.objects.current(on=after).councils().count() == 317 - 12 + 2
    woking = Organisation.objects.get(name="Woking")
    assert list(woking.successors.values_list("name", flat=True)) == ["West Surrey Council"]
    assert woking.is_current(before) and not woking.is_current(after)
    east = Organisation.objects.get(slug="east-surrey-council")
    assert sorted(east.predecessors.values_list("name", flat=True)) == [
        "Elmbridge",
        "Epsom and Ewell",
        "Mole Valley",
        "Reigate and Banstead",
        "Surrey",
        "Tandridge",
    ]


def test_gss_code_is_unique_in_the_database():
    with pytest.raises(IntegrityError):
        OrganisationFactory(gss_code="E08000035")  # Leeds already has it


def test_organisations_without_a_code_do_not_clash():
    OrganisationFactory(kind=OrganisationKind.SUPPLIER, council_type="", gss_code="")
    OrganisationFactory(kind=OrganisationKind.SUPPLIER, council_type="", gss_code="")
    assert Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).count() == 2
