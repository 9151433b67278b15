"""`csdata import actions FILE` and `csdata import coaching FILE`: corrective actions (action_id,
audit_id, employee_id, kind, owner_id, opened_on, due_on, status, closed_on, note) and coaching
sessions from a file, through the import pipeline as every other kind: rejects with row and reason, Chinese headings in GB18030, idempotent, `--update` with
its trail, the scope of the importing account. An imported action has its step (what the Actions
page shows) and counts on the Quality page as its status says.

The tiny warehouse (tests/conftest.py) has audits AU1 (A1, 2026-03-03) and AU3 (B1, 2026-03-15).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import build_tiny, run_cli

from csdata.access.scope import EVERYTHING, scope_for
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.imports.ingest import import_file
from csdata.policy import load_policy

HEADER = "action_id,audit_id,employee_id,kind,owner_id,opened_on,due_on,status,closed_on,note"
GOOD = [
    # done on the 25th: counts as done in March
    "IA1,AU3,B1,training,S1,2026-03-15,2026-03-29,done,2026-03-25,Retrain on the ID check",
    # opened without an audit, still open after its due day (the 20th): overdue at March's end
    "IA2,,A2,other,S1,2026-03-05,2026-03-20,open,,Listen to five calls with the supervisor",
]
BAD = [
    "IA3,AU1,B1,coaching,S1,2026-03-03,2026-03-10,open,,",  # AU1 is A1's audit, not B1's
    "IA4,,A1,coaching,S1,2026-03-03,2026-03-10,done,,",  # done without the day it closed
    "IA5,,A1,coaching,S1,2026-03-03,2026-03-01,open,,",  # due before it opened
    "IA6,,A1,pep_talk,S1,2026-03-03,2026-03-10,open,,",  # no such kind
    "IA7,AU9,A1,coaching,S1,2026-03-03,2026-03-10,open,,",  # no such audit
]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "actions.duckdb"
    build_tiny(path).close()
    return path


def write(tmp_path, rows: list[str], name: str = "actions.csv", header: str = HEADER, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return str(path)


def cli(*args: str, actor: str = "qa.lead"):
    done = run_cli(*args, "--json", env={"LOGNAME": actor, "USER": actor, "CSDATA_LANG": "en"})
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else done.stderr


def quality_states(wh) -> dict[str, int]:
    sql, params = compiler.listing_sql(
        "actions", Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31)), EVERYTHING, load_policy(wh)[1]
    )
    frame = wh.df(sql, params)
    return frame.groupby("state")["actions"].sum().to_dict()


def test_import_checks_each_row_and_counts_on_the_quality_page(db, tmp_path):
    code, report = cli("import", "actions", write(tmp_path, GOOD + BAD), "--db", str(db))
    assert code == 1  # some rows rejected, the valid ones imported
    assert (report["imported"], report["rejected"]) == (2, 5)
    reasons = {(r["line"], r["column"]): r["reason"] for r in report["rejects"]}
    assert "A1" in reasons[(4, "employee_id")]  # the audit's own agent is named
    assert "closed_on" in reasons[(5, "closed_on")]
    assert "before opened_on" in reasons[(6, "due_on")]
    assert (7, "kind") in reasons
    assert (8, "audit_id") in reasons

    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        rows = wh.rows(
            "SELECT action_id, audit_id, agent_id, kind, owner_id, opened_on, due_on, status, closed_on"
            " FROM corrective_actions ORDER BY action_id"
        )
        assert rows == [
            ("IA1", "AU3", "B1", "training", "S1", dt.date(2026, 3, 15), dt.date(2026, 3, 29), "done",
             dt.date(2026, 3, 25)),
            ("IA2", None, "A2", "other", "S1", dt.date(2026, 3, 5), dt.date(2026, 3, 20), "open", None),
        ]  # fmt: skip
        # Each has its step, as the Actions page lists them: the status on the day it closed or opened.
        steps = lookups.action_steps(wh, "IA1")
        assert list(steps[["status", "actor"]].itertuples(index=False, name=None)) == [
            ("done", "cli:qa.lead")
        ]
        assert steps["on_date"].iloc[0].date() == dt.date(2026, 3, 25)
        # IA1 done on the 25th; IA2 open past the 20th, its day the day it opened (no audit).
        assert quality_states(wh) == {"done": 1, "overdue": 1}
    finally:
        wh.close()

    # The same file again: nothing new, nothing changed.
    code, again = cli("import", "actions", write(tmp_path, GOOD), "--db", str(db))
    assert (code, again["imported"], again["duplicates"]) == (0, 0, 2)


def test_update_closes_an_action_with_its_step_and_trail(db, tmp_path):
    cli("import", "actions", write(tmp_path, GOOD), "--db", str(db))
    closed = [GOOD[0], "IA2,,A2,other,S1,2026-03-05,2026-03-20,done,2026-03-28,Listened to five calls"]
    code, report = cli(
        "import", "actions", write(tmp_path, closed, "closed.csv"), "--db", str(db), "--update",
        "--reason", "closed at the team meeting",
    )  # fmt: skip
    assert (code, report["updated"], report["duplicates"]) == (0, 1, 1)
    code, versions = cli("history", "actions", "IA2", "--db", str(db))
    assert code == 0
    assert [v["change"] for v in versions] == ["create", "update"]
    assert versions[1]["changes"]["status"] == ["open", "done"]
    assert versions[1]["reason"] == "closed at the team meeting"
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        steps = lookups.action_steps(wh, "IA2")
        assert list(steps["status"]) == ["open", "done"]
        assert steps["note"].iloc[1] == "closed at the team meeting"
        assert quality_states(wh) == {"done": 2}
    finally:
        wh.close()


def test_chinese_headings_and_words_in_gb18030(db, tmp_path):
    header = "措施编号,质检编号,工号,类型,负责人,开始日期,截止日期,状态,关闭日期,备注"
    rows = ["ZA1,AU3,B1,培训,S1,2026年3月15日,2026年3月29日,已完成,2026年3月25日,复训核身流程"]
    code, report = cli(
        "import", "actions", write(tmp_path, rows, "整改.csv", header, "gb18030"), "--db", str(db)
    )
    assert (code, report["imported"]) == (0, 1), report
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        assert wh.rows(
            "SELECT kind, status, closed_on, note FROM corrective_actions WHERE action_id = 'ZA1'"
        ) == [("training", "done", dt.date(2026, 3, 25), "复训核身流程")]
    finally:
        wh.close()


def test_a_supervisor_imports_actions_for_their_own_teams_only(tiny, tmp_path):
    supervisor = scope_for("supervisor", teams=("Acme-1",))  # A1, A2, S1; not B1 of Beta-1
    data = Path(write(tmp_path, GOOD)).read_bytes()
    report = import_file(tiny, "actions", data, "actions.csv", "sup", scope=supervisor)
    assert (report.imported, report.rejected) == (1, 1)  # IA2 (A2) in, IA1 (B1) out
    assert report.rejects[0].column == "employee_id"
    assert tiny.column("SELECT action_id FROM corrective_actions ORDER BY action_id") == ["IA2"]
    # A client's account imports none.
    from csdata.imports.ingest import ImportError_

    with pytest.raises(ImportError_):
        import_file(tiny, "actions", data, "actions.csv", "c", scope=scope_for("client", clients=("Acme",)))


COACHING = "employee_id,held_on,coach_id,topic,audit_id,period,note"


def test_coaching_sessions_import_without_ids_and_again_add_nothing(db, tmp_path):
    rows = [
        "B1,2026-03-16,S1,Critical error on the ID check,AU3,,Listened to the call together",
        "A2,2026-03-20,S1,Appraisal follow-up,,2026-Q1,",
        "A2,2026-03-21,S1,Wrong person's audit,AU1,,",  # AU1 is A1's audit
        "A2,2026-03-22,ZZ9,Unknown coach,,,",  # no such coach
    ]
    path = write(tmp_path, rows, "coaching.csv", COACHING)
    code, report = cli("import", "coaching", path, "--db", str(db), actor="hr.lead")
    assert (code, report["imported"], report["rejected"]) == (1, 2, 2)
    assert {(r["line"], r["column"]) for r in report["rejects"]} == {(4, "employee_id"), (5, "coach_id")}
    code, again = cli("import", "coaching", path, "--db", str(db), actor="hr.lead")
    assert (again["imported"], again["duplicates"]) == (0, 2)

    from csdata.store.warehouse import Warehouse

    wh = Warehouse(db, read_only=True)
    try:
        sessions = wh.df(
            "SELECT session_id, employee_id, held_on, coach_id, audit_id, period, recorded_by"
            " FROM coaching_sessions ORDER BY held_on"
        )
        assert list(sessions["employee_id"]) == ["B1", "A2"]
        assert list(sessions["recorded_by"]) == ["cli:hr.lead", "cli:hr.lead"]
        assert sessions["session_id"].str.startswith("H").all() and sessions["session_id"].is_unique
        # The agent page lists them as it lists sessions entered on a page.
        listed = lookups.coaching(wh, employee_id="B1")
        assert list(listed["topic"]) == ["Critical error on the ID check"]
    finally:
        wh.close()
