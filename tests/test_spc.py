"""Control charts (`csdata.analytics.spc`, `csdata spc`, the Trend | Control chart choice).

The limits are checked against hand-worked examples and against numpy and pandas applied to the
raw rows of the demo warehouse; a warehouse with a planted shift (an answer rate falling from 90 %
to 75 %, QA scores falling by 10 points) has the shift marked, and noise alone is not.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, build_tiny, point_app_at, run_cli, sign_in_as

from csdata.analytics import compiler, spc
from csdata.analytics.compiler import Filters
from csdata.policy import load_policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, t

# -- hand-worked examples -------------------------------------------------------------------------


def _weeks(n: int) -> list[dt.date]:
    return [dt.date(2026, 6, 1) + dt.timedelta(weeks=i) for i in range(n)]


def test_p_chart_by_hand():
    # hits/n: 45/50, 70/100, 90/100. p̄ = 205/250 = 0.82, p̄(1 − p̄) = 0.1476.
    # n = 50: 3·√(0.1476/50) = 0.162997 -> 0.657003 … 0.982997
    # n = 100: 3·√(0.1476/100) = 0.115256 -> 0.704744 … 0.935256; 0.70 lies below it.
    frame = pd.DataFrame(
        {
            "key": _weeks(3),
            "answer_rate": [0.9, 0.7, 0.9],
            "answer_rate__n": [50.0, 100.0, 100.0],
            "answer_rate__hits": [45.0, 70.0, 90.0],
        }
    )
    chart = spc.control_chart(frame, "answer_rate")
    assert chart.center == pytest.approx(0.82)
    assert list(chart.points["lcl"]) == pytest.approx([0.657003, 0.704744, 0.704744], abs=1e-6)
    assert list(chart.points["ucl"]) == pytest.approx([0.982997, 0.935256, 0.935256], abs=1e-6)
    assert list(chart.points["signal"]) == [None, "below", None]


def test_p_chart_of_the_abandon_rate_counts_the_unanswered_and_cuts_at_zero():
    # answered 40/50 and 95/100: abandoned 10 and 5, p̄ = 15/150 = 0.1, p̄(1 − p̄) = 0.09.
    # n = 50: 3·√(0.09/50) = 0.127279 -> −0.027279 (cut to 0) … 0.227279
    # n = 100: 3·√(0.09/100) = 0.09 -> 0.01 … 0.19
    frame = pd.DataFrame(
        {
            "key": _weeks(2),
            "abandon_rate": [0.2, 0.05],
            "abandon_rate__n": [50.0, 100.0],
            "abandon_rate__hits": [40.0, 95.0],
        }
    )
    chart = spc.control_chart(frame, "abandon_rate")
    assert chart.center == pytest.approx(0.1)
    assert list(chart.points["lcl"]) == pytest.approx([0.0, 0.01], abs=1e-6)
    assert list(chart.points["ucl"]) == pytest.approx([0.227279, 0.19], abs=1e-6)
    assert list(chart.points["signal"]) == [None, None]


def test_x_bar_chart_by_hand():
    # (n, mean, sd): (4, 80, 10), (9, 86, 6), (1, 90, undefined); a week without cases is left out.
    # x̄̄ = (4·80 + 9·86 + 90) / 14 = 1184/14 = 84.571429
    # σ = √((3·100 + 8·36 + 0) / (3 + 8)) = √(588/11) = 7.311262
    # limits x̄̄ ± 3σ/√n: n = 4: ± 10.966892; n = 9: ± 7.311262; n = 1: ± 21.933785
    frame = pd.DataFrame(
        {
            "key": _weeks(4),
            "qa_score": [80.0, 86.0, math.nan, 90.0],
            "qa_score__n": [4.0, 9.0, 0.0, 1.0],
            "qa_score__sd": [10.0, 6.0, math.nan, math.nan],
        }
    )
    chart = spc.control_chart(frame, "qa_score")
    assert chart.center == pytest.approx(84.571429)
    assert list(chart.points["week"]) == [_weeks(4)[i] for i in (0, 1, 3)]
    assert list(chart.points["lcl"]) == pytest.approx([73.604536, 77.260167, 62.637644], abs=1e-5)
    assert list(chart.points["ucl"]) == pytest.approx([95.538321, 91.882690, 106.505213], abs=1e-5)
    assert list(chart.points["signal"]) == [None, None, None]


def test_a_run_starts_at_the_eighth_point_on_one_side_and_outside_wins():
    inf = [math.inf] * 12
    ninf = [-math.inf] * 12
    # nine above the centre, then one below, then two on the centre
    values = [1.0] * 9 + [-1.0, 0.0, 0.0]
    assert spc.signals(values, ninf, inf, 0.0) == [None] * 7 + ["run", "run"] + [None] * 3
    # a point on the centre ends a run: 7 above, one on it, 7 above: no run
    values = [1.0] * 7 + [0.0] + [1.0] * 7
    assert spc.signals(values, [-9.0] * 15, [9.0] * 15, 0.0) == [None] * 15
    # the 8th point in a row above the centre that is also above its limit is "above"
    values = [1.0] * 7 + [10.0, 1.0]
    assert spc.signals(values, [-9.0] * 9, [9.0] * 9, 0.0) == [None] * 7 + ["above", "run"]
    # 8 in a row below
    assert spc.signals([-1.0] * 8, [-9.0] * 8, [9.0] * 8, 0.0)[-1] == "run"


def test_only_rates_and_means_have_a_chart():
    assert spc.has_chart("answer_rate") and spc.has_chart("aht") and spc.has_chart("qa_score")
    for metric in ("offered", "wait_p90", "training_hours", "complaint_feedback_hours", "unknown"):
        assert not spc.has_chart(metric), metric
    with pytest.raises(Problem) as raised:
        spc.control_chart(pd.DataFrame({"key": [], "offered": []}), "offered")
    assert raised.value.key == "err_spc_no_chart"


# -- against numpy over the raw rows of the demo ---------------------------------------------------

DEMO_WEEKS = Filters(dt.date(2026, 6, 1), dt.date(2026, 10, 25))  # 21 whole weeks, Monday to Sunday


def test_p_chart_limits_match_numpy_over_raw_tickets(sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        raw = con.execute(
            "SELECT opened_at, first_response_at FROM tickets WHERE opened_at >= ? AND opened_at < ?",
            [DEMO_WEEKS.start, DEMO_WEEKS.end + dt.timedelta(days=1)],
        ).df()
    raw["week"] = (
        raw["opened_at"] - pd.to_timedelta(raw["opened_at"].dt.day_of_week, unit="D")
    ).dt.normalize()
    weekly = raw.groupby("week").agg(n=("opened_at", "size"), hits=("first_response_at", "count"))
    n, hits = weekly["n"].to_numpy(float), weekly["hits"].to_numpy(float)
    p_bar = hits.sum() / n.sum()
    width = 3 * np.sqrt(p_bar * (1 - p_bar) / n)

    wh = Warehouse(sample_db, read_only=True)
    try:
        frame = compiler.metric_table(wh, ["answer_rate"], DEMO_WEEKS, "week", detail=True)
    finally:
        wh.close()
    chart = spc.control_chart(frame, "answer_rate")
    assert len(chart.points) == 21 == len(weekly)
    assert chart.center == pytest.approx(p_bar)
    assert list(chart.points["n"]) == list(n)
    assert list(chart.points["value"]) == pytest.approx(list(hits / n))
    assert list(chart.points["lcl"]) == pytest.approx(list(np.clip(p_bar - width, 0, 1)))
    assert list(chart.points["ucl"]) == pytest.approx(list(np.clip(p_bar + width, 0, 1)))


def test_x_bar_limits_match_numpy_over_raw_audit_scores(sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        raw = con.execute(
            "SELECT audited_at, score FROM audits WHERE audited_at BETWEEN ? AND ?"
            " AND source <> 'calibration'",  # calibration audits measure auditors: no QA figure
            [DEMO_WEEKS.start, DEMO_WEEKS.end],
        ).df()
    days = pd.to_datetime(raw["audited_at"])
    raw["week"] = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    grouped = raw.groupby("week")["score"]
    means, sds, n = grouped.mean().to_numpy(), grouped.std(ddof=1).to_numpy(), grouped.size().to_numpy(float)
    grand = np.average(means, weights=n)
    pooled = np.sqrt(((n - 1) * sds**2).sum() / (n - 1).sum())

    wh = Warehouse(sample_db, read_only=True)
    try:
        frame = compiler.metric_table(wh, ["qa_score"], DEMO_WEEKS, "week", detail=True)
    finally:
        wh.close()
    chart = spc.control_chart(frame, "qa_score")
    assert chart.center == pytest.approx(grand)
    assert list(chart.points["value"]) == pytest.approx(list(means))
    assert list(chart.points["lcl"]) == pytest.approx(list(grand - 3 * pooled / np.sqrt(n)))
    assert list(chart.points["ucl"]) == pytest.approx(list(grand + 3 * pooled / np.sqrt(n)))


# -- a planted shift ------------------------------------------------------------------------------

SHIFT_WEEKS = _weeks(16)  # 2026-06-01 … 2026-09-14: 12 weeks before the shift, 4 after
SHIFT = Filters(SHIFT_WEEKS[0], SHIFT_WEEKS[-1] + dt.timedelta(days=6))
PER_WEEK = 200


def _tickets(rng: np.random.Generator, rates: list[float], client: str, channel: str, prefix: str):
    """PER_WEEK tickets a week, each answered with the week's rate, opened through the week."""
    rows = []
    for week, rate in zip(SHIFT_WEEKS, rates, strict=True):
        answered = rng.random(PER_WEEK) < rate
        for i in range(PER_WEEK):
            opened = dt.datetime.combine(week, dt.time(8)) + dt.timedelta(minutes=47 * i)
            rows.append(
                {
                    "ticket_id": f"{prefix}{week:%m%d}-{i}",
                    "client": client,
                    "channel": channel,
                    "type": "consultation",
                    "team": f"{client}-1",
                    "agent_id": ("A1" if client == "Acme" else "B1") if answered[i] else None,
                    "opened_at": opened,
                    "first_response_at": opened + dt.timedelta(seconds=20) if answered[i] else None,
                }
            )
    return pd.DataFrame(rows)


def build_shifted(path) -> Warehouse:
    """The tiny warehouse plus 16 weeks of Acme phone tickets answered at 90 % then 75 % in the
    last 4, Beta chat tickets answered at 90 % throughout (noise only), and 25 audits a week of
    Acme's agent scoring about 88 (sd 5) then about 78; Beta's agent steady at about 85."""
    wh = build_tiny(path)
    rng = np.random.default_rng(20260601)
    version = load_policy(wh)[0]
    audits = []
    for number, week in enumerate(SHIFT_WEEKS):
        for agent, mean in (("A1", 88.0 if number < 12 else 78.0), ("B1", 85.0)):
            for i, score in enumerate(np.clip(rng.normal(mean, 5.0, 25), 0, 100)):
                audits.append(
                    {
                        "audit_id": f"S-{agent}-{week:%m%d}-{i}",
                        "audited_at": week + dt.timedelta(days=i % 5),
                        "agent_id": agent,
                        "auditor_id": "Q1",
                        "source": "recording",
                        "critical_error": False,
                        "score": round(float(score), 1),
                        "policy_version": version,
                    }
                )
    with wh.transaction("test", "planted shift") as w:
        w.insert_df("tickets", _tickets(rng, [0.9] * 12 + [0.75] * 4, "Acme", "phone", "SA"))
        w.insert_df("tickets", _tickets(rng, [0.9] * 16, "Beta", "chat", "SB"))
        w.insert_df("audits", pd.DataFrame(audits))
    return wh


@pytest.fixture(scope="module")
def shifted(tmp_path_factory):
    path = tmp_path_factory.mktemp("spc") / "shifted.duckdb"
    build_shifted(path).close()
    return path


def _chart(path, metric: str, **only) -> spc.ControlChart:
    wh = Warehouse(path, read_only=True)
    try:
        filters = Filters(SHIFT.start, SHIFT.end, **only)
        return spc.control_chart(compiler.metric_table(wh, [metric], filters, "week", detail=True), metric)
    finally:
        wh.close()


def test_a_fall_of_the_answer_rate_is_marked(shifted):
    chart = _chart(shifted, "answer_rate", clients=("Acme",))
    signals = list(chart.points["signal"])
    assert len(signals) == 16
    assert signals[12:] == ["below"] * 4
    # the 12 weeks before sit above a centre the fall pulled down: from the 8th on, a run (or a
    # week above the limit), and none below
    assert "below" not in signals[:12]
    assert set(signals[7:12]) <= {"run", "above"}


def test_a_fall_of_qa_scores_is_marked(shifted):
    chart = _chart(shifted, "qa_score", agents=("A1",))
    assert list(chart.points["signal"])[12:] == ["below"] * 4
    assert "below" not in list(chart.points["signal"])[:12]
    assert list(chart.points["n"]) == [25] * 16


def test_noise_alone_gives_no_signal(shifted):
    # A 90 % answer rate and a steady 85 points, drawn at random: a false alarm per week is about
    # 0.3 % outside the limits, and a run of 8 by chance in 16 weeks a few per cent.
    for metric, only in (("answer_rate", {"clients": ("Beta",)}), ("qa_score", {"agents": ("B1",)})):
        chart = _chart(shifted, metric, **only)
        assert len(chart.points) == 16
        assert chart.points["signal"].isna().all(), (metric, list(chart.points["signal"]))


# -- the command ----------------------------------------------------------------------------------


def test_spc_json_is_the_chart(shifted):
    done = run_cli(
        "spc", "answer_rate", "--client", "Acme", "--from", "2026-06-01", "--to", "2026-09-20", "--json",
        "--db", str(shifted),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["metric", "center", "points"]
    assert out["metric"] == "answer_rate"
    assert [p["week"] for p in out["points"]] == [w.isoformat() for w in SHIFT_WEEKS]
    for point in out["points"]:
        assert list(point) == ["week", "value", "n", "lcl", "ucl", "signal"]
        assert point["n"] == PER_WEEK and isinstance(point["n"], int)
        assert 0 <= point["lcl"] <= point["value"] or point["signal"] == "below"
    # centre and a week's limits worked out from the counts of the warehouse's own rows
    with duckdb.connect(str(shifted), read_only=True) as con:
        answered, offered = con.execute(
            "SELECT count(first_response_at), count(*) FROM tickets WHERE client = 'Acme' AND ticket_id LIKE 'SA%'"
        ).fetchone()
    p_bar = answered / offered
    assert out["center"] == pytest.approx(p_bar)
    assert out["points"][0]["ucl"] == pytest.approx(p_bar + 3 * math.sqrt(p_bar * (1 - p_bar) / PER_WEEK))
    assert [p["signal"] for p in out["points"][12:]] == ["below"] * 4


def test_spc_table_in_chinese(shifted):
    done = run_cli("spc", "qa_score", "--from", "2026-06-01", "--to", "2026-09-20", "--db", str(shifted),
                   env={"CSDATA_LANG": "zh"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("质检平均分 控制图")
    assert lines[1].split() == ["周", "数值", "样本量", "下控制限", "上控制限", "信号"]
    assert len(lines) == 2 + 16


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nope"], "unknown metric 'nope'"),
        (["offered"], "offered has no control chart"),
        (["answer_rate", "--from", "2026-13-01"], "--from"),
        (["answer_rate", "--client", "Nobody"], "Nobody"),
    ],
)
def test_spc_refuses_bad_input_in_one_line(shifted, args, says):
    done = run_cli("spc", *args, "--db", str(shifted), env={"CSDATA_LANG": "en"})
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr, done.stderr


# -- the page -------------------------------------------------------------------------------------


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_quality_trends_turn_into_control_charts(shifted, tmp_path, monkeypatch):
    """The Quality page over the planted shift: bands on the trends, and with "Control chart"
    three control charts with limits and the four weeks after the fall marked, and the note."""
    from streamlit.testing.v1 import AppTest

    from csdata import pages
    from csdata.access.auth import add_user

    db = tmp_path / "page.duckdb"
    db.write_bytes(shifted.read_bytes())
    wh = Warehouse(db)
    add_user(wh, "test", "boss", "admin", "long enough password")
    wh.close()
    point_app_at(monkeypatch, db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    sign_in_as(at, "boss")
    at.run()
    at.query_params.update({"from": "2026-06-01", "to": "2026-09-20", "team": "Acme-1"})
    at.switch_page(pages.PAGES["quality"].file).run()
    assert not at.exception, [e.value for e in at.exception]
    trends = [f for f in _figures(at) if any(tr.get("fill") == "tonexty" for tr in f["data"])]
    assert len(trends) == 3  # each trend with its band

    at.button_group(key="trend_view_quality").set_value("control").run()
    assert not at.exception, [e.value for e in at.exception]
    limits = t("spc_limits", "en")
    control = [f for f in _figures(at) if any(tr.get("name") == limits for tr in f["data"])]
    assert len(control) == 3
    qa = next(f for f in control if f["layout"]["title"]["text"] == t("metric_qa_score", "en"))
    flagged = next(tr for tr in qa["data"] if tr.get("name") == t("spc_signal", "en"))
    # the team's QA is Acme's agent's: the four weeks after the fall are marked
    assert {w.isoformat() for w in SHIFT_WEEKS[12:]} <= {str(x)[:10] for x in flagged["x"]}
    assert t("spc_note", "en") in [c.value for c in at.caption]


def test_overview_control_chart_per_channel_and_none_for_a_count(shifted, tmp_path, monkeypatch):
    """On the Overview a wait split by channel has a control chart per channel; a count has none,
    says so, and keeps its trend."""
    from conftest import open_page

    db = tmp_path / "overview.duckdb"
    db.write_bytes(shifted.read_bytes())
    point_app_at(monkeypatch, db)
    wh = Warehouse(db)
    from csdata.access.auth import add_user

    add_user(wh, "test", "boss", "admin", "long enough password")
    wh.close()
    at = open_page("overview", user="boss", query={"from": "2026-06-01", "to": "2026-09-20"})
    at.selectbox(key="trend_metric").set_value("asa").run()
    at.button_group(key="trend_view_overview").set_value("control").run()
    assert not at.exception, [e.value for e in at.exception]
    limits = t("spc_limits", "en")
    (figure,) = [f for f in _figures(at) if any(tr.get("name") == limits for tr in f["data"])]
    panels = [a["text"] for a in figure["layout"].get("annotations", [])]
    assert panels == [t("channel_phone", "en"), t("channel_chat", "en")]
    assert sum(tr.get("name") == t("spc_value", "en") for tr in figure["data"]) == 2

    at.selectbox(key="trend_metric").set_value("offered").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert t("spc_none", "en", metric=t("metric_offered", "en")) in captions
    assert not [f for f in _figures(at) if any(tr.get("name") == limits for tr in f["data"])]


def test_control_chart_texts_carry_no_live_tag():
    from csdata.ui import charts

    points = pd.DataFrame(
        {"week": pd.to_datetime(["2026-06-01", "2026-06-08"]), "value": [0.5, 0.9], "n": [10, 10],
         "lcl": [0.1, 0.1], "ucl": [0.8, 0.8], "signal": pd.Series([None, "above"], dtype=object)}
    )  # fmt: skip
    tag = "<a href='x'>x</a>"
    names = {k: tag for k in ("value", "center", "limits", "signal", "ucl", "lcl")} | {
        f"signal_{s}": tag for s in spc.SIGNALS
    }
    fig = charts.control_charts(
        {"a": (tag, None, points, 0.6), "b": (tag, None, points, 0.6)}, "rate", tag, "x", names
    )
    texts = [fig.layout.title.text, *(a.text for a in fig.layout.annotations)]
    for trace in fig.data:
        texts += [trace.name or "", trace.hovertemplate or "", *(trace.text or ())]
    assert any("&lt;a href" in s for s in texts)
    for text in texts:
        assert not re.search(r"<(?!/?extra>|br>)", text), text
    # the week above its limit is marked in each panel
    assert [list(tr.y) for tr in fig.data if tr.mode == "markers"] == [[90.0], [90.0]]
