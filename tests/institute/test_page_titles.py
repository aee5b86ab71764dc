"""Page titles say what state the page is in (GOV.UK): "Error: " first when a form on it has
errors, and "(page 2 of 3)" on a page of a long list."""

from django.urls import reverse

from institute.pagination import PAGE_SIZE
from tests.factories import ProblemFactory


def test_a_page_of_a_long_list_says_which_page_of_how_many(client, db):
    ProblemFactory.create_batch(PAGE_SIZE * 2 + 1)
    html = client.get(reverse("backlog:problem_list"), {"page": 2}).content.decode()
    assert "(page 2 of 3) – " in html.split("</title>")[0]
    first = client.get(reverse("backlog:problem_list")).content.decode()
    assert "(page 1 of 3) – " in first.split("</title>")[0]


def test_a_short_list_has_no_page_number_and_a_form_without_errors_no_error_prefix(client, db):
    ProblemFactory()
    title = client.get(reverse("backlog:problem_list")).content.decode().split("</title>")[0]
    assert "(page" not in title and "Error:" not in title


def test_a_form_with_errors_puts_error_first_in_the_title(client, officer):
    client.force_login(officer)
    html = client.post(reverse("backlog:problem_submit"), {"title": ""}).content.decode()
    assert "<title>Error: " in html
