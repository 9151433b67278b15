"""What an import refuses or leaves alone although each cell alone looks fine: what
`--create-missing` may create, and dates outside the plausible window."""

from __future__ import annotations

import pytest
from conftest import build_tiny

from csdata.ingest import import_file

ACTOR = "tester"
TICKET_HEADER = ["ticket_id", "client", "channel", "type", "agent_id", "opened_at"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode("utf-8")


def employee_ids(wh) -> set[str]:
    return set(wh.column("SELECT employee_id FROM employees"))


@pytest.fixture
def tiny_with_ticket(tmp_path):
    wh = build_tiny(tmp_path / "tiny.duckdb")
    first = import_file(
        wh,
        "tickets",
        csv_bytes(TICKET_HEADER, [["K1", "Acme", "phone", "complaint", "A1", "2026-03-02 09:00"]]),
        "k.csv",
        ACTOR,
    )
    assert (first.imported, first.rejected) == (1, 0)
    yield wh
    wh.close()


# -- --create-missing creates what the imported rows need, nothing more ---------------------------


def test_a_duplicate_row_creates_nothing(tiny_with_ticket):
    wh = tiny_with_ticket
    before = employee_ids(wh)
    again = csv_bytes(TICKET_HEADER, [["K1", "Gamma", "phone", "complaint", "GHOST1", "2026-03-02 09:00"]])
    report = import_file(wh, "tickets", again, "k2.csv", ACTOR, create_missing=True)
    assert (report.imported, report.duplicates, report.rejected, report.committed) == (0, 1, 0, True)
    assert report.created == {}
    assert employee_ids(wh) == before
    assert "Gamma" not in wh.column("SELECT name FROM clients")
    assert wh.scalar("SELECT agent_id FROM tickets WHERE ticket_id = 'K1'") == "A1"


def test_a_new_row_creates_its_agent_and_a_duplicate_beside_it_does_not(tiny_with_ticket):
    wh = tiny_with_ticket
    rows = [
        ["K1", "Acme", "phone", "complaint", "GHOST1", "2026-03-02 09:00"],  # already present
        ["K2", "Acme", "chat", "consultation", "GHOST2", "2026-03-03 10:00"],
    ]
    report = import_file(wh, "tickets", csv_bytes(TICKET_HEADER, rows), "k2.csv", ACTOR, create_missing=True)
    assert (report.imported, report.duplicates, report.rejected) == (1, 1, 0)
    assert report.created == {"employees": ["GHOST2"]}
    assert "GHOST1" not in employee_ids(wh)
    assert wh.rows("SELECT status, hire_date::VARCHAR FROM employees WHERE employee_id = 'GHOST2'") == [
        ("active", "2026-03-03")
    ]


def test_a_rejected_row_creates_nothing_and_strict_creates_nothing_at_all(tiny_with_ticket):
    wh = tiny_with_ticket
    rows = [
        ["K3", "Acme", "phone", "complaint", "GHOST3", "2026-03-04 09:00"],
        ["K4", "Acme", "fax", "complaint", "GHOST4", "2026-03-04 10:00"],  # no such channel
    ]
    data = csv_bytes(TICKET_HEADER, rows)
    before = employee_ids(wh)
    strict = import_file(wh, "tickets", data, "k3.csv", ACTOR, create_missing=True, strict=True)
    assert (strict.imported, strict.rejected, strict.committed) == (0, 1, False)
    assert employee_ids(wh) == before
    lenient = import_file(wh, "tickets", data, "k3.csv", ACTOR, create_missing=True)
    assert (lenient.imported, lenient.rejected) == (1, 1)
    assert employee_ids(wh) - before == {"GHOST3"}
