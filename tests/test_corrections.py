"""Corrections with a trail: `csdata import --update` corrects present records whose values
changed, keeping their values before and after, and `csdata history` lists a record's versions.

Scores worked by hand from the default scorecard's weights (attitude 25, responsiveness 20,
accuracy 30, communication 15, compliance 10): score = Σ weight × score / Σ weight over the
criteria scored.
"""

from __future__ import annotations

import json

import pytest
from conftest import build_tiny, run_cli

from csdata.imports.ingest import import_file
from csdata.records import entry
from csdata.store.warehouse import Warehouse

AUDIT_HEADER = "audit_id,audited_at,agent_id,source,attitude,responsiveness,accuracy,communication,compliance"
# 2026-03-21: no audit of the tiny warehouse falls on that day, so the day's QA score is these two.
AUDITS = [
    "CR1,2026-03-21,A1,recording,90,80,100,70,60",
    "CR2,2026-03-21,A2,spot_check,80,,90,100,50",
]
# CR1's accuracy corrected from 100 to 40.
CORRECTED = ["CR1,2026-03-21,A1,recording,90,80,40,70,60", AUDITS[1]]

CR1_BEFORE = (25 * 90 + 20 * 80 + 30 * 100 + 15 * 70 + 10 * 60) / 100  # 85.0
CR1_AFTER = (25 * 90 + 20 * 80 + 30 * 40 + 15 * 70 + 10 * 60) / 100  # 67.0
CR2 = (25 * 80 + 30 * 90 + 15 * 100 + 10 * 50) / 80  # 83.75, responsiveness not applicable

TRAINING_HEADER = "employee_id,course,kind,taken_on,score,hours,attempt"
TRAINING = ["A2,Complaint handling,in_service,2026-03-12,55,4,1"]
TRAINING_CORRECTED = ["A2,Complaint handling,in_service,2026-03-12,65,4,1"]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "corrections.duckdb"
    build_tiny(path).close()
    return path


def write(tmp_path, name: str, header: str, rows: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return str(path)


def cli_json(*args: str, actor: str = "qa.lead"):
    done = run_cli(*args, "--json", env={"LOGNAME": actor, "USER": actor, "CSDATA_LANG": "en"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def qa_score(db) -> float:
    values = cli_json(
        "kpi", "--db", str(db), "--from", "2026-03-21", "--to", "2026-03-21", "--metric", "qa_score"
    )
    return values["qa_score"]


def test_a_corrected_audit_sheet_updates_the_score_and_keeps_the_history(db, tmp_path):
    first = cli_json("import", "audits", write(tmp_path, "audits.csv", AUDIT_HEADER, AUDITS), "--db", str(db))
    assert (first["imported"], first["updated"], first["duplicates"]) == (2, 0, 0)
    assert qa_score(db) == pytest.approx((CR1_BEFORE + CR2) / 2)
    fixed = write(tmp_path, "audits-fixed.csv", AUDIT_HEADER, CORRECTED)

    # Without --update the changed row counts as already present, as before: nothing changes.
    plain = cli_json("import", "audits", fixed, "--db", str(db))
    assert (plain["imported"], plain["updated"], plain["duplicates"]) == (0, 0, 2)
    assert qa_score(db) == pytest.approx((CR1_BEFORE + CR2) / 2)

    done = run_cli(
        "import", "audits", fixed, "--db", str(db), "--json", "--update", "--reason", "accuracy mis-keyed",
        env={"LOGNAME": "qa.lead", "USER": "qa.lead"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["imported"], report["updated"], report["duplicates"], report["rejected"]) == (0, 1, 1, 0)
    assert qa_score(db) == pytest.approx((CR1_AFTER + CR2) / 2)

    wh = Warehouse(db, read_only=True)
    try:
        assert wh.rows("SELECT criterion, score FROM audit_scores WHERE audit_id = 'CR1' ORDER BY 1") == [
            ("accuracy", 40.0), ("attitude", 90.0), ("communication", 70.0), ("compliance", 60.0),
            ("responsiveness", 80.0),
        ]  # fmt: skip
        assert wh.rows("SELECT score, policy_version FROM audits WHERE audit_id = 'CR1'") == [
            (pytest.approx(CR1_AFTER), 1)
        ]
        actor = wh.scalar(
            "SELECT actor FROM audit_log WHERE action = 'import.audits' ORDER BY id DESC LIMIT 1"
        )
    finally:
        wh.close()

    # Again with --update and nothing changed: duplicates, as without it.
    again = cli_json("import", "audits", fixed, "--db", str(db), "--update")
    assert (again["imported"], again["updated"], again["duplicates"]) == (0, 0, 2)

    versions = cli_json("history", "audits", "CR1", "--db", str(db))
    assert [v["change"] for v in versions] == ["create", "update"]
    created, corrected = versions
    assert created["reason"] == "imported from audits.csv"
    assert created["changes"]["accuracy"] == [None, 100.0]
    assert corrected["actor"] == actor == "cli:qa.lead"
    assert corrected["reason"] == "accuracy mis-keyed"
    assert corrected["changes"]["accuracy"] == [100.0, 40.0]
    assert corrected["changes"]["score"] == [pytest.approx(CR1_BEFORE), pytest.approx(CR1_AFTER)]
    assert set(corrected["changes"]) == {"accuracy", "score"}
    assert set(corrected) == {"at", "actor", "change", "changes", "reason"}

    text = run_cli("history", "audits", "CR1", "--db", str(db), env={"CSDATA_LANG": "en"})
    assert text.returncode == 0, text.stderr
    assert "accuracy: 100 → 40" in text.stdout and "accuracy mis-keyed" in text.stdout

    # The untouched audit has its creation only.
    assert [v["change"] for v in cli_json("history", "audits", "CR2", "--db", str(db))] == ["create"]


def test_a_corrected_training_score_is_updated_with_its_history(db, tmp_path):
    first = cli_json(
        "import", "training", write(tmp_path, "tr.csv", TRAINING_HEADER, TRAINING), "--db", str(db)
    )
    assert (first["imported"], first["updated"]) == (1, 0)
    fixed = write(tmp_path, "tr-fixed.csv", TRAINING_HEADER, TRAINING_CORRECTED)
    plain = cli_json("import", "training", fixed, "--db", str(db))
    assert (plain["imported"], plain["updated"], plain["duplicates"]) == (0, 0, 1)

    report = cli_json("import", "training", fixed, "--db", str(db), "--update")
    assert (report["imported"], report["updated"], report["duplicates"]) == (0, 1, 0)
    again = cli_json("import", "training", fixed, "--db", str(db), "--update")
    assert (again["imported"], again["updated"], again["duplicates"]) == (0, 0, 1)

    wh = Warehouse(db, read_only=True)
    try:
        stored = wh.rows(
            "SELECT score, hours FROM training_results WHERE employee_id = 'A2' AND course = 'Complaint handling'"
        )
    finally:
        wh.close()
    assert stored == [(65.0, 4.0)]
    versions = cli_json("history", "training", "A2/Complaint handling/1", "--db", str(db))
    assert [v["change"] for v in versions] == ["create", "update"]
    assert versions[1]["changes"] == {"score": [55.0, 65.0]}
    assert versions[1]["reason"] == "re-import of tr-fixed.csv"


def test_unknown_kind_or_record_is_one_line_and_exit_2(db):
    unknown_kind = run_cli("history", "widgets", "X1", "--db", str(db), env={"CSDATA_LANG": "en"})
    assert unknown_kind.returncode == 2
    assert "unknown record kind widgets" in unknown_kind.stderr and len(unknown_kind.stderr.splitlines()) == 1
    unknown_id = run_cli("history", "audits", "NOPE", "--db", str(db), env={"CSDATA_LANG": "en"})
    assert unknown_id.returncode == 2
    assert "no audits record NOPE" in unknown_id.stderr and len(unknown_id.stderr.splitlines()) == 1


def test_a_record_from_before_the_trail_has_no_versions(db):
    text = run_cli("history", "audits", "AU1", "--db", str(db), env={"CSDATA_LANG": "en"})
    assert text.returncode == 0, text.stderr
    assert "No versions recorded for audits AU1" in text.stdout
    assert cli_json("history", "audits", "AU1", "--db", str(db)) == []


def test_a_form_save_names_its_record_in_the_audit_log_and_history(db):
    wh = Warehouse(db)
    try:
        values = {"audited_at": "2026-03-22", "agent_id": "A1", "source": "recording", "attitude": 80}
        report = entry.save(wh, "audits", {"audit_id": "FA1", **values}, "qa.lead")
        assert report.imported == 1
        logged = wh.rows(
            "SELECT entity, detail FROM audit_log WHERE action = 'import.audits' ORDER BY id DESC"
        )
        entity, detail = logged[0]
        assert entity == "audits:FA1" and json.loads(detail)["record"] == "FA1"
        trail = wh.rows("SELECT change, actor, record_id FROM record_changes WHERE kind = 'audits'")
        assert trail == [("create", "qa.lead", "FA1")]
        # A file import still names the table, as before.
        import_file(wh, "audits", (AUDIT_HEADER + "\n" + AUDITS[0] + "\n").encode(), "one.csv", "qa.lead")
        assert wh.scalar("SELECT entity FROM audit_log ORDER BY id DESC LIMIT 1") == "audits"
    finally:
        wh.close()
    [created] = cli_json("history", "audits", "FA1", "--db", str(db))
    assert created["reason"] == "saved in a form" and created["actor"] == "qa.lead"


def test_an_appraisal_and_an_employee_are_corrected_in_place(db):
    from csdata.policy import default_policy

    policy = default_policy()
    wh = Warehouse(db)
    try:
        wh.cursor().execute("UPDATE appraisals SET confirmed_by = 'H1' WHERE employee_id = 'A1'")
        sheet = "period,employee_id,satisfaction,quality,efficiency,teamwork\n2026-Q1,A1,90,50,80,100\n"
        report = import_file(wh, "appraisals", sheet.encode(), "ap.csv", "hr", update=True, reason="quality")
        assert (report.imported, report.updated, report.duplicates) == (0, 1, 0)
        values = {"satisfaction": 90, "quality": 50, "efficiency": 80, "teamwork": 100}
        score = policy.appraisal.score(values)
        # Scored again under the version in force on the period's last day; its confirmation kept.
        assert wh.rows(
            "SELECT score, grade, policy_version, confirmed_by FROM appraisals WHERE employee_id = 'A1'"
        ) == [(pytest.approx(score), policy.appraisal.band(score).grade, 1, "H1")]
        assert (
            wh.scalar("SELECT score FROM appraisal_scores WHERE employee_id = 'A1' AND indicator = 'quality'")
            == 50.0
        )

        # Only the columns the file has are compared and set: the team stays.
        people = (
            "employee_id,name,department,position,hire_date\nA2,白云云,customer_service,agent,2024-05-01\n"
        )
        report = import_file(wh, "employees", people.encode(), "people.csv", "hr", update=True)
        assert (report.imported, report.updated) == (0, 1)
        assert wh.rows("SELECT name, team FROM employees WHERE employee_id = 'A2'") == [("白云云", "Acme-1")]
    finally:
        wh.close()
    # Stored before the trail: its history is the correction alone.
    [corrected] = cli_json("history", "appraisals", "2026-Q1/A1", "--db", str(db))
    assert corrected["changes"]["quality"] == [85.0, 50.0] and corrected["reason"] == "quality"
    [renamed] = cli_json("history", "employees", "A2", "--db", str(db))
    assert renamed["changes"] == {"name": ["白云", "白云云"]} and renamed["actor"] == "hr"
