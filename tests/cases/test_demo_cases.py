"""The demo cases: real triage opens them; the workbench has new, waiting and handed-on work."""

import pytest

from cairn.accounts.models import StaffUser
from cairn.cases.models import Case
from cairn.contacts.models import Contact, Status
from cairn.demo.cases import DEMO_CASES, load_demo_cases
from cairn.demo.data import load_demo_data
from cairn.resolution.worklists import case_worklist

pytestmark = pytest.mark.django_db


def test_demo_cases_fill_the_workbench_and_loading_again_adds_none():
    load_demo_data()  # loads the demo cases
    advisor = StaffUser.objects.get(username="advisor")

    assert load_demo_cases(advisor) == 0

    assert Case.objects.count() == len(DEMO_CASES)
    resolver = StaffUser.objects.get(username="resolution")
    officer = StaffUser.objects.get(username="officer")
    rows = case_worklist(resolver)
    assert len(rows) == 2  # the new one and their own; the handed-on one left the team
    assert [row.is_new for row in rows] == [False, True]
    assert rows[0].person_waiting_since is not None
    [local] = case_worklist(officer)
    assert local.case.team == officer.team
    # None of them waits in the triage queue.
    keys = [key for key, *_ in DEMO_CASES]
    assert not Contact.objects.filter(idempotency_key__in=keys, status=Status.RECEIVED).exists()
