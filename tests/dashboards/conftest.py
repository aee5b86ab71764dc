from datetime import timedelta

import pytest
from django.utils import timezone

from backlog import services as backlog_services
from institute.models import Organisation, ServiceArea
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import council_officer
from tests.standards.factories import published_standard, submitted_assessment

YORKSHIRE = "E12000003"
LONDON = "E12000007"


@pytest.fixture(autouse=True)
def _no_refresh_on_write(settings):
    """Tests refresh the figures themselves; writes must not queue Celery tasks here."""
    settings.DASHBOARD_REFRESH_ON_WRITE = False


def councils(**filters) -> int:
    return Organisation.objects.current().councils().filter(**filters).count()


@pytest.fixture
def sector(officer, other_officer, institute_staff):
    """A small, hand-countable sector: Leeds (Yorkshire), Bristol (South West), Camden
    (London)."""
    leeds = Organisation.objects.get(slug="leeds")
    bristol = Organisation.objects.get(slug="bristol-city-of")
    camden = Organisation.objects.get(slug="camden")
    leeds_two = council_officer("leeds", "second@leeds.example.test")
    camden_officer = council_officer("camden")
    housing = [ServiceArea.objects.get(slug="housing")]

    # Backlog: A affects Leeds (2 officers), Bristol and Camden; B affects Bristol only.
    a = backlog_services.problem_submit(
        actor=officer,
        title="Repairs reports go missing",
        summary="Reports vanish.",
        description="Two systems.",
        theme="data",
        service_areas=housing,
    )
    for voter in (leeds_two, other_officer, camden_officer):
        backlog_services.problem_vote(actor=voter, problem=a)
    b = backlog_services.problem_submit(
        actor=other_officer,
        title="Nobody can recruit data analysts",
        summary="Pay is low.",
        description="We lose them.",
        theme="skills",
        service_areas=housing,
    )

    # Components: C1 in use at Leeds and Bristol; C2 piloting at Leeds; C3 stale at Camden;
    # C4 retired at Bristol.
    c1 = ComponentFactory(name="Bin day API")
    c2 = ComponentFactory(name="Form builder")
    c3 = ComponentFactory(name="Address matcher")
    AdoptionFactory(component=c1, organisation=leeds)
    AdoptionFactory(component=c1, organisation=bristol)
    AdoptionFactory(component=c2, organisation=leeds, stage="piloting")
    AdoptionFactory(
        component=c3, organisation=camden, confirmed_at=timezone.now() - timedelta(days=400)
    )
    AdoptionFactory(component=ComponentFactory(), organisation=bristol, stage="retired")

    # Standards: Leeds adopts the one published standard.
    standard = published_standard(institute_staff)
    submitted_assessment(officer, standard)

    # Centres: one project with Leeds, one without partners; published learning with Leeds
    # (a data-sharing example that follows the standard), published learning with nobody, and
    # a draft.
    centre = CentreFactory(name="North West Centre")
    ProjectFactory(centre=centre).partner_councils.set([leeds])
    ProjectFactory(centre=centre)
    LearningFactory(centre=centre, kind="data_sharing", councils=[leeds], standards=[standard])
    LearningFactory(centre=centre)
    LearningFactory(centre=centre, status="draft", published_at=None, councils=[leeds])

    # Engagement: Leeds's officer signed in 10 days ago, Bristol's 100 days ago.
    now = timezone.now()
    type(officer).objects.filter(pk=officer.pk).update(last_login=now - timedelta(days=10))
    type(officer).objects.filter(pk=other_officer.pk).update(last_login=now - timedelta(days=100))
    return {
        "a": a,
        "b": b,
        "c1": c1,
        "c2": c2,
        "standard": standard,
        "centre": centre,
        "leeds": leeds,
        "bristol": bristol,
        "camden": camden,
    }
