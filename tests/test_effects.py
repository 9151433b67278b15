"""The effect of corrective actions and coaching sessions, worked out by hand on the tiny warehouse.

The tiny warehouse (conftest) gets, in `acted`, audits, rated tickets, actions and one coaching
session from June to October 2026, far from its own March/April records. The windows are the
policy's defaults: 30 days before (d − 30 .. d − 1) and after (d + 1 .. d + 30), at least 3
audits on each side for the agent and for the control.

Team Beta-1 on 2026-07-01: B1, N1, N2, N3 (L1 left in January and has no audits).
- X1: B1's coaching, done 2026-07-01, from audit FX1 (finding "accuracy", May: outside the windows).
  Before 06-01..06-30, after 07-02..07-31.
  B1 before 70, 72, 74 -> mean 72; after 80, 82, 84 -> mean 82; change +10.
  Control: N2 only. N1 has an action closed the same day (X2), N3 a coaching session on 07-10,
  both within 06-01..07-31, so both are left out.
  N2 before (06-05, 06-12, 06-25) 80, 80, 83 -> mean 81; after (07-05, 07-15, 07-25) 82, 84, 86
  -> mean 84; change +3. Effect X1 = 10 − 3 = 7.00.
  (With N3 in the control, before 80, 80, 83, 40 -> 70.75 and after 82, 84, 86, 100 -> 88: it would
  be 10 − 17.25 = −7.25, so the number shows that N3 is left out.)
  CSAT (top two boxes: 4 or 5): B1 before 5, 3, 3 -> 1/3, after 5, 5, 4 -> 3/3, change +2/3;
  N2 before 5, 5, 3 -> 2/3, after 4, 5, 2 -> 2/3, change 0. CSAT effect = 2/3 = 0.666667.
- X2: N1's training, done 2026-07-01, from audit FX2 (finding "accuracy").
  N1 before 60, 60, 60 -> 60; after 90, 90, 90 -> 90; change +30. Control N2 again (B1 and N3
  acted): +3. Effect X2 = 30 − 3 = 27.00. No rated tickets: no CSAT effect.
- CS1: N3's coaching session, held 2026-07-10 (about no audit). Before 06-10..07-09, after
  07-11..08-09. N3 has one audit before (06-15: 40) and one after (07-20: 100): not enough audits.
  Control: N2 (B1 and N1 acted on 07-01, within 06-10..08-09): before 06-12, 06-25, 07-05 -> 3;
  after 07-15, 07-25 -> 2.

Team Acme-1 on 2026-09-01: A1, A2, S1 (the supervisor, with no audits).
- X3: A1's coaching, done 2026-09-01, from audit FX3 (finding "attitude"). Before 08-02..08-31,
  after 09-02..10-01. A1 before 75, 80, 85 -> 80; after 86, 86, 89 -> 87; change +7.
  Control A2: before 90, 90, 90 -> 90; after 88, 89, 90 -> 89; change −1. Effect X3 = 7 + 1 = 8.00.
- X4: A2's script change, still open: no effect date, not measured (nor listed).

Per kind:
- coaching: X1 7, X3 8: n = 2, mean 7.5, sd = √(((7 − 7.5)² + (8 − 7.5)²) / 1) = √0.5 = 0.70711,
  sd / √2 = 0.5; t(0.975, 1) = 12.706 (the tabulated value, not scipy's): 7.5 ± 6.353 ->
  [1.147, 13.853].
- training: X2 27, n = 1: no interval.
- coaching_session: CS1 not measured, n = 0.
Per finding category: accuracy X1 7, X2 27: n = 2, mean 17, sd = √((10² + 10²) / 1) = 14.1421,
sd / √2 = 10, 17 ± 127.06 -> [−110.06, 144.06]; attitude X3 8, n = 1.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import build_tiny, run_cli

from csdata.access.scope import scope_for
from csdata.analytics import effects

T_975_1 = 12.706  # t(0.975, 1), from the table

# agent, day, score
SCORES = [
    *[("B1", f"2026-06-{d:02d}", s) for d, s in ((3, 70), (10, 72), (20, 74))],
    *[("B1", f"2026-07-{d:02d}", s) for d, s in ((3, 80), (10, 82), (20, 84))],
    *[("N1", f"2026-06-{d:02d}", 60) for d in (4, 11, 21)],
    *[("N1", f"2026-07-{d:02d}", 90) for d in (4, 11, 21)],
    *[("N2", f"2026-06-{d:02d}", s) for d, s in ((5, 80), (12, 80), (25, 83))],
    *[("N2", f"2026-07-{d:02d}", s) for d, s in ((5, 82), (15, 84), (25, 86))],
    ("N3", "2026-06-15", 40),
    ("N3", "2026-07-20", 100),
    *[("A1", f"2026-08-{d:02d}", s) for d, s in ((5, 75), (15, 80), (25, 85))],
    *[("A1", f"2026-09-{d:02d}", s) for d, s in ((5, 86), (15, 86), (25, 89))],
    *[("A2", f"2026-08-{d:02d}", 90) for d in (6, 16, 26)],
    *[("A2", f"2026-09-{d:02d}", s) for d, s in ((6, 88), (16, 89), (26, 90))],
]
# The audits whose findings opened the actions: May, outside every window.
FINDINGS = [("FX1", "B1", "accuracy"), ("FX2", "N1", "accuracy"), ("FX3", "A1", "attitude")]
# action, audit, agent, kind, opened, status, closed
ACTIONS = [
    ("X1", "FX1", "B1", "coaching", "2026-05-20", "done", "2026-07-01"),
    ("X2", "FX2", "N1", "training", "2026-05-20", "done", "2026-07-01"),
    ("X3", "FX3", "A1", "coaching", "2026-05-20", "done", "2026-09-01"),
    ("X4", None, "A2", "script_change", "2026-05-20", "open", None),
]
# agent, day, csat
RATINGS = [
    *[("B1", "2026-06-08", c) for c in (5, 3, 3)],
    *[("B1", "2026-07-08", c) for c in (5, 5, 4)],
    *[("N2", "2026-06-09", c) for c in (5, 5, 3)],
    *[("N2", "2026-07-09", c) for c in (4, 5, 2)],
]


@pytest.fixture
def acted(tmp_path):
    wh = build_tiny(tmp_path / "acted.duckdb")
    with wh.transaction("test", "fixture") as w:
        for i, (agent, day, score) in enumerate(SCORES):
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, source, score, policy_version)"
                " VALUES (?, ?, ?, 'Q1', 'recording', ?, 1)",
                [f"EA{i}", day, agent, score],
            )
        for audit_id, agent, finding in FINDINGS:
            w.execute(
                "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, source, finding_category,"
                " score, policy_version) VALUES (?, '2026-05-10', ?, 'Q1', 'recording', ?, 50, 1)",
                [audit_id, agent, finding],
            )
        for row in ACTIONS:
            w.execute(
                "INSERT INTO corrective_actions (action_id, audit_id, agent_id, kind, opened_on, status,"
                " closed_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
                list(row),
            )
        w.execute(
            "INSERT INTO coaching_sessions (session_id, employee_id, held_on, coach_id, topic, recorded_by)"
            " VALUES ('CS1', 'N3', '2026-07-10', 'S1', 'tone', 'test')"
        )
        for i, (agent, day, csat) in enumerate(RATINGS):
            w.execute(
                "INSERT INTO tickets (ticket_id, client, channel, type, agent_id, opened_at, csat, team)"
                " VALUES (?, 'Beta', 'chat', 'consultation', ?, ?, ?, 'Beta-1')",
                [f"TX{i}", agent, f"{day} 10:00:00", csat],
            )
    yield wh
    wh.close()


def _by_id(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["action_id"]: r for r in frame.to_dict("records")}


def test_each_action_against_its_team(acted):
    rows = _by_id(effects.measure(acted))
    assert set(rows) == {"X1", "X2", "X3", "CS1"}  # X4 is open: no effect date
    x1 = rows["X1"]
    assert (x1["before_n"], x1["after_n"], x1["control_before_n"], x1["control_after_n"]) == (3, 3, 3, 3)
    assert x1["before_mean"] == pytest.approx(72) and x1["after_mean"] == pytest.approx(82)
    assert x1["control_before_mean"] == pytest.approx(81) and x1["control_after_mean"] == pytest.approx(84)
    assert round(x1["qa_effect"], 2) == 7.00  # N3 (−7.25 with it) and N1 are not in the control
    assert x1["csat_effect"] == pytest.approx(2 / 3)
    assert (x1["kind"], x1["category"], x1["team"]) == ("coaching", "accuracy", "Beta-1")
    assert x1["effect_date"] == dt.date(2026, 7, 1)
    assert round(rows["X2"]["qa_effect"], 2) == 27.00
    assert pd.isna(rows["X2"]["csat_effect"])
    x3 = rows["X3"]
    assert (x3["before_mean"], x3["after_mean"]) == (pytest.approx(80), pytest.approx(87))
    assert (x3["control_before_mean"], x3["control_after_mean"]) == (pytest.approx(90), pytest.approx(89))
    assert round(x3["qa_effect"], 2) == 8.00
    cs1 = rows["CS1"]
    assert cs1["kind"] == effects.COACHING_SESSION
    assert (cs1["before_n"], cs1["after_n"], cs1["control_before_n"], cs1["control_after_n"]) == (1, 1, 3, 2)
    assert pd.isna(cs1["qa_effect"]) and cs1["reason"] == effects.NOT_ENOUGH
    assert all(pd.isna(rows[k]["reason"]) for k in ("X1", "X2", "X3"))


def test_per_kind_and_category_intervals(acted):
    measured = effects.measure(acted)
    kinds = {r["kind"]: r for r in effects.summary(measured, "kind").to_dict("records")}
    coaching = kinds["coaching"]
    assert coaching["n"] == 2 and coaching["qa_effect"] == pytest.approx(7.5)
    # 7.5 ± 12.706 · 0.5 (the table's t to three decimals: to the cent of a point)
    assert round(coaching["qa_low"], 2) == round(7.5 - T_975_1 * 0.5, 2) == 1.15
    assert round(coaching["qa_high"], 2) == round(7.5 + T_975_1 * 0.5, 2) == 13.85
    assert kinds["training"]["n"] == 1 and kinds["training"]["qa_effect"] == pytest.approx(27)
    assert pd.isna(kinds["training"]["qa_low"]) and pd.isna(kinds["training"]["qa_high"])
    assert kinds[effects.COACHING_SESSION]["n"] == 0 and pd.isna(kinds[effects.COACHING_SESSION]["qa_effect"])
    categories = {r["category"]: r for r in effects.summary(measured, "category").to_dict("records")}
    accuracy = categories["accuracy"]
    assert accuracy["n"] == 2 and accuracy["qa_effect"] == pytest.approx(17)
    assert round(accuracy["qa_low"], 2) == round(17 - T_975_1 * 10, 2) == -110.06
    assert round(accuracy["qa_high"], 2) == round(17 + T_975_1 * 10, 2) == 144.06
    assert categories["attitude"]["n"] == 1 and categories[""]["n"] == 0  # CS1 is about no audit


def test_period_and_scope(acted):
    assert set(effects.measure(acted, start=dt.date(2026, 7, 2))["action_id"]) == {"CS1", "X3"}
    assert set(effects.measure(acted, end=dt.date(2026, 7, 1))["action_id"]) == {"X1", "X2"}
    assert set(effects.measure(acted, teams=("Acme-1",))["action_id"]) == {"X3"}
    assert set(effects.measure(acted, employee_id="B1")["action_id"]) == {"X1"}
    supervisor = scope_for("supervisor", (), ("Acme-1",))
    assert set(effects.measure(acted, supervisor)["action_id"]) == {"X3"}
    assert effects.measure(acted, scope_for("client", ("Beta",))).empty  # the company's own records


def test_windows_are_policy_data(acted):
    """With at least 2 audits a side, CS1's control (3 before, 2 after) is enough but N3 (1, 1) is not;
    with 1, CS1 is measured: N3 40 -> 100 (+60), N2 before 80, 83, 82 -> 81.667, after 84, 86 -> 85
    (+3.333): 56.67."""
    from csdata.policy import EffectWindows

    rows = _by_id(effects.measure(acted, windows=EffectWindows(min_audits=1)))
    assert round(rows["CS1"]["qa_effect"], 2) == 56.67
    assert pd.isna(_by_id(effects.measure(acted, windows=EffectWindows(min_audits=2)))["CS1"]["qa_effect"])


def test_cli_json_gives_the_same_numbers(acted):
    path = acted.path
    acted.close()
    result = run_cli("effects", "--db", str(path), "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    actions = {a["action_id"]: a for a in out["actions"]}
    assert actions["X1"] == {
        "action_id": "X1", "employee_id": "B1", "kind": "coaching", "effect_date": "2026-07-01",
        "before_n": 3, "after_n": 3, "control_before_n": 3, "control_after_n": 3,
        "qa_effect": 7.0, "csat_effect": round(2 / 3, 6),
    }  # fmt: skip
    assert actions["CS1"]["qa_effect"] is None and actions["CS1"]["kind"] == "coaching_session"
    assert actions["X3"]["qa_effect"] == 8.0 and actions["X2"]["qa_effect"] == 27.0
    by_kind = {k["kind"]: k for k in out["by_kind"]}
    assert by_kind["coaching"]["n"] == 2 and by_kind["coaching"]["qa_effect"] == 7.5
    assert (
        round(by_kind["coaching"]["qa_low"], 2) == 1.15 and round(by_kind["coaching"]["qa_high"], 2) == 13.85
    )
    assert by_kind["training"] == {
        "kind": "training",
        "n": 1,
        "qa_effect": 27.0,
        "qa_low": None,
        "qa_high": None,
    }
    dated = json.loads(run_cli("effects", "--db", str(path), "--json", "--from", "2026-08-01").stdout)
    assert [a["action_id"] for a in dated["actions"]] == ["X3"]


@pytest.mark.parametrize("args", [["--from", "2026-13-01"], ["--to", "yesterday"]])
def test_cli_bad_dates(acted, args):
    path = acted.path
    acted.close()
    result = run_cli("effects", "--db", str(path), *args, env={"CSDATA_LANG": "en"})
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    backwards = run_cli("effects", "--db", str(path), "--from", "2026-09-01", "--to", "2026-08-01")
    assert backwards.returncode == 2 and len(backwards.stderr.strip().splitlines()) == 1


# -- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def acted_db(acted, monkeypatch):
    """The warehouse of `acted` with an admin account, for the app to open."""
    from conftest import point_app_at

    from csdata.access.auth import add_user

    add_user(acted, "test", "admin", "admin", "long enough password")
    path = acted.path
    acted.close()
    point_app_at(monkeypatch, path)
    return path


def _tables(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _table_with(at, heading: str) -> list[pd.DataFrame]:
    return [f for f in _tables(at) if heading in f.columns]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_quality_page_shows_what_worked(acted_db, lang):
    from conftest import open_page

    from csdata.text.i18n import t

    at = open_page("quality", lang, query={"from": "2026-06-01", "to": "2026-09-30"})
    assert t("eff_title", lang) in [s.value for s in at.subheader]
    kind, effect = t("eff_col_kind", lang), t("eff_col_qa_effect", lang)
    low, high = t("eff_col_low", lang), t("eff_col_high", lang)
    by_kind = _table_with(at, kind)[0].set_index(kind)
    coaching = by_kind.loc[t("choice_coaching", lang)]
    assert (coaching[effect], coaching[low], coaching[high]) == ("+7.50", "+1.15", "+13.85")
    assert by_kind.loc[t("choice_training", lang), effect] == "+27.00"
    assert by_kind.loc[t("choice_training", lang), low] == ""  # one measured: no interval
    session = by_kind.loc[t("effect_coaching_session", lang)]
    assert session[t("eff_col_measured", lang)] == 0 and session[effect] == ""
    finding = t("eff_col_category", lang)
    by_finding = _table_with(at, finding)[0].set_index(finding)
    accuracy = by_finding.loc[t("policy_label_accuracy", lang)]
    assert (accuracy[effect], accuracy[low], accuracy[high]) == ("+17.00", "-110.06", "+144.06")
    assert len(at.get("plotly_chart")) >= 2
    # The period decides which actions count: July alone holds X1, X2 and CS1, not X3.
    july = open_page("quality", lang, query={"from": "2026-07-01", "to": "2026-07-31"})
    coaching = _table_with(july, kind)[0].set_index(kind).loc[t("choice_coaching", lang)]
    assert coaching[t("eff_col_measured", lang)] == 1 and coaching[effect] == "+7.00"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_agent_page_shows_each_action_before_and_after(acted_db, lang):
    from conftest import open_page

    from csdata.text.i18n import t

    at = open_page("agent", lang, query={"agent": "B1", "from": "2026-06-01", "to": "2026-09-30"})
    assert t("eff_agent_title", lang) in [s.value for s in at.subheader]
    effect = t("eff_col_qa_effect", lang)
    row = _table_with(at, effect)[0].iloc[0]
    assert row[t("eff_col_action", lang)] == "X1"
    assert (row[t("eff_col_before_n", lang)], row[t("eff_col_before", lang)]) == (3, "72.00")
    assert (row[t("eff_col_after_n", lang)], row[t("eff_col_after", lang)]) == (3, "82.00")
    assert (
        row[t("eff_col_control_before", lang)] == "81.00" and row[t("eff_col_control_after", lang)] == "84.00"
    )
    assert row[effect] == "+7.00" and row[t("eff_col_csat_effect", lang)] == "+66.7"
    n3 = open_page("agent", lang, query={"agent": "N3", "from": "2026-06-01", "to": "2026-09-30"})
    row = _table_with(n3, effect)[0].iloc[0]
    assert row[t("eff_col_action", lang)] == "CS1" and row[effect] == t("effect_not_enough_audits", lang)
    assert row[t("eff_col_kind", lang)] == t("effect_coaching_session", lang)


def test_the_demo_shows_the_planted_coaching(sample_db):
    """The demo's coached agents score `COACHING_LIFT` (8) points lower for 45 days before their
    session and as before after it; their teams do not: every session is measured, and the 95 %
    interval of their mean effect holds 8 and lies above 0."""
    from csdata.demo.sample import COACHED, COACHING_LIFT
    from csdata.store.warehouse import Warehouse

    wh = Warehouse(sample_db, read_only=True)
    try:
        measured = effects.measure(wh)
    finally:
        wh.close()
    sessions = measured[measured["kind"] == effects.COACHING_SESSION]
    assert sorted(sessions["employee_id"]) == sorted(COACHED)
    assert sessions["qa_effect"].notna().all()
    row = effects.summary(measured, "kind").set_index("kind").loc[effects.COACHING_SESSION]
    assert row["n"] == len(COACHED) and 0 < row["qa_low"] < COACHING_LIFT < row["qa_high"]


# -- the windows as policy data -------------------------------------------------------------------


def test_the_windows_are_part_of_the_policy_and_an_older_version_reads_the_defaults():
    from pydantic import ValidationError

    from csdata import policy as pol

    body = pol.default_policy().model_dump(mode="json")
    assert body["effects"] == {"days_before": 30, "days_after": 30, "min_audits": 3}
    del body["effects"]  # a version saved before the windows were policy data
    assert pol.Policy.model_validate(body).effects == pol.EffectWindows()
    body["effects"] = {"days_before": 0, "days_after": 30, "min_audits": 0}
    with pytest.raises(ValidationError) as caught:
        pol.Policy.model_validate(body)
    assert pol.messages(caught.value, body, "en") == [
        "Effect of actions › Days before: must be at least 1",
        "Effect of actions › Fewest audits in each window: must be at least 1",
    ]
    zh = pol.messages(caught.value, body, "zh")
    assert [m.split(": ", 1)[0] for m in zh] == [
        "改进措施效果评估 › 之前天数",
        "改进措施效果评估 › 每个时段最少质检次数",
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_policy_page_edits_the_windows(acted_db, lang):
    """Two audits a side are enough once the Policy page says so: then CS1's control has them
    (3 before, 2 after) but N3 (1, 1) still has not."""
    from conftest import open_page

    from csdata.store.warehouse import Warehouse
    from csdata.text.i18n import t

    at = open_page("policy", lang)
    assert t("policy_effects", lang) in " ".join(m.value for m in at.markdown)
    inputs = {n.label: n for n in at.number_input}
    assert inputs[t("policy_effects_before", lang)].value == 30
    assert inputs[t("policy_effects_after", lang)].value == 30
    inputs[t("policy_effects_min_audits", lang)].set_value(2)
    at.button(key="policy_save").click().run()
    assert not at.exception and not at.error
    from csdata.ui.core import _open

    wh: Warehouse = _open(str(acted_db))
    body = json.loads(wh.scalar("SELECT body FROM policy_versions ORDER BY version DESC LIMIT 1"))
    assert body["effects"] == {"days_before": 30, "days_after": 30, "min_audits": 2}
    detail = json.loads(
        wh.scalar("SELECT detail FROM audit_log WHERE action = 'policy.save' ORDER BY id DESC")
    )
    assert "effects.min_audits: 3 → 2" in detail["changes"]
    assert [c for c in detail["changes"] if c.startswith("effects.")] == ["effects.min_audits: 3 → 2"]
    rows = _by_id(effects.measure(wh))
    assert rows["CS1"]["reason"] == effects.NOT_ENOUGH and round(rows["X1"]["qa_effect"], 2) == 7.00


def test_a_supervisor_sees_what_worked_in_their_teams_only(acted, monkeypatch):
    """Acme-1's supervisor: X3 only (coaching, +8.00, one measured: no interval)."""
    from conftest import open_page, point_app_at

    from csdata.access.auth import add_user
    from csdata.text.i18n import t

    add_user(acted, "test", "sup", "supervisor", "long enough password", teams=("Acme-1",))
    path = acted.path
    acted.close()
    point_app_at(monkeypatch, path)
    at = open_page("quality", user="sup", query={"from": "2026-06-01", "to": "2026-09-30"})
    kind = t("eff_col_kind", "en")
    by_kind = _table_with(at, kind)[0]
    assert list(by_kind[kind]) == [t("choice_coaching", "en")]
    assert by_kind[t("eff_col_qa_effect", "en")].tolist() == ["+8.00"]
    assert by_kind[t("eff_col_low", "en")].tolist() == [""]


def test_policy_show_names_the_windows(acted):
    path = acted.path
    acted.close()
    shown_ = run_cli("policy", "show", "--db", str(path), env={"CSDATA_LANG": "en"})
    assert shown_.returncode == 0, shown_.stderr
    lines = shown_.stdout.splitlines()
    at = lines.index("Effect of actions")
    assert lines[at : at + 4] == [
        "Effect of actions",
        "  Days before: 30",
        "  Days after: 30",
        "  Fewest audits in each window: 3",
    ]
    # the defaults of "how sure a figure must be" follow, as the Policy page names them
    assert lines[at + 5 :] == [
        "How sure a figure must be",
        "  Fewest cases for a firm figure: 30",
        "  Acceptable calibration alpha: 0.667",
        "  Auditor deviation allowed (± points): 5",
        "  QA score margin per agent (± points): 5",
        "  Days of audits for the plan: 90",
        "  Widest interval for ranking (points): 20",
        "  The sampling plan sets the audits rule: no",
    ]
