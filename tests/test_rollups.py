"""The rollups: every metric read from them equals the same metric from the facts (a property
test over random periods, filters, groupings and scopes), every kind of write keeps them current
in its own transaction, and `csdata rollups check|rebuild` tell and mend a difference."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import compiler, compliance, rollup_forms
from csdata.analytics.compiler import DETAIL, Filters
from csdata.analytics.metrics import CATALOG
from csdata.imports.ingest import import_file
from csdata.policy import load_policy
from csdata.records import corrections, entry
from csdata.store import rollups
from csdata.store import warehouse as warehouse_module
from csdata.store.warehouse import Warehouse

GROUPINGS = [
    None,
    "day",
    "week",
    "month",
    "weekday",
    "client",
    "channel",
    "team",
    "agent",
    "department",
    "hour",
    ("week", "channel"),
    ("client", "team"),
    ("month", "agent"),
]
TICKET_METRICS = [m for m, v in CATALOG.items() if v.sources <= {"tickets", "rounds"}]


@pytest.fixture(scope="module")
def sample(module_db):
    wh = Warehouse(module_db, read_only=True)
    dims = {
        "clients": wh.column("SELECT DISTINCT client FROM tickets ORDER BY 1"),
        "teams": wh.column("SELECT DISTINCT team FROM tickets WHERE team IS NOT NULL ORDER BY 1"),
        "agents": wh.column(
            "SELECT DISTINCT agent_id FROM tickets WHERE agent_id IS NOT NULL ORDER BY 1 LIMIT 40"
        ),
        "span": wh.rows("SELECT min(CAST(opened_at AS DATE)), max(CAST(opened_at AS DATE)) FROM tickets")[0],
    }
    yield wh, dims
    wh.close()


def _same(rolled: pd.DataFrame, facts: pd.DataFrame) -> None:
    """Equal frames: keys exactly, sums to 1e-9, spreads to 1e-6, quantiles within their bound."""
    assert list(rolled.columns) == list(facts.columns)
    assert len(rolled) == len(facts)
    for col in facts.columns:
        a, b = rolled[col], facts[col]
        if col.startswith("key"):
            assert a.astype(str).tolist() == b.astype(str).tolist(), col
            continue
        a = pd.to_numeric(a).astype(float).to_numpy()
        b = pd.to_numeric(b).astype(float).to_numpy()
        metric = col.split(DETAIL)[0]
        bound = np.array(
            [rollup_forms.error_bound(metric, v) if col == metric else 0.0 for v in np.nan_to_num(b)]
        )
        tol = np.maximum(bound, 1e-6 * np.abs(b)) + 1e-9
        both_missing = np.isnan(a) & np.isnan(b)
        close = np.abs(a - b) <= tol
        assert (both_missing | close).all(), (
            f"{col}: rollups {a[~(both_missing | close)][:3]} facts {b[~(both_missing | close)][:3]}"
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_metric_from_rollups_equals_the_facts(sample, data):
    wh, dims = sample
    first, last = dims["span"]
    days = (last - first).days
    start = first + dt.timedelta(days=data.draw(st.integers(0, days), label="start"))
    end = min(last, start + dt.timedelta(days=data.draw(st.integers(0, 400), label="length")))

    def pick(name, values):
        return tuple(data.draw(st.lists(st.sampled_from(values), max_size=2, unique=True), label=name))

    filters = Filters(
        start,
        end,
        clients=pick("clients", dims["clients"]),
        channels=pick("channels", ["phone", "chat", "email"]),
        teams=pick("teams", dims["teams"]) if data.draw(st.booleans(), label="by team") else (),
        agents=pick("agents", dims["agents"]) if data.draw(st.integers(0, 4), label="agents") == 0 else (),
    )
    by = data.draw(st.sampled_from(GROUPINGS), label="by")
    scope = data.draw(
        st.sampled_from(
            [EVERYTHING, Scope(clients=tuple(dims["clients"][:2])), Scope(teams=tuple(dims["teams"][:3]))]
        ),
        label="scope",
    )
    metrics = data.draw(
        st.lists(st.sampled_from(list(CATALOG)), min_size=1, max_size=12, unique=True), label="metrics"
    )
    policy = load_policy(wh, end)[1]
    try:
        rolled = compiler.metric_table(wh, metrics, filters, by, scope, policy, detail=True)
    except PermissionError:
        return
    facts = compiler.metric_table(wh, metrics, filters, by, scope, policy, detail=True, rollups=False)
    _same(rolled, facts)


def test_the_cards_of_a_whole_year_come_from_the_rollups(sample):
    """Not vacuous: a year's ticket metrics read the rollup tables, and agree with the facts."""
    wh, dims = sample
    first, last = dims["span"]
    filters = Filters(max(first, last - dt.timedelta(days=364)), last)
    policy = load_policy(wh, last)[1]
    sql, _ = compiler.build_sql(TICKET_METRICS, filters, ("week", "channel"), EVERYTHING, policy, detail=True)
    assert "rollup_tickets" in sql and "rollup_histograms" in sql and "rollup_rounds" in sql
    assert " FROM tickets t" not in sql
    _same(
        compiler.metric_table(wh, TICKET_METRICS, filters, ("week", "channel"), policy=policy, detail=True),
        compiler.metric_table(
            wh, TICKET_METRICS, filters, ("week", "channel"), policy=policy, detail=True, rollups=False
        ),
    )


def test_the_heatmap_of_a_year_comes_from_the_hourly_rollup(sample):
    """The service page's weekday × hour counts read `rollup_hours` (a measure not kept per hour
    still comes from the tickets), and agree with pandas over the raw tickets."""
    wh, dims = sample
    first, last = dims["span"]
    filters = Filters(max(first, last - dt.timedelta(days=364)), last, channels=("chat",))
    policy = load_policy(wh, last)[1]
    sql, _ = compiler.build_sql(["offered"], filters, ("weekday", "hour"), EVERYTHING, policy)
    assert "rollup_hours" in sql and " FROM tickets t" not in sql
    mixed, _ = compiler.build_sql(["offered", "asa"], filters, "hour", EVERYTHING, policy)
    assert "rollup_hours" in mixed and " FROM tickets t" in mixed
    got = compiler.metric_table(wh, ["offered"], filters, ("weekday", "hour"), policy=policy)
    raw = wh.df(
        "SELECT opened_at FROM tickets WHERE channel = 'chat' AND CAST(opened_at AS DATE) BETWEEN ? AND ?",
        [filters.start, filters.end],
    )
    expected = raw.groupby([raw["opened_at"].dt.day_of_week + 1, raw["opened_at"].dt.hour]).size()
    assert len(got) == len(expected) > 24
    assert {
        (int(a), int(b)): int(n) for a, b, n in got[["key", "key2", "offered"]].itertuples(index=False)
    } == {(int(a), int(b)): int(n) for (a, b), n in expected.items()}


def test_a_threshold_off_the_ladder_is_read_from_the_facts(sample):
    wh, dims = sample
    first, last = dims["span"]
    policy = load_policy(wh, last)[1]
    odd = policy.model_copy(update={"sla_seconds": {**policy.sla_seconds, "phone": 17}})
    filters = Filters(first, last)
    sql, _ = compiler.build_sql(["service_level", "offered"], filters, None, EVERYTHING, odd)
    assert "rollup_tickets" in sql and " FROM tickets t" in sql  # offered still from the rollup
    rolled = compiler.metric_values(wh, ["service_level"], filters, policy=odd)
    # by hand, over the raw tickets: each within its threshold, 17 s on the phone but for a contract's own
    raw = wh.df("SELECT client, channel, epoch(first_response_at - opened_at) AS wait FROM tickets")
    assert any(odd.sla(c, "phone") == 17 for c in dims["clients"])
    limit = raw.apply(lambda r: odd.sla(r.client, r.channel), axis=1)
    assert rolled["service_level"] == pytest.approx((raw["wait"] <= limit).sum() / len(raw), rel=1e-12)


def test_quantiles_from_the_histograms_are_within_their_bound(tiny):
    """Waits from a tenth of a second to four days, against numpy's own percentiles."""
    rng = np.random.default_rng(7)
    waits = np.concatenate([rng.uniform(0.1, 100, 300), rng.lognormal(8, 2, 700).clip(max=4 * 86400)])
    opened = pd.Timestamp("2026-05-04 08:00")
    frame = pd.DataFrame(
        {
            "ticket_id": [f"Q{i}" for i in range(len(waits))],
            "client": "Acme",
            "channel": "email",
            "type": "consultation",
            "opened_at": opened,
            "first_response_at": [opened + pd.Timedelta(seconds=float(w)) for w in waits],
            "handle_seconds": waits,
        }
    )
    with tiny.transaction("test", "fixture") as w:
        w.insert_df("tickets", frame)
    day = Filters(dt.date(2026, 5, 4), dt.date(2026, 5, 4))
    got = compiler.metric_values(tiny, ["wait_median", "wait_p90", "handle_median", "handle_p90"], day)
    exact = pd.Series(frame["first_response_at"] - frame["opened_at"]).dt.total_seconds()
    for metric, q in (("wait_median", 0.5), ("wait_p90", 0.9)):
        want = float(np.quantile(exact, q))
        assert abs(got[metric] - want) <= max(1.0, 0.01 * want), metric
    for metric, q in (("handle_median", 0.5), ("handle_p90", 0.9)):
        want = float(np.quantile(waits, q))
        assert abs(got[metric] - want) <= max(1.0, 0.01 * want), metric


def test_whole_seconds_up_to_100_are_exact():
    """A bin of the first hundred units is one unit wide and counted at its upper bound."""
    import duckdb

    bins = duckdb.sql(f"SELECT {rollup_forms.bin_sql('v', 1.0)} FROM range(0, 101) t(v)").fetchall()
    assert [b[0] for b in bins] == list(range(0, 101))
    wide = duckdb.sql(
        f"SELECT v, {rollup_forms.bin_sql('v', 1.0)} FROM (SELECT unnest([150.5, 999.0, 123456.7, 3e6]) v)"
    ).fetchall()
    assert all(abs(b - v) <= 0.01 * v for v, b in wide)


# -- writes -----------------------------------------------------------------------------------


@pytest.fixture
def refreshed(monkeypatch):
    """The days each transaction refreshed (None: all of them)."""
    calls: list = []
    real = rollups.refresh

    def spy(cur, days=None):
        calls.append(None if days is None else set(days))
        return real(cur, days)

    monkeypatch.setattr(warehouse_module.rollups, "refresh", spy)
    return calls


def _current(wh) -> None:
    assert rollups.check(wh) == dict.fromkeys(rollups.sizes(wh), 0)


def test_every_kind_of_write_keeps_the_rollups_of_its_days(tiny, refreshed):
    march_20 = dt.datetime(2026, 3, 20, 9)
    values = {"ticket_id": "W1", "client": "Acme", "channel": "chat", "type": "complaint", "agent_id": "A1",
              "opened_at": march_20, "first_response_at": march_20 + dt.timedelta(seconds=30), "csat": 2}  # fmt: skip
    assert entry.save_ticket(tiny, "sup", EVERYTHING, values).imported == 1
    assert refreshed[-1] == {dt.date(2026, 3, 20)}
    _current(tiny)
    entry.route(tiny, "sup", "W1", "customer_service", march_20 + dt.timedelta(hours=1))
    entry.feedback(tiny, "sup", "W1", march_20 + dt.timedelta(hours=5))
    entry.accept(tiny, "sup", "W1")
    assert refreshed[-3:] == [{dt.date(2026, 3, 20)}] * 3
    _current(tiny)
    before = compiler.metric_values(
        tiny, ["complaints", "complaint_acceptance_rate"], Filters(dt.date(2026, 3, 20), dt.date(2026, 3, 20))
    )
    assert before == {"complaints": 1, "complaint_acceptance_rate": 1.0}

    # a correction that moves the ticket to another day refreshes both days
    corrections.correct(
        tiny, "sup", "tickets", "W1", {"opened_at": dt.datetime(2026, 3, 19, 9)}, "typo in the day"
    )
    assert refreshed[-1] == {dt.date(2026, 3, 19), dt.date(2026, 3, 20)}
    _current(tiny)
    corrections.undo_step(tiny, "sup", "W1", "accepted by mistake")
    _current(tiny)
    corrections.void(tiny, "sup", "tickets", "W1", "entered twice")
    assert refreshed[-1] == {dt.date(2026, 3, 19)}
    _current(tiny)

    # an import, then the same file corrected with --update
    csv = "ticket_id,client,channel,type,agent_id,opened_at,first_response_at\nI1,Acme,phone,consultation,A1,2026-03-03 10:00:00,2026-03-03 10:00:09\n"
    assert import_file(tiny, "tickets", csv.encode(), "one.csv", "tester").imported == 1
    assert refreshed[-1] == {dt.date(2026, 3, 3)}
    moved = csv.replace("2026-03-03", "2026-03-04")
    assert (
        import_file(
            tiny, "tickets", moved.encode(), "one.csv", "tester", update=True, reason="late file"
        ).updated
        == 1
    )
    assert refreshed[-1] == {dt.date(2026, 3, 3), dt.date(2026, 3, 4)}
    _current(tiny)
    assert None not in refreshed  # every write named its days: none recomputed the whole history


def test_the_compliance_queue_reads_the_follow_ups_as_of_any_day(tiny):
    """A complaint with a promised callback, followed through: the queue as of each day, worked by
    hand from the policy's grace days (7) and the times recorded."""
    opened = dt.datetime(2026, 3, 20, 9)
    values = {"ticket_id": "F1", "client": "Acme", "channel": "chat", "type": "complaint", "agent_id": "A1",
              "opened_at": opened, "first_response_at": opened + dt.timedelta(seconds=30),
              "callback_promised_at": opened + dt.timedelta(days=2)}  # fmt: skip
    assert entry.save_ticket(tiny, "sup", EVERYTHING, values).imported == 1

    def queue(rule: str, day: dt.date) -> list[dt.date]:
        found = compliance.breaches(tiny, as_of=day, rules=(rule,))
        return list(found.loc[found["subject_id"] == "F1", "since"])

    assert queue("complaint_unaccepted", dt.date(2026, 3, 26)) == []
    assert queue("complaint_unaccepted", dt.date(2026, 3, 27)) == [dt.date(2026, 3, 27)]
    assert queue("callback_overdue", dt.date(2026, 3, 21)) == []
    assert queue("callback_overdue", dt.date(2026, 3, 22)) == [dt.date(2026, 3, 22)]
    entry.route(tiny, "sup", "F1", "customer_service", opened + dt.timedelta(hours=1))
    entry.feedback(tiny, "sup", "F1", opened + dt.timedelta(days=3))
    entry.accept(tiny, "sup", "F1", at=dt.datetime(2026, 3, 30, 10))
    entry.callback_done(tiny, "sup", "F1", dt.datetime(2026, 3, 25, 16))
    _current(tiny)
    assert queue("complaint_unaccepted", dt.date(2026, 3, 29)) == [dt.date(2026, 3, 27)]  # accepted later
    assert queue("complaint_unaccepted", dt.date(2026, 3, 30)) == []
    assert queue("callback_overdue", dt.date(2026, 3, 24)) == [dt.date(2026, 3, 22)]
    assert queue("callback_overdue", dt.date(2026, 3, 25)) == []


def test_an_unnamed_write_recomputes_everything_and_a_failed_one_nothing(tiny, refreshed):
    with tiny.transaction("test", "fixture") as w:
        w.execute("UPDATE tickets SET csat = 1 WHERE ticket_id = 'T1'")
    assert refreshed[-1] is None
    _current(tiny)
    with pytest.raises(RuntimeError), tiny.transaction("test", "fixture") as w:
        w.execute("UPDATE tickets SET csat = 5 WHERE ticket_id = 'T1'")
        raise RuntimeError("stop")
    _current(tiny)
    assert tiny.scalar("SELECT csat FROM tickets WHERE ticket_id = 'T1'") == 1


# -- operators ----------------------------------------------------------------------------------


def test_check_tells_a_difference_and_rebuild_mends_it(tmp_path, tiny):
    path = tiny.address
    column = tiny.column(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'rollup_tickets'"
        " AND starts_with(column_name, 'p_')"
    )[0]
    tiny.cursor().execute(f"UPDATE rollup_tickets SET {column} = {column} + 7 WHERE day = DATE '2026-03-02'")
    tiny.close()
    broken = run_cli("rollups", "check", "--json", "--db", str(path))
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["ok"] is False and report["tables"]["rollup_tickets"]["differences"] >= 1
    assert report["tables"]["rollup_rounds"]["differences"] == 0
    assert report["tables"]["rollup_followups"]["differences"] == 0
    mended = run_cli("rollups", "rebuild", "--db", str(path))
    assert mended.returncode == 0, mended.stderr
    again = run_cli("rollups", "check", "--db", str(path))
    assert again.returncode == 0 and "rollup_tickets" in again.stdout
    wrong = run_cli("rollups", "mend", "--db", str(path))
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


def test_rollups_of_another_shape_are_rebuilt_on_opening(tiny):
    path = tiny.address
    with tiny.transaction("test", "fixture") as w:
        w.execute("UPDATE meta SET value = 'older' WHERE key = ?", [rollups.SIGNATURE_KEY])
        w.execute("DELETE FROM rollup_tickets")
    tiny.close()
    with pytest.raises(warehouse_module.WarehouseError):  # a reader cannot rebuild them
        Warehouse(path, read_only=True)
    again = Warehouse(path)
    _current(again)
    assert again.scalar("SELECT count(*) FROM rollup_tickets") > 0
    again.close()
