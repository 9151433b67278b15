"""Every round of a complaint is kept: the workflow steps and imports write rounds, the ticket's
columns stay their summary, the migration reconstructs rounds for an old warehouse, and the
metrics read first-time acceptance and rounds to acceptance from them. Expected values are worked
out by hand beside each case, or computed with pandas from raw rows."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import run_cli, sign_in_as

from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.policy import load_policy
from csdata.records import entry
from csdata.store import warehouse
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem

APRIL = Filters(dt.date(2026, 4, 1), dt.date(2026, 4, 30))
DAY = dt.datetime(2026, 4, 10, 9)


def h(hours: float) -> dt.datetime:
    return DAY + dt.timedelta(hours=hours)


def _complaint(wh, ticket_id: str) -> None:
    """A routed complaint of the tiny warehouse's Acme agent A1, opened at DAY."""
    values = {"ticket_id": ticket_id, "client": "Acme", "channel": "phone", "type": "complaint",
              "agent_id": "A1", "opened_at": DAY, "first_response_at": DAY + dt.timedelta(seconds=5)}  # fmt: skip
    assert entry.save_ticket(wh, "sup", compiler.EVERYTHING, values).imported == 1
    entry.route(wh, "sup", ticket_id, "billing", h(0.5))


def _rounds(wh, ticket_id: str) -> list[tuple]:
    return wh.rows(
        "SELECT round, feedback_at, answer, answered_at, recorded_by FROM complaint_rounds "
        "WHERE ticket_id = ? ORDER BY round",
        [ticket_id],
    )


def _summary(wh, ticket_id: str) -> tuple:
    return wh.rows(
        "SELECT feedback_at, customer_accepted, reopened FROM tickets WHERE ticket_id = ?", [ticket_id]
    )[0]


@pytest.fixture
def four(tiny):
    """Four complaints in April through the workflow: accepted first time (C1); reopened, then
    accepted (C2); reopened twice, then accepted (C3); reopened and still open (C4)."""
    for tid in ("C1", "C2", "C3", "C4"):
        _complaint(tiny, tid)
    entry.feedback(tiny, "sup", "C1", h(2))
    entry.accept(tiny, "sup", "C1", at=h(3))
    entry.feedback(tiny, "sup", "C2", h(2))
    entry.reopen(tiny, "sup", "C2", at=h(3))
    entry.feedback(tiny, "lead", "C2", h(5))
    entry.accept(tiny, "sup", "C2", at=h(6))
    entry.feedback(tiny, "sup", "C3", h(2))
    entry.reopen(tiny, "sup", "C3", at=h(3))
    entry.feedback(tiny, "sup", "C3", h(5))
    entry.reopen(tiny, "sup", "C3", at=h(6))
    entry.feedback(tiny, "sup", "C3", h(8))
    entry.accept(tiny, "sup", "C3", at=h(9))
    entry.feedback(tiny, "sup", "C4", h(2))
    entry.reopen(tiny, "sup", "C4", at=h(3))
    return tiny


def test_metrics_of_four_complaints_by_hand(four):
    values = compiler.metric_values(
        four,
        [
            "complaints",
            "complaint_acceptance_rate",
            "complaint_first_accept_rate",
            "complaint_rounds_to_accept",
        ],
        APRIL,
    )
    assert values["complaints"] == 4
    assert values["complaint_acceptance_rate"] == pytest.approx(3 / 4)  # C1 C2 C3
    assert values["complaint_first_accept_rate"] == pytest.approx(1 / 4)  # C1 only
    assert values["complaint_rounds_to_accept"] == pytest.approx((1 + 2 + 3) / 3)
    # Split by channel, hour and team the figures stay whole (all four are Acme phone, hour 9, Acme-1).
    for by in ("channel", "hour", "team"):
        table = compiler.metric_table(
            four, ["complaint_first_accept_rate", "complaint_rounds_to_accept"], APRIL, by
        )
        assert len(table) == 1
        assert table["complaint_first_accept_rate"].iloc[0] == pytest.approx(0.25), by
        assert table["complaint_rounds_to_accept"].iloc[0] == pytest.approx(2.0), by
    # The funnel counts complaints reopened (C2 C3 C4) and reopens (C2 once, C3 twice, C4 once).
    sql, params = compiler.listing_sql("complaint_path", APRIL, compiler.EVERYTHING, load_policy(four)[1])
    path = four.df(sql, params)
    assert path["tickets"].sum() == 4
    assert path["reopened"].sum() == 3
    assert path["reopens"].sum() == 4
    assert path.loc[path["stage"] == "accepted", "tickets"].sum() == 3


def test_the_workflow_keeps_every_round_and_the_summary(four):
    assert _rounds(four, "C3") == [
        (1, h(2), "reopened", h(3), "sup"),
        (2, h(5), "reopened", h(6), "sup"),
        (3, h(8), "accepted", h(9), "sup"),
    ]
    assert _rounds(four, "C2")[1][4] == "lead"  # who recorded that round's feedback
    assert _summary(four, "C1") == (h(2), True, False)
    assert _summary(four, "C2") == (h(5), True, True)
    assert _summary(four, "C3") == (h(8), True, True)
    assert _summary(four, "C4") == (h(2), False, True)
    # Each step's audit-log row names its round.
    detail = [
        json.loads(d)
        for d in four.column(
            "SELECT detail FROM audit_log WHERE entity = 'C3' AND action LIKE 'ticket.%' ORDER BY id"
        )
    ]
    assert [d.get("round") for d in detail[1:]] == [1, 1, 2, 2, 3, 3]  # after the routing step
    # The follow-up listing of one complaint's rounds.
    shown = lookups.ticket_rounds(four, "C4")
    assert list(shown["round"]) == [1] and list(shown["answer"]) == ["reopened"]


def test_steps_no_longer_valid_are_refused_and_write_nothing(four):
    def refused(step, *args, **kwargs) -> str:
        before = four.scalar("SELECT count(*) FROM audit_log")
        rounds = four.rows("SELECT * FROM complaint_rounds ORDER BY ticket_id, round")
        with pytest.raises(Problem) as exc:
            step(four, "sup", *args, **kwargs)
        assert four.scalar("SELECT count(*) FROM audit_log") == before
        assert four.rows("SELECT * FROM complaint_rounds ORDER BY ticket_id, round") == rounds
        return exc.value.key

    assert refused(entry.feedback, "C1", h(20)) == "wf_closed"
    assert refused(entry.reopen, "C1") == "wf_already_answered"
    assert refused(entry.accept, "C4") == "wf_already_answered"  # reopened: feed back again first
    assert refused(entry.feedback, "C4", h(1.5)) == "wf_time_before"  # before the last feedback
    entry.feedback(four, "sup", "C4", h(30))
    assert refused(entry.feedback, "C4", h(31)) == "wf_awaiting_answer"
    assert refused(entry.accept, "C4", at=h(29)) == "wf_time_before"  # before its feedback
    entry.accept(four, "sup", "C4")  # now, by default
    last = _rounds(four, "C4")[-1]
    assert last[:3] == (2, h(30), "accepted") and last[3] >= dt.datetime.now() - dt.timedelta(minutes=5)
    assert _summary(four, "C4") == (h(30), True, True)


def test_two_feedbacks_at_once_make_one_round(tiny):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    _complaint(tiny, "C9")
    start = threading.Barrier(8)

    def feed(i: int):
        start.wait()
        try:
            return entry.feedback(tiny, f"sup{i}", "C9", h(2 + i / 60)) or "done"
        except Problem as exc:
            return exc.key

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(feed, range(8)))
    assert outcomes.count("done") == 1 and set(outcomes) == {"done", "wf_awaiting_answer"}
    assert [r[0] for r in _rounds(tiny, "C9")] == [1]
    assert (
        tiny.scalar("SELECT count(*) FROM audit_log WHERE entity = 'C9' AND action = 'ticket.feedback'") == 1
    )


def _import_rows() -> bytes:
    header = (
        "ticket_id,client,channel,type,agent_id,department,opened_at,feedback_at,customer_accepted,reopened"
    )
    rows = [
        "I1,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-12 15:00:00,Y,N",  # round 1 accepted
        "I2,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-13 15:00:00,Y,Y",  # reopened, then accepted
        "I3,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-13 16:00:00,,Y",  # reopened, then awaiting
        "I4,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-12 17:00:00,N,",  # not accepted = reopened
        "I5,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-12 18:00:00,N,Y",  # reopened, open
        "I6,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,2026-04-12 19:00:00,,",  # awaiting the answer
        "I7,Acme,phone,complaint,A1,billing,2026-04-12 09:00:00,,,",  # not fed back: no round
        "I8,Acme,phone,consultation,A1,,2026-04-12 09:00:00,,,",
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


T = dt.datetime.fromisoformat

# (ticket, round, fed back at, answer) as the rows above imply them
IMPLIED = [
    ("I1", 1, T("2026-04-12 15:00"), "accepted"),
    ("I2", 1, None, "reopened"),
    ("I2", 2, T("2026-04-13 15:00"), "accepted"),
    ("I3", 1, None, "reopened"),
    ("I3", 2, T("2026-04-13 16:00"), None),
    ("I4", 1, T("2026-04-12 17:00"), "reopened"),
    ("I5", 1, T("2026-04-12 18:00"), "reopened"),
    ("I6", 1, T("2026-04-12 19:00"), None),
]


def _implied(wh) -> list[tuple]:
    return wh.rows(
        "SELECT ticket_id, round, feedback_at, answer FROM complaint_rounds "
        "WHERE starts_with(ticket_id, 'I') ORDER BY ticket_id, round"
    )


def test_an_import_creates_the_rounds_its_rows_imply(tiny):
    report = ingest.import_file(tiny, "tickets", _import_rows(), "rounds.csv", "clerk")
    assert report.imported == 8 and not report.rejects
    assert _implied(tiny) == IMPLIED
    assert set(
        tiny.column("SELECT DISTINCT recorded_by FROM complaint_rounds WHERE starts_with(ticket_id, 'I')")
    ) == {"clerk"}
    # The summaries are kept; the row that was not accepted yet not marked reopened now is.
    assert _summary(tiny, "I2") == (T("2026-04-13 15:00"), True, True)
    assert _summary(tiny, "I4") == (T("2026-04-12 17:00"), False, True)
    # Importing the file again adds no ticket and no round.
    again = ingest.import_file(tiny, "tickets", _import_rows(), "rounds.csv", "clerk")
    assert again.imported == 0 and again.duplicates == 8
    assert _implied(tiny) == IMPLIED
    # The workflow goes on from the imported rounds.
    entry.accept(tiny, "sup", "I3", at=T("2026-04-14 09:00"))
    entry.feedback(tiny, "sup", "I4", T("2026-04-14 10:00"))
    assert _rounds(tiny, "I3")[-1][:3] == (2, T("2026-04-13 16:00"), "accepted")
    assert [r[0] for r in _rounds(tiny, "I4")] == [1, 2]
    # In April: fed back I1..I6; accepted I1 I2 I3; first feedback accepted I1; rounds 1, 2, 2.
    values = compiler.metric_values(
        tiny,
        ["complaint_acceptance_rate", "complaint_first_accept_rate", "complaint_rounds_to_accept"],
        APRIL,
    )
    assert values == pytest.approx(
        {
            "complaint_acceptance_rate": 3 / 6,
            "complaint_first_accept_rate": 1 / 6,
            "complaint_rounds_to_accept": 5 / 3,
        }
    )


def test_the_migration_backfills_an_old_warehouse(tmp_path, monkeypatch):
    every = warehouse._migrations()
    assert any(v == 3 and name == "003_complaint_rounds.sql" for v, name, _ in every)
    # A warehouse migrated before rounds were kept (whatever other migrations it already has, but
    # the rollups: they sum the rounds, so no warehouse had them without rounds).
    older = [m for m in every if m[0] != 3 and m[0] < warehouse.ROLLUPS_FROM]
    monkeypatch.setattr(warehouse, "_migrations", lambda: older)
    path = tmp_path / "old.duckdb"
    old = Warehouse(path, create=True)
    assert not old.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'complaint_rounds'"
    )
    frame = pd.read_csv(io.BytesIO(_import_rows()), dtype=str, keep_default_na=False)
    flags = {"Y": True, "N": False, "": None}
    for col in ("customer_accepted", "reopened"):
        frame[col] = frame[col].map(flags).astype(object)
    for col in ("opened_at", "feedback_at"):
        frame[col] = pd.to_datetime(frame[col].replace("", None))
    with old.transaction("test", "fixture") as w:
        w.insert_df("tickets", frame)
    old.close()

    monkeypatch.setattr(warehouse, "_migrations", lambda: every)
    wh = Warehouse(path)  # opening migrates
    assert 3 in wh.column("SELECT version FROM schema_migrations")
    assert _implied(wh) == IMPLIED  # the same reading as an import's
    assert wh.scalar("SELECT count(*) FROM complaint_rounds WHERE recorded_by IS NOT NULL") == 0
    assert _summary(wh, "I4") == (T("2026-04-12 17:00"), False, True)
    assert _summary(wh, "I1") == (T("2026-04-12 15:00"), True, False)
    assert Warehouse.migrate(wh) == []  # applied once
    wh.close()


# -- the demo ------------------------------------------------------------------------------------


def _flags(col: pd.Series) -> pd.Series:
    return col.map({"true": True, "false": False, "": None})


def test_the_demo_has_complaints_accepted_after_a_reopen(sample_db: Path, tmp_path):
    out = run_cli("kpi", "--db", str(sample_db), "--json")
    assert out.returncode == 0, out.stderr
    kpi = json.loads(out.stdout)
    path = tmp_path / "tickets.csv"
    done = run_cli("export", "tickets", "--db", str(sample_db), "--out", str(path))
    assert done.returncode == 0, done.stderr
    t = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        rounds = con.execute("SELECT ticket_id, round, feedback_at, answer FROM complaint_rounds").df()
    finally:
        con.close()

    t["accepted"], t["reopened"] = (
        _flags(t["customer_accepted"].str.lower()),
        _flags(t["reopened"].str.lower()),
    )
    fed = t[(t["type"] == "complaint") & (t["feedback_at"] != "")]
    accepted = fed["accepted"] == True  # noqa: E712
    assert kpi["complaint_acceptance_rate"] == pytest.approx(accepted.sum() / len(fed), rel=1e-12)
    # Accepted after a reopen: the demo has them, so first-time acceptance is below acceptance.
    later = fed[accepted & (fed["reopened"] == True)]  # noqa: E712
    assert len(later) > 0
    assert kpi["complaint_first_accept_rate"] < kpi["complaint_acceptance_rate"]

    # From the rounds: every complaint fed back has them, round 1's answer and the accepting round.
    assert set(rounds["ticket_id"]) == set(fed["ticket_id"])
    first = rounds[rounds["round"] == 1].set_index("ticket_id")["answer"]
    assert kpi["complaint_first_accept_rate"] == pytest.approx(
        (first == "accepted").sum() / len(fed), rel=1e-12
    )
    accepting = rounds[rounds["answer"] == "accepted"].groupby("ticket_id")["round"].min()
    assert len(accepting) == accepted.sum()
    assert kpi["complaint_rounds_to_accept"] == pytest.approx(accepting.mean(), rel=1e-12)
    assert 1 < kpi["complaint_rounds_to_accept"] <= 3
    assert rounds["round"].max() == 3

    # The tickets' columns are the rounds' summary: latest feedback, its answer, any reopened.
    ordered = rounds.sort_values(["ticket_id", "round"])
    last = ordered.groupby("ticket_id").tail(1).set_index("ticket_id")
    summary = fed.set_index("ticket_id").loc[last.index]
    assert (pd.to_datetime(summary["feedback_at"]) == last["feedback_at"]).all()
    expected = last["answer"].map({"accepted": True, "reopened": False})
    assert (summary["accepted"].fillna("awaiting") == expected.astype(object).fillna("awaiting")).all()
    any_reopened = ordered.assign(r=ordered["answer"] == "reopened").groupby("ticket_id")["r"].any()
    assert (summary["reopened"] == any_reopened.loc[last.index]).all()


# -- the follow-up page --------------------------------------------------------------------------


@pytest.fixture
def app_wh(sample_db, tmp_path_factory, monkeypatch):
    """The app's own cached warehouse over a copy of the demo (the page opens the same one)."""
    from conftest import point_app_at, private_copy

    from csdata.ui.core import _open

    db = private_copy(sample_db, tmp_path_factory, "rounds_page")
    point_app_at(monkeypatch, db)
    return _open(str(db))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_follow_up_shows_a_complaints_rounds(app_wh, lang):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    from csdata.access.auth import load_user
    from csdata.text.i18n import t

    teams = list(load_user(app_wh, "supervisor").scope.teams)
    ticket = app_wh.scalar(
        "SELECT t.ticket_id FROM tickets t JOIN employees e ON e.employee_id = t.agent_id "
        "WHERE t.type = 'complaint' AND t.customer_accepted = FALSE AND list_contains(?, e.team) "
        "AND (SELECT count(*) FROM complaint_rounds r WHERE r.ticket_id = t.ticket_id) >= 2 "
        "ORDER BY t.ticket_id LIMIT 1",
        [teams],
    )
    assert ticket is not None, "the demo has a reopened complaint after a second feedback"
    rounds = lookups.ticket_rounds(app_wh, ticket)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    sign_in_as(at, "supervisor")
    at.run()
    at.switch_page("views/tickets.py").run()
    at.selectbox(key="fu_ticket").set_value(ticket).run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("fu_rounds", lang) in [c.value for c in at.caption]
    table = at.dataframe[-1].value
    labels = [t(k, lang) for k in ("f_round", "f_feedback_at", "f_answer", "f_answered_at")]
    assert list(table.columns) == labels
    assert list(table[labels[0]]) == list(rounds["round"]) == list(range(1, len(rounds) + 1))
    assert list(table[labels[2]]) == [t("answer_reopened", lang)] * len(rounds)  # every round refused
