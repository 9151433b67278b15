"""Intervals and tests of change (`csdata.analytics.stats`), each against an independent
computation: statsmodels and scipy applied to counts and values read with pandas from `csdata
export` or the raw tables, or a hand-worked example."""

from __future__ import annotations

import datetime as dt
import json
import math

import duckdb
import pandas as pd
import pytest
from conftest import run_cli
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from csdata.analytics import compiler, stats
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG
from csdata.store.warehouse import Warehouse


@pytest.fixture(scope="module")
def exported(sample_db, tmp_path_factory):
    """The demo's tickets as `csdata export` writes them, and `csdata kpi --ci --json` over them."""
    out = tmp_path_factory.mktemp("ci") / "tickets.csv"
    done = run_cli("export", "tickets", "--out", str(out), "--db", str(sample_db))
    assert done.returncode == 0, done.stderr
    tickets = pd.read_csv(out, encoding="utf-8-sig", parse_dates=["opened_at", "feedback_at"])
    start, end = tickets["opened_at"].min().date(), tickets["opened_at"].max().date()
    done = run_cli("kpi", "--ci", "--json", "--from", str(start), "--to", str(end), "--db", str(sample_db))
    assert done.returncode == 0, done.stderr
    return tickets, json.loads(done.stdout), (start, end)


def _counts(tickets: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """hits and n of the rates, counted with pandas from the exported rows."""
    answered = tickets["first_response_at"].notna()
    rated = tickets["csat"].notna()
    promised = tickets["callback_promised_at"].notna()
    kept = pd.to_datetime(tickets["callback_done_at"]) <= pd.to_datetime(tickets["callback_promised_at"])
    fed_back = (tickets["type"] == "complaint") & tickets["feedback_at"].notna()
    accepted = fed_back & (tickets["customer_accepted"].astype("string") == "True")
    fcr = answered & (tickets["first_contact_resolved"].astype("string") == "True")
    return {
        "answer_rate": (int(answered.sum()), len(tickets)),
        "csat_pct": (int((tickets["csat"] >= 4).sum()), int(rated.sum())),
        "csat_response_rate": (int((rated & answered).sum()), int(answered.sum())),
        "fcr_rate": (int(fcr.sum()), int(answered.sum())),
        "callback_kept_rate": (int(kept.sum()), int(promised.sum())),
        "complaint_acceptance_rate": (int(accepted.sum()), int(fed_back.sum())),
    }


def test_kpi_ci_rates_are_statsmodels_wilson_over_exported_counts(exported):
    tickets, ci, _ = exported
    for metric, (hits, n) in _counts(tickets).items():
        low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
        got = ci[metric]
        assert got["n"] == n, metric
        assert got["value"] == pytest.approx(hits / n), metric
        assert (got["low"], got["high"]) == (pytest.approx(low), pytest.approx(high)), metric


def test_abandon_rate_interval_is_the_answer_rate_turned_round(exported):
    tickets, ci, _ = exported
    abandoned = int(tickets["first_response_at"].isna().sum())
    low, high = proportion_confint(abandoned, len(tickets), alpha=0.05, method="wilson")
    assert (ci["abandon_rate"]["low"], ci["abandon_rate"]["high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )


def test_kpi_ci_means_are_scipy_t_intervals(exported, sample_db):
    tickets, ci, (start, end) = exported
    csat = tickets["csat"].dropna()
    low, high = sps.t.interval(0.95, len(csat) - 1, loc=csat.mean(), scale=sps.sem(csat))
    assert ci["csat_avg"]["n"] == len(csat)
    assert (ci["csat_avg"]["low"], ci["csat_avg"]["high"]) == (pytest.approx(low), pytest.approx(high))
    with duckdb.connect(str(sample_db), read_only=True) as con:
        scores = con.execute(
            "SELECT score FROM audits WHERE audited_at BETWEEN ? AND ? AND source <> 'calibration'",
            [start, end],
        ).df()["score"]
    low, high = sps.t.interval(0.95, len(scores) - 1, loc=scores.mean(), scale=sps.sem(scores))
    assert ci["qa_score"]["n"] == len(scores)
    assert (ci["qa_score"]["low"], ci["qa_score"]["high"]) == (pytest.approx(low), pytest.approx(high))


def test_counts_and_percentiles_carry_no_interval(exported):
    _, ci, _ = exported
    assert ci["offered"] == {"value": ci["offered"]["value"], "low": None, "high": None, "n": None}
    assert ci["wait_p90"]["low"] is None and ci["wait_p90"]["high"] is None
    assert ci["wait_p90"]["n"] == ci["answer_rate"]["value"] * ci["offered"]["value"]


def test_kpi_without_ci_keeps_plain_values(sample_db):
    done = run_cli("kpi", "--json", "--metric", "qa_score", "--db", str(sample_db))
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout)["qa_score"], float)


def test_weekly_intervals_rest_on_each_weeks_own_cases(sample_db):
    """Split by week, each row's n and interval are that week's (pandas over the raw tickets)."""
    wh = Warehouse(sample_db, read_only=True)
    try:
        filters = Filters(dt.date(2026, 9, 7), dt.date(2026, 10, 4))
        frame = compiler.metric_table(wh, ["csat_pct"], filters, by="week", detail=True)
        raw = wh.df(
            "SELECT CAST(date_trunc('week', opened_at) AS DATE) AS week, csat FROM tickets "
            "WHERE opened_at >= ? AND opened_at < ?",
            [filters.start, filters.end + dt.timedelta(days=1)],
        )
    finally:
        wh.close()
    table = stats.with_intervals(frame)
    assert "csat_pct__n" not in table and {"csat_pct_low", "csat_pct_high", "csat_pct_n"} <= set(table)
    assert len(table) == 4
    for row in table.itertuples():
        week = raw[raw["week"] == row.key]["csat"].dropna()
        low, high = proportion_confint(int((week >= 4).sum()), len(week), method="wilson")
        assert row.csat_pct_n == len(week)
        assert (row.csat_pct_low, row.csat_pct_high) == (pytest.approx(low), pytest.approx(high))


# -- tests of change, worked by hand ----------------------------------------------------------------


def _rate_row(metric: str, hits: int, n: int) -> dict:
    return {metric: hits / n, f"{metric}__n": n, f"{metric}__hits": hits}


def test_a_rate_change_within_noise_is_not_clear():
    # 55/100 against 50/100: pooled p = 0.525, se = √(0.525 · 0.475 · (1/100 + 1/100)) = 0.070622,
    # z = 0.05 / 0.070622 = 0.70799, two-sided p = 2 · (1 − Φ(0.70799)) = 0.47895
    found = stats.change("csat_pct", _rate_row("csat_pct", 55, 100), _rate_row("csat_pct", 50, 100))
    assert found.delta == pytest.approx(0.05)
    assert found.p_value == pytest.approx(0.47895, abs=1e-4)
    assert found.clear is False


def test_a_rate_change_beyond_noise_is_clear():
    # 600/1000 against 500/1000: pooled 0.55, se = √(0.55 · 0.45 · 0.002) = 0.022249, z = 4.4947,
    # p = 6.97e-6
    found = stats.change("csat_pct", _rate_row("csat_pct", 600, 1000), _rate_row("csat_pct", 500, 1000))
    assert found.p_value == pytest.approx(6.97e-6, rel=0.01)
    assert found.clear is True


def test_a_mean_change_is_welchs_test():
    # means 85 and 80, sd 10 and 12, n 20 and 25: se = √(100/20 + 144/25) = √10.76 = 3.28024,
    # t = 1.52428; Welch's df = 10.76² / ((5²)/19 + (5.76²)/24) = 115.7776 / (1.315789 + 1.3824)
    # = 42.909; two-sided p from t(42.909) = 0.1348
    now = {"qa_score": 85.0, "qa_score__n": 20, "qa_score__sd": 10.0}
    before = {"qa_score": 80.0, "qa_score__n": 25, "qa_score__sd": 12.0}
    found = stats.change("qa_score", now, before)
    assert found.p_value == pytest.approx(0.1348, abs=5e-4)
    assert found.clear is False


def test_counts_and_missing_values_have_no_test():
    assert stats.change("offered", {"offered": 10.0}, {"offered": 12.0}).p_value is None
    assert stats.change("csat_pct", {"csat_pct": None}, _rate_row("csat_pct", 1, 2)) is None
    # one audit a side: no spread to test with
    one = {"qa_score": 90.0, "qa_score__n": 1, "qa_score__sd": math.nan}
    assert stats.change("qa_score", one, one).p_value is None


def test_wilson_keeps_inside_zero_and_one_and_t_needs_two_cases():
    low, high = stats.wilson([0, 5], [5, 5])
    # Wilson for 0/5: high = z² / (n + z²) = 3.8415 / 8.8415 = 0.43449; 5/5 mirrors it
    assert low[0] == pytest.approx(0) and high[0] == pytest.approx(0.43449, abs=1e-5)
    assert low[1] == pytest.approx(1 - 0.43449, abs=1e-5) and high[1] == pytest.approx(1)
    low, high = stats.t_interval([90.0, 90.0], [math.nan, 4.0], [1, 4])
    assert math.isnan(low[0])
    # 90 ± t(0.975, 3) · 4/2 = 90 ± 3.18245 · 2
    assert (low[1], high[1]) == (pytest.approx(90 - 6.3649, abs=1e-3), pytest.approx(90 + 6.3649, abs=1e-3))


def test_every_rate_of_the_catalog_has_a_wilson_interval_and_the_listed_means_a_t_interval():
    rates = [m for m, metric in CATALOG.items() if metric.unit == "rate"]
    assert all(CATALOG[m].sample and CATALOG[m].sample.kind == "wilson" for m in rates)
    for mean in ("asa", "aht", "csat_avg", "qa_score", "appraisal_score"):
        assert CATALOG[mean].sample.kind == "t", mean
