"""Known XSS payloads through every Markdown field (and the plain-text and link fields people
fill in): written through the real forms and API, then read back on the pages that show them.
Nothing executable may survive (tests/security/html_checks.py says what that means)."""

import re
from datetime import timedelta

import pytest
import yaml
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from backlog.models import Comment, Problem
from centres import services as centre_services
from centres.models import Centre, Learning
from components.models import Adoption, Component
from institute.markdown import render_markdown
from institute.models import Organisation
from institute.tokens import api_token_create
from standards.models import Answer
from tests.factories import date_input
from tests.security.html_checks import assert_inert
from tests.security.world import PUBLICCODE, TODAY, World, object_url

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "[click me](javascript:alert('xss-3'))",
    "<a href=\"javascript:alert('xss-4')\">raw link</a>",
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzLTUnKTwvc2NyaXB0Pg==)",
    "<svg onload=alert('xss-6')><circle r=\"10\"></circle></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    "<p style=\"background:url(javascript:alert('xss-8'))\">styled</p>",
    "[entity](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('xss-9'))",
    "<a href=\"&#x6A;avascript:alert('xss-10')\">hex entity</a>",
    "<javascript:alert('xss-11')>",
    "![image](javascript:alert('xss-12'))",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<math><mi xlink:href="javascript:alert(14)">x</mi></math>',
    '<a href="vbscript:msgbox(15)">vb</a>',
    "[reference][r16]\n\n[r16]: javascript:alert('xss-16')",
    '<div onmouseover="alert(17)">hover</div>',
    '<form action="javascript:alert(18)"><button>go</button></form>',
    '"><script>alert(19)</script>',
    '<a href=" javascript:alert(20)">leading space</a>',
    '<a href="java\tscript:alert(21)">tab</a>',
    '<a href="java&#x09;script:alert(21)">encoded tab</a>',
    "[encoded newline](java&#10;script:alert(21))",
    '<base href="javascript:alert(22)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(23)">',
    "<style>body { background: red }</style>",
    "[mixed case](JaVaScRiPt:alert(25))",
    '[title break-out](https://example.org "x\\" onmouseover=\\"alert(26)")',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMjcpPjwvc3ZnPg==">',
    "`<script>alert(28)</script>` and\n\n    <script>alert(29)</script>",
    '<details open ontoggle="alert(30)"><summary>x</summary></details>',
    "<!-- <script>alert(31)</script> -->",
]
# Markers around the payloads: the checks look at what lies between them on a page.
START, END = "XSSMARKSTART", "XSSMARKEND"
DOCUMENT = "\n\n".join([START, "**kept bold** and <https://example.org/ok>", *PAYLOADS, END])
PLAIN = f"{START} <script>alert(1)</script><img src=x onerror=alert(2)> {END}"


def _regions(html: str) -> list[str]:
    return re.findall(f"{START}(.*?){END}", html, flags=re.S)


def _assert_page_inert(client, url: str, *, markdown=True):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    regions = _regions(html)
    assert regions, f"the text written is not on {url}"
    for region in regions:
        assert_inert(region, url)
    if markdown:
        # The fragment is rendered Markdown, not escaped text: the harmless parts survive.
        assert any("<strong>kept bold</strong>" in region for region in regions), url
        assert any('href="https://example.org/ok"' in region for region in regions), url


# --- The checker catches what it should (so the tests below can fail) ------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>x()</script>",
        '<img src="x" onerror="x()">',
        '<a href="javascript:x()">a</a>',
        '<a href="  JAVA&#x09;SCRIPT:x()">a</a>',
        '<a href="data:text/html,x">a</a>',
        "<svg></svg>",
        "<iframe></iframe>",
        '<p style="color:red">p</p>',
        '<form action="/x"></form>',
    ],
)
def test_the_checker_finds_executable_content(html):
    from tests.security.html_checks import dangers

    assert dangers(html)


def test_the_checker_passes_harmless_html():
    from tests.security.html_checks import dangers

    harmless = (
        '<p class="govuk-body"><a href="https://example.org" title="onmouseover=x()">a</a> '
        '<a href="java   script:x()">relative</a> &lt;script&gt;alert(1)&lt;/script&gt;</p>'
    )
    assert dangers(harmless) == []


# --- render_markdown itself ------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_leaves_nothing_executable(payload):
    assert_inert(str(render_markdown(payload)), payload)


def test_render_markdown_keeps_ordinary_markdown():
    html = str(render_markdown("**bold** [a link](https://example.org) and <https://gov.uk>"))
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'href="https://gov.uk"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_a_hostile_document_renders_inert_as_a_whole():
    assert_inert(str(render_markdown(DOCUMENT)))


# --- Every Markdown field, through its form and its page -------------------------------------


def _problem_submit(w, client):
    client.force_login(w.officer)
    form = {
        "title": "Residents cannot find the right form",
        "summary": "They ring us instead.",
        "description": DOCUMENT,
        "theme": "data",
        "service_areas": ["housing"],
        "checked": "1",
    }
    assert client.post(reverse("backlog:problem_submit"), form).status_code == 302
    return [Problem.objects.get(description=DOCUMENT).get_absolute_url()]


def _comment_create(w, client):
    client.force_login(w.other_officer)
    url = reverse("backlog:comment_create", kwargs={"pk": w.problem.pk})
    assert client.post(url, {"body": DOCUMENT}).status_code == 302
    comment = Comment.objects.get(author=w.other_officer)
    return [
        w.problem.get_absolute_url(),
        reverse("backlog:comment_report", kwargs={"pk": comment.pk}),
    ]


def _comment_edit(w, client):
    client.force_login(w.officer)
    url = reverse("backlog:comment_edit", kwargs={"pk": w.comment.pk})
    assert client.post(url, {"body": DOCUMENT}).status_code == 302
    return [w.problem.get_absolute_url()]


def _comment_moderate_page(w, client):
    """The moderator's page shows the comment too."""
    _comment_edit(w, client)
    client.force_login(w.staff)
    return [reverse("backlog:comment_moderate", kwargs={"pk": w.comment.pk})]


COMPONENT_FORM = {
    "summary": "Build accessible online forms without code.",
    "kind": "open_source",
    "maturity": "beta",
    "theme": "infrastructure",
    "service_areas": ["customer-services"],
    "licence": "MIT",
    "source_url": "https://example.org/forms",
    "documentation_url": "",
    "maintainer": "",
    "maintainer_name": "Forms community",
    "cost_model": "free",
    "hosting": "self_hosted",
}


def _component_submit(w, client):
    client.force_login(w.officer)
    form = {**COMPONENT_FORM, "name": "Form builder", "description": DOCUMENT}
    assert client.post(reverse("components:component_submit"), form).status_code == 302
    return [Component.objects.get(description=DOCUMENT).get_absolute_url()]


def _component_edit(w, client):
    client.force_login(w.staff)
    component = w.component
    form = {**COMPONENT_FORM, "name": component.name, "description": DOCUMENT}
    response = client.post(object_url("components:component_edit", component), form)
    assert response.status_code == 302
    return [component.get_absolute_url()]


def _component_import(w, client):
    document = yaml.safe_load(PUBLICCODE.read_text())
    document["description"]["en"]["longDescription"] = DOCUMENT
    client.force_login(w.officer)
    response = client.post(
        reverse("components:component_import"), {"text": yaml.safe_dump(document)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return [Component.objects.get(description__contains=START).get_absolute_url()]


def _version_edit(w, client):
    client.force_login(w.staff)
    version = w.draft_version
    kwargs = {"slug": version.standard.slug, "number": version.number}
    form = {"change_notes": DOCUMENT, "review_period_months": "12"}
    assert client.post(reverse("standards:version_edit", kwargs=kwargs), form).status_code == 302
    return [version.get_absolute_url()]


def _criterion_create(w, client):
    client.force_login(w.staff)
    version = w.draft_version
    kwargs = {"slug": version.standard.slug, "number": version.number}
    form = {"code": "X1", "title": "A criterion", "guidance": DOCUMENT, "mandatory": "on"}
    assert (
        client.post(reverse("standards:criterion_create", kwargs=kwargs), form).status_code == 302
    )
    return [version.get_absolute_url()]


def _criterion_edit_published(w, client):
    """Guidance of a published criterion: on the standard's page and the officer's answer form."""
    from standards import services

    client.force_login(w.staff)
    version = w.draft_version
    criterion = version.criteria.order_by("position").first()
    kwargs = {"slug": version.standard.slug, "number": version.number, "pk": criterion.pk}
    form = {"code": criterion.code, "title": criterion.title, "guidance": DOCUMENT}
    assert client.post(reverse("standards:criterion_edit", kwargs=kwargs), form).status_code == 302
    services.version_publish(actor=w.staff, version=version)
    assessment, _ = services.assessment_start(actor=w.officer, version=version)
    client.force_login(w.officer)
    answer = reverse(
        "standards:answer_edit",
        kwargs={"public_id": assessment.public_id, "criterion_pk": criterion.pk},
    )
    return [version.standard.get_absolute_url(), answer]


def _consultation_comment(w, client):
    client.force_login(w.officer)
    version = w.consultation_version
    kwargs = {"slug": version.standard.slug, "number": version.number}
    form = {"criterion": "", "body": DOCUMENT}
    assert client.post(reverse("standards:comment_create", kwargs=kwargs), form).status_code == 302
    return [version.get_absolute_url()]


CENTRE_FORM = {
    "regions": ["E12000003"],
    "focus": "Children's services data",
    "focus_themes": ["data"],
}


def _centre_create(w, client):
    client.force_login(w.staff)
    host = Organisation.objects.get(slug="west-yorkshire-combined-authority")
    form = {
        **CENTRE_FORM,
        "name": "West Yorkshire Centre",
        "host": host.pk,
        "description": DOCUMENT,
    }
    assert client.post(reverse("centres:centre_create"), form).status_code == 302
    return [Centre.objects.get(host=host).get_absolute_url()]


def _centre_edit(w, client):
    client.force_login(w.staff)
    centre = w.centre
    form = {
        **CENTRE_FORM,
        "name": centre.name,
        "host": centre.host_id,
        "regions": centre.regions,
        "description": DOCUMENT,
    }
    url = reverse("centres:centre_edit", kwargs={"slug": centre.slug})
    assert client.post(url, form).status_code == 302
    return [centre.get_absolute_url()]


LEARNING_FORM = {
    "kind": "case_study",
    "title": "Plain privacy notices",
    "summary": "Residents shared more when told plainly.",
    "evidence_strength": "4",
    "cost_band": "very_low",
    "impact_summary": "Willingness rose from 58% to 71%.",
    "themes": ["data"],
    "service_areas": ["customer-services"],
    "councils": ["manchester"],
    "problems": "",
    "project": "",
}


def _learning_create(w, client):
    client.force_login(w.centre_staff)
    url = reverse("centres:learning_create", kwargs={"slug": w.centre.slug})
    assert client.post(url, {**LEARNING_FORM, "body": DOCUMENT}).status_code == 302
    return [Learning.objects.get(body=DOCUMENT).get_absolute_url()]


def _learning_revision(w, client):
    """Editing published learning keeps the old text as a revision anyone can read."""
    _learning_create(w, client)
    learning = Learning.objects.get(body=DOCUMENT)
    centre_services.learning_submit(actor=w.centre_staff, learning=learning)
    centre_services.learning_publish(actor=w.centre_staff, learning=learning)
    url = reverse("centres:learning_edit", kwargs={"public_id": learning.public_id})
    form = {**LEARNING_FORM, "body": "Rewritten."}
    assert client.post(url, form).status_code == 302
    client.logout()
    return [
        reverse("centres:learning_revision", kwargs={"public_id": learning.public_id, "number": 1})
    ]


# (label, the stored *_html fields it exercises, how to write DOCUMENT and where to read it)
MARKDOWN_CASES = [
    ("problem description", {"backlog.Problem.description_html"}, _problem_submit),
    ("comment", {"backlog.Comment.body_html"}, _comment_create),
    ("edited comment", {"backlog.Comment.body_html"}, _comment_edit),
    ("comment on the moderator's page", {"backlog.Comment.body_html"}, _comment_moderate_page),
    ("component description", {"components.Component.description_html"}, _component_submit),
    ("edited component", {"components.Component.description_html"}, _component_edit),
    ("publiccode.yml import", {"components.Component.description_html"}, _component_import),
    ("version change notes", {"standards.StandardVersion.change_notes_html"}, _version_edit),
    ("criterion guidance", {"standards.Criterion.guidance_html"}, _criterion_create),
    (
        "published criterion guidance",
        {"standards.Criterion.guidance_html"},
        _criterion_edit_published,
    ),
    ("consultation comment", {"standards.ConsultationComment.body_html"}, _consultation_comment),
    ("centre description", {"centres.Centre.description_html"}, _centre_create),
    ("edited centre", {"centres.Centre.description_html"}, _centre_edit),
    ("learning", {"centres.Learning.body_html"}, _learning_create),
    ("learning revision", {"centres.LearningRevision.body_html"}, _learning_revision),
]


class _People(World):
    @property
    def other_officer(self):
        return self._fixture("other_officer")


@pytest.mark.parametrize("write", [pytest.param(case[2], id=case[0]) for case in MARKDOWN_CASES])
def test_markdown_field_shows_nothing_executable(write, request, client):
    world = _People(request, "officer")
    for url in write(world, client):
        _assert_page_inert(client, url)


def test_every_stored_html_field_is_exercised():
    """Every model field that keeps rendered Markdown (`*_html`) is written by a case above."""
    stored = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "name", "").endswith("_html")
    }
    covered = set().union(*(case[1] for case in MARKDOWN_CASES))
    assert stored == covered


# --- Plain-text fields people write: escaped on the page --------------------------------------


def _problem_title(w, client):
    client.force_login(w.officer)
    form = {
        "title": PLAIN[:150],
        "summary": PLAIN,
        "description": "Plain.",
        "theme": "data",
        "service_areas": ["housing"],
        "checked": "1",
    }
    assert client.post(reverse("backlog:problem_submit"), form).status_code == 302
    problem = Problem.objects.get(summary=PLAIN)
    return [problem.get_absolute_url(), reverse("backlog:problem_list")]


def _answer_evidence(w, client):
    client.force_login(w.officer)
    assessment = w.assessment
    criterion = assessment.version.criteria.order_by("position").first()
    url = reverse(
        "standards:answer_edit",
        kwargs={"public_id": assessment.public_id, "criterion_pk": criterion.pk},
    )
    form = {
        "rating": "met",
        "evidence": PLAIN,
        **date_input("evidence_date", TODAY() - timedelta(days=3)),
        "action": "later",
    }
    assert client.post(url, form).status_code == 302
    assert Answer.objects.filter(evidence=PLAIN).exists()
    return [reverse("standards:assessment_check", kwargs={"public_id": assessment.public_id})]


def _adoption_note(w, client):
    client.force_login(w.officer)
    form = {
        "stage": "in_use",
        "since_0": "1",
        "since_1": "3",
        "since_2": "2025",
        "evidence_url": "",
        "evidence_note": PLAIN,
    }
    component = w.component
    assert client.post(object_url("components:adoption_record", component), form).status_code == 302
    assert Adoption.objects.filter(evidence_note=PLAIN).exists()
    return [component.get_absolute_url()]


def _project_summary(w, client):
    client.force_login(w.centre_staff)
    form = {
        "title": "A project",
        "summary": PLAIN,
        "status": "proposed",
        "phase": "discovery",
        "problems": "",
    }
    url = reverse("centres:project_create", kwargs={"slug": w.centre.slug})
    response = client.post(url, form)
    assert response.status_code == 302
    return [response["Location"]]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(_problem_title, id="problem title and summary"),
        pytest.param(_answer_evidence, id="assessment answer evidence"),
        pytest.param(_adoption_note, id="adoption evidence note"),
        pytest.param(_project_summary, id="project summary"),
    ],
)
def test_plain_text_is_escaped(write, request, client):
    world = _People(request, "officer")
    for url in write(world, client):
        _assert_page_inert(client, url, markdown=False)


# --- Links people give: only http and https ---------------------------------------------------

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
]


def _post_component_link(w, client, link):
    client.force_login(w.officer)
    form = {**COMPONENT_FORM, "name": "Linked thing", "description": "x", "source_url": link}
    client.post(reverse("components:component_submit"), form)
    form = {**form, "source_url": "", "documentation_url": link}
    client.post(reverse("components:component_submit"), form)
    return Component.objects.filter(name="Linked thing").exists()


def _post_adoption_link(w, client, link):
    client.force_login(w.officer)
    form = {"stage": "in_use", "since_0": "1", "since_1": "3", "since_2": "2025"}
    form |= {"evidence_url": link, "evidence_note": ""}
    client.post(object_url("components:adoption_record", w.component), form)
    return Adoption.objects.exists()


def _post_answer_link(w, client, link):
    client.force_login(w.officer)
    assessment = w.assessment
    criterion = assessment.version.criteria.order_by("position").first()
    url = reverse(
        "standards:answer_edit",
        kwargs={"public_id": assessment.public_id, "criterion_pk": criterion.pk},
    )
    client.post(url, {"rating": "met", "evidence": "", "evidence_url": link})
    return Answer.objects.filter(assessment=assessment).exclude(evidence_url="").exists()


@pytest.mark.parametrize("link", SCRIPT_LINKS)
@pytest.mark.parametrize(
    "post",
    [
        pytest.param(_post_component_link, id="component source and documentation links"),
        pytest.param(_post_adoption_link, id="adoption evidence link"),
        pytest.param(_post_answer_link, id="assessment evidence link"),
    ],
)
def test_script_links_are_refused(post, link, request, client):
    world = _People(request, "officer")
    assert not post(world, client, link), f"{link!r} was stored"


# --- The API stores the same sanitised HTML ---------------------------------------------------


def test_api_writes_store_inert_html(officer, centre_staff, request):
    world = _People(request, "officer")
    centre = world.centre

    def api(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=user, name='x')[1]}")
        return client

    problem = api(officer).post(
        "/api/v1/problems/",
        {
            "title": "Hostile",
            "summary": "Hostile",
            "description": DOCUMENT,
            "theme": "data",
            "service_areas": ["housing"],
        },
        format="json",
    )
    component = api(officer).post(
        "/api/v1/components/",
        {**COMPONENT_FORM, "name": "Hostile", "description": DOCUMENT, "maintainer": ""},
        format="json",
    )
    learning = api(centre_staff).post(
        "/api/v1/learning/",
        {
            "centre": centre.slug,
            "kind": "case_study",
            "title": "Hostile",
            "summary": "Hostile",
            "body": DOCUMENT,
            "evidence_strength": 1,
            "cost_band": "low",
            "impact_summary": "None",
            "themes": ["data"],
        },
        format="json",
    )
    comment = api(officer).post(
        f"/api/v1/problems/{problem.json()['id']}/comments/", {"body": DOCUMENT}, format="json"
    )
    for response, key in [
        (problem, "description_html"),
        (component, "description_html"),
        (learning, "body_html"),
        (comment, "body_html"),
    ]:
        assert response.status_code == 201, response.content[:300]
        assert START in response.json()[key]
        assert_inert(response.json()[key], key)
