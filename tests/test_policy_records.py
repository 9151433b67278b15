"""The policy drives the records: a criterion added with `csdata policy load` is asked for by the
audit form, read from an import's `同理心` column, reported by `criterion_score` and exported; a
criterion removed is no longer asked for while old scores stay; and every record is scored under
the version in force on its own date, whatever version takes effect later.

Every expected number is worked out by hand in the test that asserts it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import build_tiny, download, open_page, point_app_at, private_copy, run_cli, shown
from streamlit.testing.v1 import AppTest

from csdata import policy as pol
from csdata.analytics import compiler, exports, lookups
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.records.models import model_for
from csdata.text.i18n import t

# The default scorecard with empathy added: accuracy 30 -> 20, empathy 10; the sum stays 100.
EMPATHY = {"key": "empathy", "label_en": "Empathy", "label_zh": "同理心", "weight": 10.0}
WEIGHTS = {
    "attitude": 25,
    "responsiveness": 20,
    "accuracy": 20,
    "communication": 15,
    "compliance": 10,
    "empathy": 10,
}
EFFECTIVE = dt.date(2026, 9, 1)  # within the demo's year of data (it ends 2026-10-31)


def _with_empathy(body: dict) -> dict:
    criteria = body["scorecard"]["criteria"]
    for c in criteria:
        if c["key"] == "accuracy":
            c["weight"] = 20.0
    criteria.append(dict(EMPATHY))
    return body


def load_through_cli(db: Path, body: dict, effective: dt.date, tmp: Path) -> str:
    path = tmp / "policy.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    done = run_cli("policy", "load", str(path), "--effective", effective.isoformat(), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory) -> Path:
    """The demo warehouse with empathy added through `csdata policy load`, from 2026-09-01."""
    path = private_copy(sample_db, tmp_path_factory, "policy_records")
    shown_json = run_cli("policy", "show", "--json", "--db", str(path))
    assert shown_json.returncode == 0, shown_json.stderr
    body = _with_empathy(json.loads(shown_json.stdout))
    before = run_cli("policy", "history", "--json", "--db", str(path))
    versions = len(json.loads(before.stdout))
    said = load_through_cli(path, body, EFFECTIVE, tmp_path_factory.mktemp("policy_file"))
    assert said.strip() == t("policy_saved", "en", version=versions + 1)
    return path


@pytest.fixture
def wh(db, monkeypatch):
    """The app's own cached warehouse over the module's copy (the pages open the same one)."""
    from csdata.ui.core import _open

    point_app_at(monkeypatch, db)
    return _open(str(db))


def w(at: AppTest, kind: str, key: str):
    [found] = [x for x in getattr(at, kind) if x.key and x.key.split("~")[0] == key]
    return found


def keys(at: AppTest, kind: str) -> set[str]:
    return {x.key.split("~")[0] for x in getattr(at, kind) if x.key}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_loaded_version_is_in_force_from_its_date(wh):
    version, on_day = pol.load_policy(wh, EFFECTIVE)
    assert [c.key for c in on_day.scorecard.criteria][-1] == "empathy"
    assert {c.key: c.weight for c in on_day.scorecard.criteria} == WEIGHTS
    before = pol.load_policy(wh, EFFECTIVE - dt.timedelta(days=1))[1]
    assert "empathy" not in {c.key for c in before.scorecard.criteria}
    saves = wh.rows(
        "SELECT actor, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'policy.save' ORDER BY id"
    )
    actor, detail = saves[-1]
    assert actor.startswith("cli") and json.loads(detail)["version"] == version
    assert "scorecard.criteria.empathy.weight: – → 10" in json.loads(detail)["changes"]


def test_the_audit_form_asks_for_empathy_and_saves_it(wh):
    at = clean(open_page("audits", user="qa"))
    agent = lookups.agents(wh)["employee_id"].iloc[5]
    w(at, "selectbox", "qa_agent").set_value(agent)
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 8, 31))  # the day before: no empathy
    clean(at.run())
    assert "qa_score_empathy" not in keys(at, "number_input")
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 10, 15))
    clean(at.run())
    assert "qa_score_empathy" in keys(at, "number_input")
    given = {
        "attitude": 90,
        "responsiveness": 80,
        "accuracy": 70,
        "communication": 100,
        "compliance": 60,
        "empathy": 50,
    }
    for key, value in given.items():
        w(at, "number_input", f"qa_score_{key}").set_value(value)
    clean(at.run())
    # (25×90 + 20×80 + 20×70 + 15×100 + 10×60 + 10×50) ÷ 100 = (2250 + 1600 + 1400 + 1500 + 600 + 500) ÷ 100
    assert metric(at, t("qa_live_score", "en")) == "78.5"
    at.text_input(key="qa_id").input("FORM-EMP1")
    clean(at.button(key="qa_save").click().run())
    assert not [shown(e.value) for e in at.error]
    version = pol.load_policy(wh, dt.date(2026, 10, 15))[0]
    assert wh.rows("SELECT score, policy_version FROM audits WHERE audit_id = 'FORM-EMP1'") == [
        (pytest.approx(78.5), version)
    ]
    assert (
        wh.scalar("SELECT score FROM audit_scores WHERE audit_id = 'FORM-EMP1' AND criterion = 'empathy'")
        == 50
    )


AUDIT_SHEET = (
    "质检编号,质检日期,工号,来源,服务态度,响应时效,解答准确性,沟通表达,合规规范,同理心\n"
    "IMP-E1,2026-10-20,{a},录音,80,80,80,80,80,40\n"
    "IMP-E2,2026-10-21,{a},抽查,100,100,100,100,100,70\n"
    "IMP-E3,2026-08-20,{a},录音,100,50,100,50,100,\n"
    "IMP-E4,2026-08-21,{a},录音,100,100,100,100,100,90\n"
)


def test_an_audit_sheet_with_a_tongxinli_column_imports_reports_and_exports(wh):
    agent = lookups.agents(wh)["employee_id"].iloc[6]
    data = AUDIT_SHEET.format(a=agent).encode("gb18030")
    report = ingest.import_file(wh, "audits", data, "sheet.csv", "test")
    assert report.committed and report.rows == 4 and report.imported == 3
    # Empathy did not exist on 2026-08-21: the row is rejected on that column, with the day.
    [reject] = report.rejects
    assert (reject.row, reject.column, reject.value) == (5, "empathy", "90")
    assert reject.reason("en") == t("imp_not_in_policy", "en", day="2026-08-21")
    scored = dict(wh.rows("SELECT audit_id, score FROM audits WHERE audit_id LIKE 'IMP-E%'"))
    # IMP-E1: (25×80 + 20×80 + 20×80 + 15×80 + 10×80 + 10×40) ÷ 100
    #         = (2000 + 1600 + 1600 + 1200 + 800 + 400) ÷ 100 = 76.0
    # IMP-E2: (90 × 100 + 10 × 70) ÷ 100 = 97.0
    # IMP-E3, before empathy, on the default weights 25/20/30/15/10:
    #         (2500 + 1000 + 3000 + 750 + 1000) ÷ 100 = 82.5
    assert scored == {
        "IMP-E1": pytest.approx(76.0),
        "IMP-E2": pytest.approx(97.0),
        "IMP-E3": pytest.approx(82.5),
    }
    new, old = pol.load_policy(wh, EFFECTIVE)[0], pol.load_policy(wh, EFFECTIVE - dt.timedelta(days=1))[0]
    assert dict(wh.rows("SELECT audit_id, policy_version FROM audits WHERE audit_id LIKE 'IMP-E%'")) == {
        "IMP-E1": new,
        "IMP-E2": new,
        "IMP-E3": old,
    }
    assert wh.rows(
        "SELECT audit_id, score FROM audit_scores WHERE criterion = 'empathy' AND audit_id LIKE 'IMP-E%' ORDER BY 1"
    ) == [
        ("IMP-E1", 40.0),
        ("IMP-E2", 70.0),
    ]

    # criterion_score per criterion over 20–21 October, when only these two audits scored empathy:
    # (40 + 70) ÷ 2 = 55.0.
    table = compiler.metric_table(
        wh, ["criterion_score"], Filters(dt.date(2026, 10, 20), dt.date(2026, 10, 21)), by="criterion"
    )
    by_criterion = dict(zip(table["key"], table["criterion_score"], strict=True))
    assert by_criterion["empathy"] == pytest.approx(55.0)
    assert {"attitude", "compliance"} <= set(by_criterion)

    # The export: the criteria of every version with data, today's first, between source and
    # critical_error; an audit of before empathy has none.
    items = exports.record_items(wh, "audits")
    assert items == list(WEIGHTS)
    sql, params = exports.export_sql("audits", pol.load_policy(wh)[1], items=items)
    frame = wh.df(sql, params).set_index("audit_id")
    columns = ["audited_at", "agent_id", "auditor_id", "ticket_id", "client", "channel", "source"]
    assert list(frame.columns) == [*columns, *WEIGHTS, "critical_error", "finding_category", "comment"]
    assert frame.loc["IMP-E1", "empathy"] == 40.0 and frame.loc["IMP-E1", "accuracy"] == 80.0
    assert pd.isna(frame.loc["IMP-E3", "empathy"]) and frame.loc["IMP-E3", "responsiveness"] == 50.0


def test_the_template_follows_the_policy_in_force(wh, served):
    columns = model_for("audits", pol.load_policy(wh)[1]).columns()
    at = clean(open_page("imports"))
    at.selectbox(key="imp_kind").set_value("audits")
    data = download(clean(at.run()), "imp_template_csv", served)
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == columns
    assert columns.index("empathy") == columns.index("compliance") + 1
    # The shipped example's first row: 99, 80, 86, 89, 100 -> empathy their mean, 454 ÷ 5 = 90.8.
    assert frame.loc[0, "empathy"] == "90.8"


def test_a_removed_criterion_is_no_longer_asked_for_and_old_scores_stay(
    sample_db, tmp_path_factory, monkeypatch
):
    path = private_copy(sample_db, tmp_path_factory, "policy_removed")
    point_app_at(monkeypatch, path)
    from csdata.ui.core import _open

    wh = _open(str(path))
    current = pol.load_policy(wh)[1]
    body = current.model_dump(mode="json")
    # compliance (10) removed, its weight given to attitude: 35 + 20 + 30 + 15 = 100.
    body["scorecard"]["criteria"] = [c for c in body["scorecard"]["criteria"] if c["key"] != "compliance"]
    body["scorecard"]["criteria"][0]["weight"] = 35.0
    body["effective_from"] = "2026-10-01"
    pol.save_policy(wh, pol.Policy.model_validate(body), "test")
    at = clean(open_page("audits", user="qa"))
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 10, 5))
    clean(at.run())
    assert "qa_score_compliance" not in keys(at, "number_input")
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 9, 5))
    clean(at.run())
    assert "qa_score_compliance" in keys(at, "number_input")

    # An import of October with a compliance score is refused on that column; one without lands.
    agent = lookups.agents(wh)["employee_id"].iloc[2]
    sheet = (
        "audit_id,audited_at,agent_id,source,attitude,responsiveness,accuracy,communication,compliance\n"
        f"RM-1,2026-10-10,{agent},recording,80,100,60,40,90\n"
        f"RM-2,2026-10-11,{agent},recording,80,100,60,40,\n"
    )
    report = ingest.import_file(wh, "audits", sheet.encode(), "removed.csv", "test")
    assert [(r.row, r.column) for r in report.rejects] == [(2, "compliance")] and report.imported == 1
    # RM-2: (35×80 + 20×100 + 30×60 + 15×40) ÷ 100 = (2800 + 2000 + 1800 + 600) ÷ 100 = 72.0
    assert wh.scalar("SELECT score FROM audits WHERE audit_id = 'RM-2'") == pytest.approx(72.0)

    # September's audits keep their compliance scores, in the metric and in the export.
    september = Filters(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    table = compiler.metric_table(wh, ["criterion_score"], september, by="criterion")
    expected = wh.scalar(
        "SELECT avg(s.score) FROM audit_scores s JOIN audits a USING (audit_id) "
        "WHERE s.criterion = 'compliance' AND a.audited_at BETWEEN '2026-09-01' AND '2026-09-30'"
        " AND a.source <> 'calibration'"  # calibration audits measure auditors: no QA figure counts them
    )
    assert expected is not None
    assert dict(zip(table["key"], table["criterion_score"], strict=True))["compliance"] == pytest.approx(
        expected
    )
    items = exports.record_items(wh, "audits")
    assert items == ["attitude", "responsiveness", "accuracy", "communication", "compliance"]
    sql, params = exports.export_sql("audits", pol.load_policy(wh)[1], items=items)
    frame = wh.df(sql, params).set_index("audit_id")
    assert frame["compliance"].notna().sum() > 0 and pd.isna(frame.loc["RM-2", "compliance"])


def test_the_policy_page_adds_a_criterion(sample_db, tmp_path_factory, monkeypatch):
    path = private_copy(sample_db, tmp_path_factory, "policy_page_adds")
    point_app_at(monkeypatch, path)
    at = clean(open_page("policy"))
    [key] = [d.key for d in at.data_editor if d.key and d.key.startswith("policy_criteria_")]
    at.session_state[key] = {
        "edited_rows": {2: {"weight": 20.0}},
        "added_rows": [dict(EMPATHY)],
        "deleted_rows": [],
    }
    at.date_input(key="policy_from").set_value(dt.date(2026, 10, 1))
    clean(at.button(key="policy_save").click().run())
    assert not [shown(e.value) for e in at.error]
    from csdata.ui.core import _open

    wh = _open(str(path))
    version, body = wh.rows("SELECT version, body FROM policy_versions ORDER BY version DESC LIMIT 1")[0]
    assert [s.value for s in at.success] == [t("policy_saved", "en", version=version)]
    criteria = json.loads(body)["scorecard"]["criteria"]
    assert {c["key"]: c["weight"] for c in criteria} == WEIGHTS
    assert criteria[-1]["label_zh"] == "同理心"
    # …and the audit form of a day in force asks for it.
    form = clean(open_page("audits", user="qa"))
    w(form, "date_input", "qa_date").set_value(dt.date(2026, 10, 2))
    assert "qa_score_empathy" in keys(clean(form.run()), "number_input")


# -- a version that takes effect later changes no earlier record ---------------------------------


def _future_weights(body: dict) -> dict:
    """Attitude 96 and every other criterion 1 (96 + 4 × 1 = 100)."""
    for c in body["scorecard"]["criteria"]:
        c["weight"] = 96.0 if c["key"] == "attitude" else 1.0
    return body


def test_a_future_version_changes_no_score_of_an_earlier_record(tmp_path):
    """Saved with an effective date in the future, a version with other weights does not score an
    audit dated before it: the import (in the process and through the CLI) stores the score and
    version in force on the audit's day."""
    today = dt.date.today()
    path = tmp_path / "tiny.duckdb"
    build_tiny(path).close()
    shown_json = run_cli("policy", "show", "--json", "--db", str(path))
    future = today + dt.timedelta(days=30)
    load_through_cli(path, _future_weights(json.loads(shown_json.stdout)), future, tmp_path)
    history = json.loads(run_cli("policy", "history", "--json", "--db", str(path)).stdout)
    assert [v["version"] for v in history] == [1, 2] and history[1]["effective_from"] == str(future)
    # `show` gives today's version (1); on the future day, version 2.
    assert run_cli("policy", "show", "--db", str(path)).stdout.startswith("Version 1,")
    assert run_cli("policy", "show", "--on", str(future), "--db", str(path)).stdout.startswith("Version 2,")

    day = today - dt.timedelta(days=30)
    sheet = tmp_path / "audits.csv"
    sheet.write_text(
        "audit_id,audited_at,agent_id,source,attitude,responsiveness,accuracy,communication,compliance\n"
        f"FUT-1,{day},A1,recording,100,0,0,0,0\n"
        f"FUT-2,{future},A1,recording,100,0,0,0,0\n",
        encoding="utf-8",
    )
    done = run_cli("import", "audits", str(sheet), "--db", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(path, read_only=True)
    try:
        rows = dict(
            (a, (s, v))
            for a, s, v in wh.rows(
                "SELECT audit_id, score, policy_version FROM audits WHERE audit_id LIKE 'FUT-%'"
            )
        )
    finally:
        wh.close()
    # Before the future version: 25 × 100 ÷ 100 = 25.0 under version 1; on its day: 96 × 100 ÷ 100 = 96.0.
    assert rows == {"FUT-1": (pytest.approx(25.0), 1), "FUT-2": (pytest.approx(96.0), 2)}


def test_the_form_live_score_of_an_earlier_day_is_the_saved_one(sample_db, tmp_path_factory, monkeypatch):
    path = private_copy(sample_db, tmp_path_factory, "policy_future_form")
    point_app_at(monkeypatch, path)
    from csdata.ui.core import _open

    wh = _open(str(path))
    body = _future_weights(pol.load_policy(wh)[1].model_dump(mode="json"))
    body["effective_from"] = str(dt.date.today() + dt.timedelta(days=30))
    pol.save_policy(wh, pol.Policy.model_validate(body), "test")
    at = clean(open_page("audits", user="qa"))
    w(at, "selectbox", "qa_agent").set_value(lookups.agents(wh)["employee_id"].iloc[1])
    w(at, "date_input", "qa_date").set_value(dt.date(2026, 10, 30))
    for key, value in {
        "attitude": 100,
        "responsiveness": 0,
        "accuracy": 0,
        "communication": 0,
        "compliance": 0,
    }.items():
        w(at, "number_input", f"qa_score_{key}").set_value(value)
    clean(at.run())
    # The weights in force on 2026-10-30 (the demo's: attitude 25): 25 × 100 ÷ 100 = 25.0, not 96.0.
    assert metric(at, t("qa_live_score", "en")) == "25.0"
    at.text_input(key="qa_id").input("FORM-FUT1")
    clean(at.button(key="qa_save").click().run())
    assert not [shown(e.value) for e in at.error]
    version = pol.load_policy(wh, dt.date(2026, 10, 30))[0]
    assert wh.rows("SELECT score, policy_version FROM audits WHERE audit_id = 'FORM-FUT1'") == [
        (pytest.approx(25.0), version)
    ]


# -- appraisals: indicators from the scheme in force on the period's last day -----------------------


def test_an_appraisal_is_scored_under_the_scheme_of_its_periods_last_day(tiny):
    body = pol.load_policy(tiny)[1].model_dump(mode="json")
    body["effective_from"] = "2026-04-01"
    indicators = body["appraisal"]["indicators"]
    for i in indicators:
        i["weight"] = {"satisfaction": 30.0, "quality": 30.0, "efficiency": 20.0, "teamwork": 10.0}[i["key"]]
    indicators.append({"key": "punctuality", "label_en": "Punctuality", "label_zh": "准时率", "weight": 10.0})
    new = pol.save_policy(tiny, pol.Policy.model_validate(body), "test")
    old = pol.load_policy(tiny, dt.date(2026, 3, 31))[0]
    sheet = (
        "考核期,工号,客户满意度,服务质量,工作效率,团队协作,准时率\n"
        "2026-Q2,A2,80,80,80,80,30\n"
        "2026-Q1,A2,80,80,80,80,\n"
        "2026-Q1,S1,80,80,80,80,50\n"
        "2026-Q2,S1,80,80,80,80,\n"
    )
    report = ingest.import_file(
        tiny, "appraisals", sheet.encode(), "appraisals.csv", "test", create_missing=True
    )
    assert report.imported == 2
    assert sorted((r.row, r.column, r.key) for r in report.rejects) == [
        (4, "punctuality", "imp_not_in_policy"),  # Q1 ends 2026-03-31, before punctuality
        (5, "punctuality", "imp_required"),  # Q2 ends 2026-06-30, when it is an indicator
    ]
    rows = tiny.rows(
        "SELECT period, score, grade, policy_version FROM appraisals WHERE employee_id = 'A2' ORDER BY period"
    )
    # Q1, the old scheme (30/30/25/15): 80 everywhere = 80.0, grade B.
    # Q2, the new one: (30×80 + 30×80 + 20×80 + 10×80 + 10×30) ÷ 100 = (2400 + 2400 + 1600 + 800 + 300) ÷ 100
    #     = 75.0, grade C.
    assert rows == [("2026-Q1", pytest.approx(80.0), "B", old), ("2026-Q2", pytest.approx(75.0), "C", new)]
    items = exports.record_items(tiny, "appraisals")
    assert items == ["satisfaction", "quality", "efficiency", "teamwork", "punctuality"]
    sql, params = exports.export_sql("appraisals", pol.load_policy(tiny)[1], items=items)
    frame = tiny.df(sql, params).set_index(["period", "employee_id"])
    assert list(frame.columns) == [*items, "reviewer", "comment"]
    assert frame.loc[("2026-Q2", "A2"), "punctuality"] == 30.0
    assert pd.isna(frame.loc[("2026-Q1", "A2"), "punctuality"])


def test_a_criterion_named_like_a_fixed_column_does_not_take_its_heading():
    policy = pol.default_policy()
    policy.scorecard.criteria[0] = pol.Item(key="tone", label_en="Comment", label_zh="备注", weight=25)
    names = ingest.header_names("audits", policy)
    assert names[ingest._norm("Comment")] == names[ingest._norm("备注")] == "comment"
    assert names[ingest._norm("tone")] == "tone"
    assert ingest._norm("服务态度") not in names  # attitude is not on this scorecard
