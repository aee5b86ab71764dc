"""The demo's content for what changes after it is written (issue 19): problems with revisions
and a withdrawn one, a learning rating raised through review and changes waiting for their
reviewers, evidence files on an answer and an adoption, and a shared-service officer. Each is
there after `seed_demo`, its page answers the role it is for, and loading again adds nothing."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from backlog.models import Problem, ProblemRevision, Status, WithdrawnProblem
from centres.models import LearningChange
from components.models import Adoption, ComponentChange
from institute import evidence
from institute.demo import SHARED_SERVICE, demo_files_scan, demo_pdf, demo_upload
from institute.models import ChangeStatus, EvidenceFile, Membership, ScanStatus, User
from standards.models import Answer
from tests.factories import give_authenticator_app

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _counts():
    return {
        "revisions": ProblemRevision.objects.count(),
        "withdrawn": WithdrawnProblem.objects.count(),
        "learning_changes": LearningChange.objects.count(),
        "component_changes": ComponentChange.objects.count(),
        "files": EvidenceFile.objects.count(),
        "memberships": Membership.objects.count(),
    }


def _signed_in(client, email):
    user = User.objects.get(email=email)
    client.force_login(user)
    return user


def test_demo_has_the_content_that_changes_and_its_pages_answer(client, clamd):
    _seed()

    # Problems: an officer's edit while new and a staff retitle with a reason; a withdrawal.
    webchat = Problem.objects.get(title="Webchat transcripts are not saved to the resident's case")
    by_officer, by_staff = webchat.revisions.order_by("created_at")
    assert not by_officer.by_staff and by_officer.actor.email == "officer@camden.council.test"
    assert by_staff.by_staff and by_staff.reason
    assert by_staff.changes[0]["before"] == "Webchat transcripts lost"
    retitled = Problem.objects.get(title__startswith="Councils cannot find others")
    assert retitled.status == Status.TRIAGED and retitled.revisions.get().by_staff
    page = client.get(webchat.get_absolute_url())
    assert page.status_code == 200
    assert "Webchat transcripts lost" in page.content.decode()
    tombstone = WithdrawnProblem.objects.get(withdrawn_by__email="officer@norfolk.council.test")
    assert not Problem.objects.filter(pk=tombstone.number).exists()
    gone = client.get(reverse("backlog:problem_detail", args=[tombstone.number]))
    assert gone.status_code == 410 and "withdrawn" in gone.content.decode()

    # Learning: a rating raised through review, shown in its history; one change waiting.
    raised = LearningChange.objects.get(status=ChangeStatus.PUBLISHED)
    assert (raised.previous["evidence_strength"], raised.proposed["evidence_strength"]) == (3, 4)
    assert raised.decided_by.email == "lead@gmca.test"
    page = client.get(raised.learning.get_absolute_url()).content.decode()
    assert "Evidence rating history" in page and "Changed from 3 to 4" in page
    waiting = LearningChange.objects.get(status=ChangeStatus.PENDING)
    _signed_in(client, "lead@gmca.test")
    assert client.get(waiting.get_absolute_url()).status_code == 200

    # A component change waiting for the demo staff sign-in, who did not make it.
    change = ComponentChange.objects.get(status=ChangeStatus.PENDING)
    staff = User.objects.get(email="staff@institute.test")
    assert change.proposed_by != staff
    give_authenticator_app(staff)
    client.force_login(staff)
    page = client.get(change.component.get_absolute_url()).content.decode()
    assert "A change waits for review" in page and "Review the change" in page
    assert client.get(change.get_absolute_url()).status_code == 200

    # Evidence files: scanned by the loader because clamd answered, so they can be downloaded.
    adoption = Adoption.objects.get(evidence_files__isnull=False)
    file = adoption.evidence_files.get()
    assert file.scan_status == ScanStatus.CLEAN and file.content_type == "application/pdf"
    assert adoption.organisation.slug == "leeds"
    download = reverse("components:adoption_file_download", args=[adoption.pk, file.public_id])
    _signed_in(client, "officer@leeds.council.test")
    page = client.get(adoption.component.get_absolute_url()).content.decode()
    assert file.name in page and download in page
    assert b"".join(client.get(download).streaming_content).startswith(b"%PDF-1.4")
    answer = Answer.objects.get(evidence_files__isnull=False)
    image = answer.evidence_files.get()
    assert image.scan_status == ScanStatus.CLEAN and image.content_type == "image/png"
    check = reverse("standards:assessment_check", args=[answer.assessment.public_id])
    page = client.get(check)
    assert page.status_code == 200 and image.name in page.content.decode()
    _signed_in(client, "officer@bristol.council.test")
    assert file.name not in client.get(adoption.component.get_absolute_url()).content.decode()

    # The shared-service officer: two councils, the first the primary one.
    shared = SHARED_SERVICE[0]
    user = _signed_in(client, shared["email"])
    memberships = list(user.memberships.order_by("-is_primary").values_list(
        "organisation__slug", "is_primary"
    ))  # fmt: skip
    assert memberships == [(shared["organisations"][0], True), (shared["organisations"][1], False)]
    account = client.get(reverse("institute:account")).content.decode()
    assert "Acting as" in account and "Adur" in account and "Worthing" in account

    before = _counts()
    _seed()
    assert _counts() == before


def test_without_clamd_the_demo_files_wait_unchecked(no_clamd, officer):
    made = evidence.evidence_file_create(
        actor=officer,
        organisation=officer.membership.organisation,
        upload=demo_upload("Report.pdf", demo_pdf("A report", ["One line (of text)."])),
    )
    demo_files_scan([made])
    made.refresh_from_db()
    assert made.scan_status == ScanStatus.PENDING
