"""QA calibration: several auditors scoring one ticket (audits of the source `calibration`).

- A calibration sheet written here with pandas, imported into a new company, gives
  `csdata calibration --json` alphas equal to `krippendorff.alpha` run here on the sheet's own
  scores, and leaves the agents' `qa_score` of `csdata kpi --json` as it was.
- An auditor's deviations are checked against an example worked by hand.
- The form and the import refuse a second calibration audit of one auditor on one ticket.
- A QA account sees the Calibration section of the Quality page, the harsh auditor flagged.
- Migration 017 keeps an older warehouse's audits and their trail, and allows the new source.
Expected values come from the sheet, the hand-worked example, scipy and krippendorff, never from
the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import krippendorff
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, open_page, run_cli, shown
from scipy import stats

from csdata.access.scope import EVERYTHING, scope_for
from csdata.analytics import calibration, lookups
from csdata.demo import sample
from csdata.imports.ingest import import_file
from csdata.policy import default_policy, save_policy
from csdata.records import entry, history
from csdata.records.models import MASTER_KINDS
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

SAMPLE = ROOT / "sample_data"
WEIGHTS = {"attitude": 25, "responsiveness": 20, "accuracy": 30, "communication": 15, "compliance": 10}
CRITERIA = list(WEIGHTS)
# QA staff beside E00012 of the example staff file.
MORE_QA = [
    ("E00090", "钱一", "customer_service", "", "", "qa", "G3", "2022-01-10", "2022-01-20", "active", ""),
    ("E00091", "赵二", "customer_service", "", "", "qa", "G3", "2022-03-01", "2022-03-10", "active", ""),
    ("E00092", "孙三", "customer_service", "", "", "qa", "G3", "2023-05-01", "2023-05-10", "active", ""),
]
AGENTS = ("E00034", "E00035", "E00036")
# Ordinary audits of the three agents, before any calibration.
AUDITS = [
    ("R1", "2026-11-02", "E00034", "E00012", "recording", 90, 80, 85, 88, 100),
    ("R2", "2026-11-03", "E00035", "E00012", "spot_check", 70, 75, 60, 80, 90),
    ("R3", "2026-11-04", "E00036", "E00090", "recording", 95, None, 90, 85, 100),
    ("R4", "2026-11-05", "E00034", "E00091", "recording", 60, 70, 65, 75, 80),
]
# The calibration sheet: ticket (set), agent, auditor, day, five criterion scores (None: not
# applicable). C4 is scored by one auditor only (no set); E00092 misses C3; one cell n/a.
SHEET = [
    ("C1", "E00034", "E00012", "2026-11-10", 90, 85, 80, 88, 100),
    ("C1", "E00034", "E00090", "2026-11-10", 84, 80, 70, 85, 95),
    ("C1", "E00034", "E00091", "2026-11-10", 95, 90, 85, 92, 100),
    ("C1", "E00034", "E00092", "2026-11-10", 88, 82, 78, 80, 100),
    ("C2", "E00035", "E00012", "2026-11-11", 70, 65, 60, 75, 80),
    ("C2", "E00035", "E00090", "2026-11-11", 62, 60, 50, 70, 70),
    ("C2", "E00035", "E00091", "2026-11-11", 78, 72, 66, 80, 90),
    ("C2", "E00035", "E00092", "2026-11-11", 71, 66, 58, 74, None),
    ("C3", "E00036", "E00012", "2026-11-12", 100, 95, 96, 98, 100),
    ("C3", "E00036", "E00090", "2026-11-12", 92, 90, 88, 90, 100),
    ("C3", "E00036", "E00091", "2026-11-12", 100, 98, 100, 100, 100),
    ("C4", "E00034", "E00012", "2026-11-13", 80, 80, 80, 80, 80),
]


def _score(marks: dict[str, float | None]) -> float:
    """By hand: Σ weight × score ÷ Σ weight over the criteria scored."""
    scored = {c: v for c, v in marks.items() if v is not None}
    return sum(WEIGHTS[c] * v for c, v in scored.items()) / sum(WEIGHTS[c] for c in scored)


def _sheet_frame() -> pd.DataFrame:
    rows = []
    for i, (ticket, agent, auditor, day, *marks) in enumerate(SHEET, start=1):
        rows.append(
            {"audit_id": f"CAL{i}", "audited_at": day, "agent_id": agent, "auditor_id": auditor,
             "ticket_id": ticket, "client": "Harbor Trust Bank", "channel": "phone",
             # the choice word in Chinese on some rows, as an office's sheet may have it
             "source": "校准" if i % 2 else "calibration",
             **dict(zip(CRITERIA, marks, strict=True)), "critical_error": "否"}
        )  # fmt: skip
    return pd.DataFrame(rows)


def _expected_alpha() -> dict[str, float | None]:
    """krippendorff.alpha on the sheet's scores: rows auditors, columns the tickets two auditors
    or more scored, NaN for a score not given."""
    sets = pd.Series([r[0] for r in SHEET]).value_counts()
    tickets = sorted(s for s, n in sets.items() if n >= 2)
    auditors = sorted({r[2] for r in SHEET})

    def matrix(value) -> np.ndarray:
        out = np.full((len(auditors), len(tickets)), np.nan)
        for ticket, _, auditor, _, *marks in SHEET:
            if ticket in tickets:
                v = value(dict(zip(CRITERIA, marks, strict=True)))
                out[auditors.index(auditor), tickets.index(ticket)] = np.nan if v is None else v
        return out

    alpha = {
        c: krippendorff.alpha(reliability_data=matrix(lambda m, c=c: m[c]), level_of_measurement="interval")
        for c in CRITERIA
    }
    alpha["score"] = krippendorff.alpha(reliability_data=matrix(_score), level_of_measurement="interval")
    return alpha


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """A new company (csdata init, the example master data and staff, three more QA auditors) with
    ordinary audits; the calibration sheet is imported by the test."""
    folder = tmp_path_factory.mktemp("calibration")
    db = folder / "new.duckdb"
    init = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": "set-up-secret"})
    assert init.returncode == 0, init.stderr
    columns = pd.read_csv(SAMPLE / "employees.csv", encoding="utf-8-sig").columns
    pd.DataFrame(MORE_QA, columns=columns).to_csv(folder / "qa.csv", index=False)
    audits = pd.DataFrame(
        [
            {"audit_id": a, "audited_at": d, "agent_id": g, "auditor_id": q, "client": "Harbor Trust Bank",
             "channel": "phone", "source": s, **dict(zip(CRITERIA, marks, strict=True)), "critical_error": "no"}
            for a, d, g, q, s, *marks in AUDITS
        ]
    )  # fmt: skip
    audits.to_csv(folder / "audits.csv", index=False)
    files = [(k, SAMPLE / f"{k}.csv") for k in (*MASTER_KINDS, "employees")]
    for kind, path in [*files, ("employees", folder / "qa.csv"), ("audits", folder / "audits.csv")]:
        done = run_cli("import", kind, str(path), "--db", str(db), "--json")
        assert done.returncode == 0, (kind, done.stdout, done.stderr)
    return db, folder


def _qa_scores(db) -> dict[str, float | None]:
    out = {}
    for agent in AGENTS:
        done = run_cli("kpi", "--db", str(db), "--agent", agent, "--metric", "qa_score", "--metric", "audits",
                       "--from", "2026-11-01", "--to", "2026-11-30", "--json")  # fmt: skip
        assert done.returncode == 0, done.stderr
        out[agent] = json.loads(done.stdout)
    return out


def test_an_imported_calibration_sheet_gives_the_librarys_alpha_and_no_qa_figure(company):
    db, folder = company
    before = _qa_scores(db)
    # by hand: the ordinary audits alone
    assert before["E00034"] == {"qa_score": pytest.approx((_score(dict(zip(CRITERIA, AUDITS[0][5:], strict=True)))
                                + _score(dict(zip(CRITERIA, AUDITS[3][5:], strict=True)))) / 2), "audits": 2}  # fmt: skip
    sheet = folder / "calibration.xlsx"
    _sheet_frame().to_excel(sheet, index=False)
    done = run_cli("import", "audits", str(sheet), "--db", str(db), "--json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["imported"] == len(SHEET)
    assert _qa_scores(db) == before  # calibration audits count in no agent's QA figures

    result = run_cli("calibration", "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert list(found) == ["alpha", "sets", "auditors"]
    assert found["sets"] == 3  # C4 had one auditor
    expected = _expected_alpha()
    assert list(found["alpha"]) == [*CRITERIA, "score"]
    for key, value in expected.items():
        assert found["alpha"][key] == pytest.approx(value, abs=1e-12), key
    assert [a["auditor_id"] for a in found["auditors"]] == ["E00012", "E00090", "E00091", "E00092"]
    assert [a["audits"] for a in found["auditors"]] == [3, 3, 3, 2]
    assert set(found["auditors"][0]) == {"auditor_id", "audits", "mean_deviation", "low", "high", "flag"}
    # the period chooses the sets by their audits' days
    later = json.loads(run_cli("calibration", "--db", str(db), "--from", "2026-11-11", "--json").stdout)
    assert later["sets"] == 2
    none = json.loads(run_cli("calibration", "--db", str(db), "--to", "2026-11-09", "--json").stdout)
    assert none == {"alpha": {"score": None}, "sets": 0, "auditors": []}
    lone = json.loads(run_cli("calibration", "--db", str(db), "--from", "2026-11-13", "--json").stdout)
    assert lone == none  # C4: one auditor so far, no set
    # a readable table without --json, in Chinese too
    text = run_cli("calibration", "--db", str(db), env={"CSDATA_LANG": "zh"})
    assert text.returncode == 0 and "质检得分" in text.stdout and "E00092" in text.stdout
    # the export keeps them, with their source
    export = run_cli("export", "audits", "--db", str(db), "--out", "-")
    exported = pd.read_csv(pd.io.common.StringIO(export.stdout.lstrip("\ufeff")))
    assert (exported["source"] == "calibration").sum() == len(SHEET)


def test_bad_dates_get_one_line(company):
    db, _ = company
    for args in (["--from", "2026-13-01"], ["--from", "2026-11-20", "--to", "2026-11-01"]):
        done = run_cli("calibration", "--db", str(db), *args)
        assert done.returncode == 2 and not done.stdout
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


# -- deviations, by hand -----------------------------------------------------------------------

# Audit scores of four calibration sets: X, Y, Z, W are auditors.
HAND = {
    "S1": {"X": 80, "Y": 90, "Z": 70},
    "S2": {"X": 85, "Y": 95, "Z": 84},
    "S3": {"X": 60, "Y": 72},
    "S4": {"X": 90, "W": 100},
}
# Each score minus the mean of the other auditors' in its set, worked by hand:
# S1: X 80 − 80 = 0, Y 90 − 75 = 15, Z 70 − 85 = −15; S2: X 85 − 89.5 = −4.5, Y 95 − 84.5 = 10.5,
# Z 84 − 90 = −6; S3: X 60 − 72 = −12, Y 72 − 60 = 12; S4: X 90 − 100 = −10, W 100 − 90 = 10.
DEVIATIONS = {"W": [10.0], "X": [0.0, -4.5, -12.0, -10.0], "Y": [15.0, 10.5, 12.0], "Z": [-15.0, -6.0]}


def _hand_warehouse(tiny) -> None:
    with tiny.transaction("test", "fixture") as w:
        for auditor in ("W", "X", "Y", "Z"):
            w.execute(
                "INSERT INTO employees (employee_id, name, department, position, hire_date)"
                " VALUES (?, ?, 'customer_service', 'qa', DATE '2020-01-01')",
                [auditor, auditor],
            )
        n = 0
        for ticket, scores in HAND.items():
            for auditor, score in scores.items():
                n += 1
                w.execute(
                    "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, source, score)"
                    " VALUES (?, DATE '2026-03-20', 'A1', ?, ?, 'calibration', ?)",
                    [f"K{n}", auditor, ticket, score],
                )
                w.execute("INSERT INTO audit_scores VALUES (?, 'attitude', ?)", [f"K{n}", score])


def test_deviations_worked_by_hand(tiny):
    _hand_warehouse(tiny)
    found = calibration.measure(tiny)
    assert found.sets == 4
    rows = found.auditors.set_index("auditor_id")
    tolerance = default_policy().statistics.calibration_tolerance
    for auditor, devs in DEVIATIONS.items():
        row = rows.loc[auditor]
        n, mean = len(devs), sum(devs) / len(devs)
        assert row["audits"] == n
        assert row["mean_deviation"] == pytest.approx(mean)
        if n < 2:
            assert math.isnan(row["low"]) and math.isnan(row["high"]) and not row["flag"]
            continue
        sd = math.sqrt(sum((d - mean) ** 2 for d in devs) / (n - 1))
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        assert (row["low"], row["high"]) == (pytest.approx(mean - half), pytest.approx(mean + half))
        assert row["flag"] == (mean - half > tolerance or mean + half < -tolerance)
    # Y: mean 12.5, sd √5.25, t(0.975, 2) = 4.303: 12.5 ± 5.69 lies wholly above +5
    assert list(rows.index[rows["flag"]]) == ["Y"]
    # the attitude scores equal the audit scores here, so both alphas are the library's on them
    matrix = pd.DataFrame(HAND).reindex(["W", "X", "Y", "Z"]).to_numpy(dtype=float)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
    assert found.alpha == {"attitude": pytest.approx(expected), "score": pytest.approx(expected)}
    # JSON: floats, null where undefined
    w = next(a for a in found.as_json()["auditors"] if a["auditor_id"] == "W")
    assert w == {
        "auditor_id": "W",
        "audits": 1,
        "mean_deviation": 10.0,
        "low": None,
        "high": None,
        "flag": False,
    }


def test_alpha_is_none_where_it_cannot_be_computed(tiny):
    with tiny.transaction("test", "fixture") as w:
        for n, (ticket, auditor, score) in enumerate([("S1", "Q1", 80), ("S1", "A2", 80), ("S2", "Q1", 90),
                                                      ("S2", "A2", 90)]):  # fmt: skip
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, source, score)"
                " VALUES (?, DATE '2026-03-20', 'A1', ?, ?, 'calibration', ?)",
                [f"K{n}", auditor, ticket, score],
            )
            w.execute("INSERT INTO audit_scores VALUES (?, 'attitude', 70)", [f"K{n}"])
            if n == 0:
                w.execute("INSERT INTO audit_scores VALUES (?, 'accuracy', 70)", [f"K{n}"])
    found = calibration.measure(tiny)
    # attitude: one value throughout (the library refuses it); accuracy: one score; score: alike
    # within each set and different between them, so the library gives 1
    assert found.alpha == {"attitude": None, "accuracy": None, "score": 1.0}
    with pytest.raises(ValueError):
        krippendorff.alpha(reliability_data=[[70, 70], [70, 70]], level_of_measurement="interval")


# -- one auditor scores a set once --------------------------------------------------------------


def _calibration_audit(ticket: str, auditor: str, audit_id: str | None = None) -> dict:
    return {"audit_id": audit_id, "audited_at": dt.date(2026, 3, 20), "agent_id": "A1", "auditor_id": auditor,
            "ticket_id": ticket, "source": "calibration", "attitude": 80}  # fmt: skip


def test_the_import_refuses_a_second_calibration_audit_of_an_auditor_on_a_ticket(tiny):
    with tiny.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO employees (employee_id, name, department, position, hire_date)"
            " VALUES ('Q2', 'Q2', 'customer_service', 'qa', DATE '2020-01-01')"
        )
    first = entry.save_audit(tiny, "test", _calibration_audit("T1", "Q1", "K1"))
    assert first.imported == 1
    again = entry.save_audit(tiny, "test", _calibration_audit("T1", "Q1"))
    assert again.imported == 0 and [r.key for r in again.rejects] == ["imp_calibration_twice"]
    assert again.rejects[0].column == "auditor_id"
    assert "T1" in again.rejects[0].reason("en") and "Q1" in again.rejects[0].reason("zh")
    # another auditor joins; an ordinary audit of the same ticket by the same auditor is no set
    assert entry.save_audit(tiny, "test", _calibration_audit("T1", "Q2")).imported == 1
    assert (
        entry.save_audit(tiny, "test", {**_calibration_audit("T1", "Q1"), "source": "recording"}).imported
        == 1
    )
    # in one file: the second row of the same auditor and ticket is refused; the same row again
    # (the stored audit K1) is already present, not refused
    rows = pd.DataFrame([_calibration_audit("T2", "Q1", "K5"), _calibration_audit("T2", "Q1", "K6"),
                         _calibration_audit("T1", "Q1", "K1")]).astype({"audited_at": str})  # fmt: skip
    report = import_file(tiny, "audits", rows, "c.csv", "test")
    assert (report.imported, report.duplicates, [(r.row, r.key) for r in report.rejects]) == (
        1,
        1,
        [(3, "imp_calibration_twice")],
    )
    # a calibration audit names its ticket and its auditor
    lone = entry.save_audit(tiny, "test", {**_calibration_audit("T3", None), "ticket_id": None})
    assert sorted(r.key for r in lone.rejects) == ["rule_calibration_auditor", "rule_calibration_ticket"]
    assert tiny.scalar("SELECT count(*) FROM audits WHERE source = 'calibration'") == 3


# -- the pages --------------------------------------------------------------------------------


def test_the_form_joins_a_session_and_refuses_a_second_score(app_wh):
    from test_forms import clean, errors, page, w

    today = dt.date.today()
    with app_wh.transaction("test", "fixture") as wx:  # a session of this week, E00012 scored it
        wx.execute(
            "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, client, channel, source,"
            " score) SELECT 'JOIN1', ?, agent_id, ?, ticket_id, client, channel, 'calibration', 80 FROM tickets"
            " WHERE agent_id IS NOT NULL ORDER BY ticket_id DESC LIMIT 1",
            [today, sample.HARSH_AUDITOR],
        )
    ticket, agent = app_wh.rows("SELECT ticket_id, agent_id FROM audits WHERE audit_id = 'JOIN1'")[0]
    assert ticket in set(lookups.open_calibrations(app_wh, EVERYTHING)["ticket_id"])
    at = page("audits", "qa")  # the qa account is auditor E00012

    def join_and_score(at, score):
        w(at, "selectbox", "qa_calibration_pick").set_value(ticket)
        w(at, "button", "qa_calibration_join").click().run()
        assert w(at, "selectbox", "qa_source").value == "calibration"
        assert w(at, "text_input", "qa_ticket").value == ticket
        assert w(at, "selectbox", "qa_agent").value == agent
        assert not [x for x in at.toggle if x.key and x.key.startswith("qa_add_action")]
        for criterion in CRITERIA:
            w(at, "number_input", f"qa_score_{criterion}").set_value(score)
        return clean(w(at, "button", "qa_save").click().run())

    at = join_and_score(at, 80)
    assert (
        app_wh.scalar("SELECT count(*) FROM audits WHERE ticket_id = ? AND source = 'calibration'", [ticket])
        == 2
    )
    assert (
        app_wh.scalar(
            "SELECT auditor_id FROM audits WHERE ticket_id = ? AND source = 'calibration' AND audit_id <> 'JOIN1'",
            [ticket],
        )
        == sample._QA_IDS[0]
    )
    # the same auditor again (other scores, so not the same save twice): refused under the
    # auditor, nothing written
    at = join_and_score(at, 70)
    message = t("imp_calibration_twice", "en", auditor=sample._QA_IDS[0], ticket=ticket)
    assert any(message in e for e in errors(at)), errors(at)
    assert (
        app_wh.scalar("SELECT count(*) FROM audits WHERE ticket_id = ? AND source = 'calibration'", [ticket])
        == 2
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_quality_shows_calibration_with_the_harsh_auditor_flagged(app_wh, lang):
    at = open_page("quality", lang, "qa")
    subheaders = [shown(s.value) for s in at.subheader]
    assert t("calib_title", lang) in subheaders
    flagged = [shown(x.value) for x in at.error]
    names = lookups.employee_names(app_wh, [sample.HARSH_AUDITOR, sample.LENIENT_AUDITOR])
    harsh = shown(t("calib_flagged_line", lang, auditor=sample.HARSH_AUDITOR, name=names[sample.HARSH_AUDITOR],
                    flag=t("calib_flag_harsh", lang)))  # fmt: skip
    lenient = shown(t("calib_flagged_line", lang, auditor=sample.LENIENT_AUDITOR,
                      name=names[sample.LENIENT_AUDITOR], flag=t("calib_flag_lenient", lang)))  # fmt: skip
    assert harsh in flagged and lenient in flagged
    tables = [d.value for d in at.dataframe]
    auditors = next(f for f in tables if t("col_mean_deviation", lang) in f.columns)
    assert set(auditors.loc[auditors[t("col_flag", lang)] != "", t("col_auditor_id", lang)]) == {
        sample.HARSH_AUDITOR, sample.LENIENT_AUDITOR,
    }  # fmt: skip
    alpha = next(f for f in tables if t("col_alpha", lang) in f.columns)
    assert list(alpha[t("col_criterion", lang)])[-1] == t("calib_score", lang)
    for key in ("calib_caption", "calib_alpha_help", "calib_deviation_help"):
        assert any(shown(t(key, lang, level="0.667", tolerance="5")) == shown(c.value) for c in at.caption), (
            key
        )


def test_a_period_without_sets_says_so(app_wh):
    at = open_page("quality", "en", "qa", {"from": "2026-01-01", "to": "2026-01-31"})
    assert shown(t("calib_none", "en", start="2026-01-01", end="2026-01-31")) in [
        shown(i.value) for i in at.info
    ]


def test_the_demo_plants_sets_that_flag_the_harsh_and_the_lenient_auditor(sample_db):
    wh = Warehouse(sample_db, read_only=True)
    try:
        found = calibration.measure(wh)
        audits = wh.df("SELECT * FROM audits WHERE source = 'calibration'")
    finally:
        wh.close()
    assert found.sets == sample.CALIBRATION_SETS == audits["ticket_id"].nunique()
    assert set(found.auditors.loc[found.auditors["flag"], "auditor_id"]) == {
        sample.HARSH_AUDITOR, sample.LENIENT_AUDITOR,
    }  # fmt: skip
    rows = found.auditors.set_index("auditor_id")
    assert rows.loc[sample.HARSH_AUDITOR, "high"] < -5 < 5 < rows.loc[sample.LENIENT_AUDITOR, "low"]
    assert audits.groupby(["ticket_id", "auditor_id"]).size().max() == 1


# -- scope and migration ------------------------------------------------------------------------


def test_a_client_account_sees_no_calibration_and_a_supervisor_its_teams(tiny):
    with tiny.transaction("test", "fixture") as w:
        for n, (agent, ticket, auditor, score) in enumerate(
            [("A1", "T1", "Q1", 80), ("A1", "T1", "S1", 90), ("B1", "T5", "Q1", 70), ("B1", "T5", "S1", 75)]
        ):
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, source, score)"
                " VALUES (?, DATE '2026-03-20', ?, ?, ?, 'calibration', ?)",
                [f"K{n}", agent, auditor, ticket, score],
            )
    day = dt.date(2026, 3, 25)
    assert calibration.measure(tiny).sets == 2
    client = scope_for("client", ("Acme",))
    assert calibration.measure(tiny, client).sets == 0
    assert lookups.open_calibrations(tiny, client, day).empty
    supervisor = scope_for("supervisor", (), ("Beta-1",))
    assert calibration.measure(tiny, supervisor).sets == 1
    assert list(lookups.open_calibrations(tiny, supervisor, day)["ticket_id"]) == ["T5"]


def test_the_migration_keeps_an_older_warehouses_audits(tmp_path, monkeypatch):
    from csdata.store import warehouse

    every = warehouse._migrations()
    monkeypatch.setattr(warehouse, "_migrations", lambda: [m for m in every if m[1] < "017"])
    path = tmp_path / "old.duckdb"
    old = Warehouse(path, create=True)
    save_policy(old, default_policy(), "test")
    with old.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, client, channel, source,"
            " critical_error, finding_category, comment, score, policy_version) VALUES"
            " ('AU1', DATE '2026-03-03', 'A1', 'Q1', 'T1', 'Acme', 'phone', 'spot_check', TRUE, 'privacy', 'x', 0, 1),"
            " ('AU2', DATE '2026-03-04', 'A2', NULL, NULL, NULL, NULL, 'recording', FALSE, NULL, NULL, 88.5, 1)"
        )
        w.execute(
            "INSERT INTO record_changes (actor, kind, record_id, change, after)"
            """ VALUES ('test', 'audits', 'AU1', 'create', '{"audit_id": "AU1", "score": 0}')"""
        )
    with pytest.raises(Exception):  # noqa: B017, PT011 - the old check refuses the new source
        old.cursor().execute("UPDATE audits SET source = 'calibration' WHERE audit_id = 'AU2'")
    before = old.df("SELECT * FROM audits ORDER BY audit_id")
    old.close()
    monkeypatch.setattr(warehouse, "_migrations", lambda: every)
    new = Warehouse(path)
    try:
        pd.testing.assert_frame_equal(new.df("SELECT * FROM audits ORDER BY audit_id"), before)
        with new.transaction("test", "fixture") as w:
            w.execute("UPDATE audits SET source = 'calibration' WHERE audit_id = 'AU2'")
        assert new.scalar("SELECT source FROM audits WHERE audit_id = 'AU2'") == "calibration"
        trail = history.versions(new, "audits", "AU1", "en")  # the trail still reads
        assert [v["change"] for v in trail] == ["create"]
    finally:
        new.close()
