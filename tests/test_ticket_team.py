"""A ticket belongs to the queue (team) it was offered to, answered or not.

A team's offered, answer rate, abandon rate and service level count the tickets of its queue that
nobody answered; before, an unanswered ticket had no agent and so no team, and every team
answered 100 % of its tickets by construction. Expected values are worked out by hand from the
rows of conftest.py and of each test, or computed with pandas over the raw rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
import pytest
from conftest import TICKETS, run_cli

from csdata.access import auth
from csdata.analytics import compiler, exports, lookups
from csdata.analytics.compiler import Filters
from csdata.imports.ingest import import_file
from csdata.policy import load_policy
from csdata.records import entry
from csdata.records.models import TicketRow
from csdata.text.i18n import t

MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
RATES = ["offered", "answer_rate", "abandon_rate", "service_level"]


# -- the metric layer ----------------------------------------------------------------------------


def test_a_team_counts_the_tickets_of_its_queue_nobody_answered(tiny):
    # Acme-1's queue in March: T1 T2 T4 answered, T3 abandoned -> 3 of 4; within the threshold T1
    # (8 s <= Acme's 10 s) and T4 (chat 50 s <= 60 s), not T2 (15 s) -> 2 of 4.
    # Beta-1's: T5 T6 T7 answered, T8 abandoned -> 3 of 4; within it only T5 (email 3 h <= 8 h).
    expected = {
        "Acme-1": {"offered": 4, "answer_rate": 0.75, "abandon_rate": 0.25, "service_level": 2 / 4},
        "Beta-1": {"offered": 4, "answer_rate": 0.75, "abandon_rate": 0.25, "service_level": 1 / 4},
    }
    by_team = compiler.metric_table(tiny, RATES, MARCH, by="team").set_index("key")
    assert sorted(by_team.index) == ["Acme-1", "Beta-1"]
    for team, values in expected.items():
        assert by_team.loc[team, RATES].to_dict() == pytest.approx(values)
        chosen = Filters(MARCH.start, MARCH.end, teams=(team,))
        assert compiler.metric_values(tiny, RATES, chosen) == pytest.approx(values)


def test_team_figures_match_pandas_over_the_raw_rows(tiny):
    raw = pd.DataFrame(TICKETS)
    march = raw[(raw["opened_at"] >= "2026-03-01") & (raw["opened_at"] < "2026-04-01")]
    answered = march["first_response_at"].notna()
    expected = answered.groupby(march["team"]).mean()
    got = compiler.metric_table(tiny, ["answer_rate"], MARCH, by="team").set_index("key")["answer_rate"]
    assert got.to_dict() == pytest.approx(expected.to_dict())
    assert (got < 1).all()


def test_a_supervisor_of_one_team_sees_its_unanswered_tickets(tiny):
    user = auth.add_user(tiny, "test", "sup", "supervisor", "long enough password", teams=["Acme-1"])
    values = compiler.metric_values(tiny, RATES, MARCH, user.scope)
    assert values == pytest.approx(
        {"offered": 4, "answer_rate": 0.75, "abandon_rate": 0.25, "service_level": 0.5}
    )
    # and in the exports and the follow-up list alike: every ticket of the queue, T3 among them
    sql, params = exports.export_sql("tickets", load_policy(tiny)[1], user.scope)
    assert sorted(tiny.df(sql, params)["ticket_id"]) == ["T1", "T2", "T3", "T4", "T9"]


def test_agent_level_metrics_stay_by_agent(tiny):
    # Within Acme-1's queue in March, by agent: A1 answered T1 and T4, A2 answered T2, and the
    # abandoned T3 has no agent ('').
    acme = Filters(MARCH.start, MARCH.end, teams=("Acme-1",))
    frame = compiler.metric_table(tiny, ["offered", "answer_rate"], acme, by="agent").set_index("key")
    assert frame["offered"].to_dict() == {"": 1, "A1": 2, "A2": 1}
    assert frame.loc["", "answer_rate"] == 0 and frame.loc["A1", "answer_rate"] == 1


def test_a_ticket_of_no_known_queue_counts_as_unassigned(tiny):
    with tiny.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO tickets (ticket_id, client, channel, type, opened_at) "
            "VALUES ('U1', 'Acme', 'phone', 'consultation', TIMESTAMP '2026-03-09 10:00:00')"
        )
    by_team = compiler.metric_table(tiny, ["offered"], MARCH, by="team").set_index("key")["offered"]
    assert by_team.to_dict() == {"": 1, "Acme-1": 4, "Beta-1": 4}  # the rows still add up to the 9


# -- the record format and its import -----------------------------------------------------------


def _two_more_clients(wh) -> None:
    """Gamma has two teams (so no team of its own to give), Delta none."""
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name) VALUES ('Gamma'), ('Delta')")
        w.execute(
            "INSERT INTO teams VALUES ('Gamma-1', 'customer_service', 'Gamma', NULL),"
            " ('Gamma-2', 'customer_service', 'Gamma', NULL)"
        )


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [header, *rows]) + "\n").encode()


def test_team_is_a_column_of_the_ticket_format_with_a_chinese_name():
    columns = TicketRow.columns()
    assert columns.index("team") == columns.index("agent_id") + 1
    assert "队列" in TicketRow.ALIASES["team"]


def test_a_file_without_team_gets_the_agents_then_the_clients_only_team(tiny):
    _two_more_clients(tiny)
    header = ["ticket_id", "client", "channel", "type", "agent_id", "opened_at"]
    rows = [
        ["N1", "Acme", "phone", "consultation", "A1", "2026-03-10 09:00:00"],  # A1 is in Acme-1
        ["N2", "Beta", "phone", "consultation", "", "2026-03-10 09:01:00"],  # Beta's only team
        ["N3", "Gamma", "chat", "consultation", "", "2026-03-10 09:02:00"],  # two teams: none
        ["N4", "Delta", "email", "consultation", "", "2026-03-10 09:03:00"],  # no team at all
        ["N5", "Beta", "phone", "consultation", "Q1", "2026-03-10 09:04:00"],  # Q1 is in no team
    ]
    report = import_file(tiny, "tickets", _csv(header, rows), "queues.csv", "tester")
    assert (report.imported, report.rejected) == (5, 0)
    stored = dict(tiny.rows("SELECT ticket_id, team FROM tickets WHERE starts_with(ticket_id, 'N')"))
    assert stored == {"N1": "Acme-1", "N2": "Beta-1", "N3": None, "N4": None, "N5": "Beta-1"}
    # Chinese headings: 队列 names the team
    zh = _csv(
        ["工单号", "客户", "渠道", "类型", "队列", "受理时间"],
        [["Z1", "Gamma", "在线", "咨询", "Gamma-2", "2026-03-11 10:00"]],
    )
    assert import_file(tiny, "tickets", zh, "队列.csv", "tester").imported == 1
    assert tiny.scalar("SELECT team FROM tickets WHERE ticket_id = 'Z1'") == "Gamma-2"


def test_a_given_team_wins_over_the_agents(tiny):
    _two_more_clients(tiny)
    header = ["ticket_id", "client", "channel", "type", "agent_id", "team", "opened_at"]
    rows = [
        ["G1", "Gamma", "chat", "consultation", "", "Gamma-1", "2026-03-10 09:00:00"],
        ["G2", "Acme", "phone", "consultation", "A1", "", "2026-03-10 09:05:00"],  # blank: the agent's
    ]
    report = import_file(tiny, "tickets", _csv(header, rows), "given.csv", "tester")
    assert (report.imported, report.rejected) == (2, 0)
    assert dict(tiny.rows("SELECT ticket_id, team FROM tickets WHERE starts_with(ticket_id, 'G')")) == {
        "G1": "Gamma-1",
        "G2": "Acme-1",
    }


def test_an_unknown_team_is_rejected_with_a_reason_unless_created(tiny):
    header = ["ticket_id", "client", "channel", "type", "team", "opened_at"]
    rows = [["X1", "Acme", "phone", "consultation", "Nowhere", "2026-03-10 09:00:00"]]
    report = import_file(tiny, "tickets", _csv(header, rows), "x.csv", "tester")
    assert report.imported == 0
    assert [(r.row, r.column, r.value, r.reason("en")) for r in report.rejects] == [
        (2, "team", "Nowhere", t("imp_unknown_ref", "en"))
    ]
    assert tiny.scalar("SELECT count(*) FROM teams WHERE name = 'Nowhere'") == 0
    # like an unknown client or agent, made with --create-missing
    made = import_file(tiny, "tickets", _csv(header, rows), "x.csv", "tester", create_missing=True)
    assert (made.imported, made.created) == (1, {"teams": ["Nowhere"]})
    assert tiny.scalar("SELECT team FROM tickets WHERE ticket_id = 'X1'") == "Nowhere"


def test_a_team_of_another_client_is_rejected(tiny):
    header = ["ticket_id", "client", "channel", "type", "team", "opened_at"]
    rows = [["X2", "Acme", "phone", "consultation", "Beta-1", "2026-03-10 09:00:00"]]
    report = import_file(tiny, "tickets", _csv(header, rows), "x.csv", "tester")
    assert report.imported == 0
    assert [(r.column, r.key) for r in report.rejects] == [("team", "imp_team_other_client")]


def test_the_cli_reports_an_unknown_team(tiny, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(
        _csv(["ticket_id", "client", "channel", "type", "team", "opened_at"],
             [["X3", "Acme", "phone", "consultation", "Nowhere", "2026-03-10 09:00:00"]])
    )  # fmt: skip
    db = tiny.address
    tiny.close()
    result = run_cli("import", "tickets", str(path), "--db", str(db), "--json", env={"CSDATA_LANG": "en"})
    assert result.returncode == 1
    out = json.loads(result.stdout)
    assert out["rejects"] == [{"line": 2, "column": "team", "reason": t("imp_unknown_ref", "en")}]


def test_a_file_from_before_the_team_column_keeps_its_ids(tiny):
    # A ticket file without ids is keyed by an md5 of its cells in the canonical order of the
    # format as it was (no team); a file imported before must not come back as new tickets.
    header = ["client", "channel", "type", "agent_id", "opened_at"]
    row = ["Acme", "phone", "consultation", "A2", "2026-03-12 09:00:00"]
    report = import_file(tiny, "tickets", _csv(header, [row]), "no-ids.csv", "tester")
    assert report.imported == 1
    before = [c for c in TicketRow.columns() if c not in ("ticket_id", "team")]
    cells = dict(zip(header, row, strict=True))
    digest = hashlib.md5("|".join(cells.get(c, "") for c in before).encode()).hexdigest()
    assert tiny.column("SELECT ticket_id FROM tickets WHERE starts_with(ticket_id, 'H')") == [
        "H" + digest[:20]
    ]


def test_the_export_carries_the_team(tiny):
    sql, params = exports.export_sql("tickets", load_policy(tiny)[1])
    frame = tiny.df(sql, params)
    assert list(frame.columns) == TicketRow.columns()
    assert dict(zip(frame["ticket_id"], frame["team"], strict=True)) == {
        r["ticket_id"]: r["team"] for r in TICKETS
    }


# -- forms: a supervisor enters tickets of its own teams' queues ---------------------------------


def test_a_supervisor_may_name_only_its_own_teams(tiny):
    with tiny.transaction("test", "fixture") as w:
        w.execute("INSERT INTO teams VALUES ('Acme-2', 'customer_service', 'Acme', NULL)")
    scope = auth.add_user(tiny, "test", "sup", "supervisor", "long enough password", teams=["Acme-1"]).scope
    base = {
        "client": "Acme",
        "channel": "phone",
        "type": "consultation",
        "opened_at": dt.datetime(2026, 3, 20, 9),
    }

    def keys(report) -> list[tuple[str, str]]:
        return [(r.column, r.key) for r in report.rejects]

    other = entry.save_ticket(tiny, "sup", scope, {**base, "ticket_id": "F1", "team": "Acme-2"})
    assert (other.imported, keys(other)) == (0, [("team", "imp_team_out_of_scope")])
    # Acme has two teams now: without an agent or a team the queue is unknown, outside Acme-1
    unknown = entry.save_ticket(tiny, "sup", scope, {**base, "ticket_id": "F2"})
    assert (unknown.imported, keys(unknown)) == (0, [("team", "imp_team_needed")])
    mine = entry.save_ticket(tiny, "sup", scope, {**base, "ticket_id": "F3", "team": "Acme-1"})
    assert (mine.imported, mine.rejects) == (1, [])
    by_agent = entry.save_ticket(tiny, "sup", scope, {**base, "ticket_id": "F4", "agent_id": "A2"})
    assert by_agent.imported == 1
    assert dict(tiny.rows("SELECT ticket_id, team FROM tickets WHERE starts_with(ticket_id, 'F')")) == {
        "F3": "Acme-1",
        "F4": "Acme-1",
    }
    assert lookups.ticket(tiny, "F3")["team"] == "Acme-1"


# -- the migration -------------------------------------------------------------------------------


def test_the_migration_gives_an_old_warehouse_its_tickets_teams(tmp_path, monkeypatch):
    from csdata.store import warehouse
    from csdata.store.warehouse import Warehouse

    every = warehouse._migrations()
    assert [name for _, name, _ in every][:2] == ["001_schema.sql", "002_ticket_team.sql"]
    monkeypatch.setattr(warehouse, "_migrations", lambda: every[:1])
    path = tmp_path / "old.duckdb"
    old = Warehouse(path, create=True)
    assert "team" not in old.column("SELECT name FROM pragma_table_info('tickets')")
    with old.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name) VALUES ('Acme'), ('Gamma'), ('Delta')")
        w.execute("INSERT INTO departments (name) VALUES ('customer_service')")
        w.execute(
            "INSERT INTO teams VALUES ('Acme-1', 'customer_service', 'Acme', NULL),"
            " ('Gamma-1', 'customer_service', 'Gamma', NULL), ('Gamma-2', 'customer_service', 'Gamma', NULL)"
        )
        w.execute(
            "INSERT INTO employees (employee_id, name, department, team, client, position, hire_date) VALUES"
            " ('A1', 'a', 'customer_service', 'Acme-1', 'Acme', 'agent', DATE '2025-01-01'),"
            " ('G2', 'g', 'customer_service', 'Gamma-2', 'Gamma', 'agent', DATE '2025-01-01'),"
            " ('Z0', 'z', 'customer_service', NULL, NULL, 'agent', DATE '2025-01-01')"
        )
        w.execute(
            "INSERT INTO tickets (ticket_id, client, channel, type, agent_id, opened_at, first_response_at) VALUES"
            " ('O1', 'Acme', 'phone', 'consultation', 'A1', '2026-03-02 09:00', '2026-03-02 09:00:05'),"
            " ('O2', 'Acme', 'phone', 'consultation', NULL, '2026-03-02 09:01', NULL),"
            " ('O3', 'Gamma', 'chat', 'consultation', 'G2', '2026-03-02 09:02', '2026-03-02 09:02:30'),"
            " ('O4', 'Gamma', 'chat', 'consultation', NULL, '2026-03-02 09:03', NULL),"
            " ('O5', 'Delta', 'email', 'consultation', NULL, '2026-03-02 09:04', NULL),"
            " ('O6', 'Acme', 'phone', 'consultation', 'Z0', '2026-03-02 09:05', '2026-03-02 09:05:09')"
        )
    old.close()
    monkeypatch.setattr(warehouse, "_migrations", lambda: every)
    # A read-only opening (csdata kpi, export) cannot update it and says so.
    with pytest.raises(warehouse.WarehouseError) as refused:
        Warehouse(path, read_only=True)
    assert refused.value.key == "err_needs_update"
    new = Warehouse(path)
    try:
        assert new.column("SELECT version FROM schema_migrations ORDER BY 1")[:2] == [1, 2]
        assert dict(new.rows("SELECT ticket_id, team FROM tickets")) == {
            "O1": "Acme-1",  # the agent's team
            "O2": "Acme-1",  # no agent: Acme's only team
            "O3": "Gamma-2",  # the agent's team
            "O4": None,  # no agent, and Gamma has two teams
            "O5": None,  # Delta has no team
            "O6": "Acme-1",  # the agent is in no team: Acme's only team
        }
        march = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        acme = compiler.metric_values(
            new, ["answer_rate"], Filters(march.start, march.end, teams=("Acme-1",))
        )
        assert acme == {"answer_rate": pytest.approx(2 / 3)}  # O1 O6 answered, O2 not
    finally:
        new.close()


# -- the demo ------------------------------------------------------------------------------------


def test_demo_team_answer_rates_equal_pandas_over_the_export(sample_db, tmp_path):
    out = tmp_path / "tickets.csv"
    exported = run_cli("export", "tickets", "--db", str(sample_db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    raw = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert (raw["team"] != "").all(), "every demo ticket has its queue"
    rates = (raw["first_response_at"] != "").groupby(raw["team"]).mean()
    assert len(rates) >= 10 and (rates < 1).all() and (rates > 0.8).all()
    for team in rates.index:  # one CLI process per team
        result = run_cli(
            "kpi", "--db", str(sample_db), "--team", team, "--metric", "answer_rate", "--json",
            env={"CSDATA_LANG": "en"},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["answer_rate"] == pytest.approx(rates[team], abs=1e-12), team
