"""Writes under concurrency: 20 threads per write path on one warehouse.

Streamlit serves every browser session from a thread of one process, so this is what twenty
users pressing Save at the same moment do; the workflow's races run on both engines (on
PostgreSQL the threads also take the database's write lock, as other processes do: see
test_postgres_servers.py for several processes). Nothing may be lost or doubled, a truly conflicting
step is refused with its reason, and every audit-log row matches a change.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from csdata.analytics.compiler import EVERYTHING
from csdata.records import entry
from csdata.text.i18n import Problem

THREADS = 20


def race(action) -> list[object]:
    """Run action(i) in THREADS threads released at once; each result, or the Problem raised."""
    start = threading.Barrier(THREADS)

    def run(i: int):
        start.wait()
        try:
            return action(i)
        except Problem as exc:
            return exc

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def log_rows(wh, action: str) -> list[dict]:
    rows = wh.rows("SELECT entity, detail FROM audit_log WHERE action = ? ORDER BY id", [action])
    return [{"entity": e, **json.loads(d or "{}")} for e, d in rows]


def test_twenty_audits_with_blank_ids_are_all_saved(tiny):
    before = tiny.scalar("SELECT count(*) FROM audits")
    action = entry.CorrectiveAction(kind="coaching", due_on=dt.date(2026, 3, 31))
    values = {"audited_at": dt.date(2026, 3, 20), "agent_id": "A1", "source": "recording", "attitude": 80}
    reports = race(lambda i: entry.save_audit(tiny, f"qa{i}", values, action))
    assert all(not isinstance(r, Problem) and r.imported == 1 for r in reports), reports
    ids = [r.assigned["audit_id"] for r in reports]
    assert len(set(ids)) == THREADS
    assert tiny.scalar("SELECT count(*) FROM audits") == before + THREADS
    stored = set(tiny.column("SELECT audit_id FROM audits WHERE starts_with(audit_id, 'AU0')"))
    assert set(ids) <= stored
    # each audit has its own corrective action, pointing at it
    assert sorted(tiny.column("SELECT audit_id FROM corrective_actions")) == sorted(ids)
    assert len(set(tiny.column("SELECT action_id FROM corrective_actions"))) == THREADS
    logged = log_rows(tiny, "import.audits")
    assert len(logged) == THREADS and all(r["imported"] == 1 for r in logged)


def test_twenty_next_attempts_are_numbered_one_after_another(tiny):
    values = {
        "employee_id": "B1",
        "course": "Retake drill",
        "kind": "in_service",
        "taken_on": dt.date(2026, 3, 25),
        "score": 70,
        "hours": 1,
        "attempt": None,
    }
    reports = race(lambda i: entry.save_training(tiny, f"hr{i}", values))
    assert all(not isinstance(r, Problem) and r.imported == 1 for r in reports), reports
    attempts = tiny.column(
        "SELECT attempt FROM training_results WHERE course = 'Retake drill' ORDER BY attempt"
    )
    assert attempts == list(range(1, THREADS + 1))
    assert sorted(r.assigned["attempt"] for r in reports) == attempts
    assert len(log_rows(tiny, "import.training")) == THREADS


def test_twenty_new_tickets_are_all_saved(tiny):
    values = {
        "client": "Acme",
        "channel": "phone",
        "type": "complaint",
        "agent_id": "A1",
        "opened_at": dt.datetime(2026, 3, 20, 10),
    }
    reports = race(lambda i: entry.save_ticket(tiny, f"sup{i}", EVERYTHING, values))
    assert all(not isinstance(r, Problem) and r.imported == 1 for r in reports), reports
    assert tiny.scalar("SELECT count(*) FROM tickets WHERE starts_with(ticket_id, 'F')") == THREADS


COMPLAINT = {
    "ticket_id": "C1",
    "client": "Acme",
    "channel": "phone",
    "type": "complaint",
    "agent_id": "A1",
    "team": "Acme-1",
    "opened_at": dt.datetime(2026, 3, 20, 10),
    "callback_promised_at": dt.datetime(2026, 3, 20, 12),
}


@pytest.fixture
def fed_back(tiny) -> str:
    """A complaint routed and fed back, waiting for the customer's answer. The ticket is written
    as a row (a form would save it through the import, which does not stage on every engine yet);
    the steps after it are the workflow's own."""
    with tiny.transaction("sup", "fixture", "C1") as w:
        w.insert_df("tickets", pd.DataFrame([COMPLAINT]))
    entry.route(tiny, "sup", "C1", "billing", dt.datetime(2026, 3, 20, 11))
    entry.feedback(tiny, "sup", "C1", dt.datetime(2026, 3, 21, 9))
    return "C1"


def test_one_answer_wins_and_the_others_are_refused(tiny, fed_back):
    # half the users record an acceptance, half a reopen, all at once
    outcomes = race(lambda i: (entry.accept if i % 2 else entry.reopen)(tiny, f"sup{i}", fed_back) or "done")
    done = [o for o in outcomes if o == "done"]
    refused = [o for o in outcomes if isinstance(o, Problem)]
    assert len(done) == 1 and len(refused) == THREADS - 1
    assert {p.key for p in refused} == {"wf_already_answered"}
    answers = log_rows(tiny, "ticket.accept") + log_rows(tiny, "ticket.reopen")
    assert len(answers) == 1
    accepted, reopened = tiny.rows(
        "SELECT customer_accepted, coalesce(reopened, FALSE) FROM tickets WHERE ticket_id = ?", [fed_back]
    )[0]
    assert (accepted, reopened) in ((True, False), (False, True))
    assert ("customer_accepted" in answers[0]) and answers[0]["customer_accepted"] == str(accepted)


def test_a_callback_is_recorded_once(tiny, fed_back):
    at = dt.datetime(2026, 3, 20, 12, 5)
    outcomes = race(lambda i: entry.callback_done(tiny, f"sup{i}", fed_back, at) or "done")
    assert outcomes.count("done") == 1
    assert {o.key for o in outcomes if isinstance(o, Problem)} == {"wf_callback_done_already"}
    assert len(log_rows(tiny, "ticket.callback")) == 1


def test_a_refused_step_writes_no_log_row(tiny, fed_back):
    entry.accept(tiny, "sup", fed_back)
    with pytest.raises(Problem, match="wf_closed"):
        entry.feedback(tiny, "sup", fed_back, dt.datetime(2026, 3, 22, 9))
    assert len(log_rows(tiny, "ticket.feedback")) == 1  # the one before, not the refused one
