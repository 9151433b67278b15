"""A ticket a file import creates: its trail of creation is the import (migration 020).

No `record_changes` row is written for it; its history still opens with its creation, by the
importing account, at the import's time, from the file, in both languages, and keeps it through
a correction, a void and a later import of the same id."""

from __future__ import annotations

from conftest import build_tiny

from csdata.imports.ingest import import_file
from csdata.records import corrections, history

HEADER = "ticket_id,client,channel,type,agent_id,opened_at,first_response_at,handle_seconds,csat\n"
ROWS = "IT1,Acme,phone,consultation,A1,2026-03-05 14:30,2026-03-05 14:30:15,270,5\n"
ROWS2 = "IT2,Beta,email,complaint,B1,2026-03-06 09:00,,600,\n"


def test_an_imported_ticket_s_creation_is_its_import(tmp_path):
    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        trail_before = wh.scalar("SELECT count(*) FROM record_changes")
        report = import_file(wh, "tickets", (HEADER + ROWS + ROWS2).encode(), "march.csv", "lead")
        assert report.imported == 2
        # No trail row per ticket: the tickets carry the import, whose row says who, when, what.
        assert wh.scalar("SELECT count(*) FROM record_changes") == trail_before
        (import_id, at, actor, file_name, imported, log_id) = wh.rows(
            "SELECT id, at_time, actor, file_name, imported, audit_log_id FROM import_log"
        )[0]
        assert (actor, file_name, imported) == ("lead", "march.csv", 2)
        assert wh.column("SELECT import_id FROM tickets WHERE ticket_id LIKE 'IT%'") == [import_id] * 2
        assert wh.scalar("SELECT action FROM audit_log WHERE id = ?", [log_id]) == "import.tickets"

        [created] = history.versions(wh, "tickets", "IT1", "en")
        assert created["change"] == "create" and created["actor"] == "lead"
        assert created["at"] == at.isoformat(sep=" ", timespec="seconds")
        assert created["reason"] == f"imported from march.csv (import {import_id})"
        assert created["changes"]["client"] == [None, "Acme"]
        assert created["changes"]["csat"] == [None, 5]
        [zh] = history.versions(wh, "tickets", "IT1", "zh")
        assert zh["reason"] == f"从 march.csv 导入（第 {import_id} 次导入）"

        # A correction adds its trail row after the creation.
        fixed = HEADER + ROWS.replace(",270,5", ",300,4")
        assert (
            import_file(wh, "tickets", fixed.encode(), "march-fixed.csv", "lead2", update=True).updated == 1
        )
        created, corrected = history.versions(wh, "tickets", "IT1", "en")
        assert (created["change"], created["actor"], corrected["change"], corrected["actor"]) == (
            "create", "lead", "update", "lead2"
        )  # fmt: skip
        assert created["changes"]["csat"] == [None, 5]  # the values it was created with
        assert corrected["changes"]["csat"] == [5, 4]
        assert wh.scalar("SELECT import_id FROM tickets WHERE ticket_id = 'IT1'") == import_id

        # A void deletes the ticket and its link to the import: the creation is written to the trail.
        corrections.void(wh, "admin", "tickets", "IT2", "entered twice")
        assert wh.rows(
            "SELECT actor, change, at_time, audit_log_id FROM record_changes WHERE record_id = 'IT2' ORDER BY id"
        ) == [
            ("lead", "create", at, log_id),
            (
                "admin",
                "void",
                *wh.rows(
                    "SELECT at_time, audit_log_id FROM record_changes WHERE record_id = 'IT2' AND change = 'void'"
                )[0],
            ),
        ]
        created, voided = history.versions(wh, "tickets", "IT2", "en")
        assert (created["change"], created["actor"], voided["change"]) == ("create", "lead", "void")
        assert created["reason"] == f"imported from march.csv (import {import_id})"
        assert created["changes"]["type"] == [None, "complaint"]
        assert voided["reason"] == "entered twice"

        # Imported again later: a second creation, after the void.
        report = import_file(wh, "tickets", (HEADER + ROWS2).encode(), "again.csv", "lead3")
        assert report.imported == 1
        second = wh.scalar("SELECT max(id) FROM import_log")
        versions = history.versions(wh, "tickets", "IT2", "en")
        assert [(v["change"], v["actor"]) for v in versions] == [
            ("create", "lead"),
            ("void", "admin"),
            ("create", "lead3"),
        ]
        assert versions[2]["reason"] == f"imported from again.csv (import {second})"
    finally:
        wh.close()


def test_a_form_s_ticket_keeps_its_trail_row(tmp_path):
    import pandas as pd

    wh = build_tiny(tmp_path / "t.duckdb")
    try:
        row = pd.DataFrame(
            [{"ticket_id": "FT1", "client": "Acme", "channel": "chat", "type": "consultation", "agent_id": "A1",
              "opened_at": "2026-03-05 10:00"}]
        )  # fmt: skip
        assert import_file(wh, "tickets", row, "form", "lead").imported == 1
        assert wh.rows("SELECT actor, change FROM record_changes WHERE record_id = 'FT1'") == [
            ("lead", "create")
        ]
        [created] = history.versions(wh, "tickets", "FT1", "en")  # one creation, not two
        assert created["reason"] == "saved in a form"
    finally:
        wh.close()
