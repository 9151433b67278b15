"""Client economics: a month worked out by hand to the cent against `csdata finance --json`, the
contracts' prices and budgets refused when broken, and the Finance page within its roles."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import open_page, run_cli, sign_in_as
from pydantic import ValidationError

from csdata import pages
from csdata import policy as pol
from csdata.access.scope import scope_for
from csdata.analytics import finance
from csdata.imports.ingest import backfill_history
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

# -- a month by hand ---------------------------------------------------------------------------
#
# March 2026 (31 days), two clients, one team T1 (supervisor S1), three agents and an office clerk.
# Pay grades: G1 base 4,000.00, G2 base 5,000.00 (performance-pay bases never paid: nobody has a
# confirmed appraisal). Seniority: 200.00 a month from 1 completed year (the policy's only step).
#
#   A1 agent G1, hired 2025-01-10: 1 year on 1 March -> 4,000.00 + 200.00 + bonus 150.50 = 4,350.50
#   A2 agent G1, hired 2026-03-11: 21 of 31 days    -> 4,000 × 21/31 = 2,709.677… -> 2,709.68
#   A3 agent G2, hired 2020-06-01 (works for both)  -> 5,000.00 + 200.00          = 5,200.00
#   S1 supervisor G2 of T1, hired 2019-01-01        -> 5,000.00 + 200.00          = 5,200.00
#   F1 finance clerk G1, no team, hired 2018-05-01  -> 4,000.00 + 200.00          = 4,200.00
#                                                          payroll total          = 21,660.18
#
# Handled (answered) tickets opened in March, with their handle seconds:
#   Alpha: A1 phone 600, phone 300, chat 900; A2 phone 1,200; A3 phone 1,800, email 600
#          (plus an unanswered phone ticket: not handled, neither billed nor counted)
#   Bravo: A3 chat 2,400, phone 1,300 (plus A3's tickets of 28 Feb and 1 Apr: other months)
#
# Contracts (version 1, from 2026-01-01): Alpha per ticket, phone 3,000.00, chat 2,500.00, no
# email price; budget 12,000.00. Bravo per agent-hour 5,000.00; budget 5,000.00. Version 2, from
# 2026-04-01, raises Alpha's phone price to 9,999.00: not in force in March.
#
# Revenue:
#   Alpha = 4 phone × 3,000 + 1 chat × 2,500 + 1 email × 0   = 14,500.00
#   Bravo = (2,400 + 1,300) s ÷ 3,600 × 5,000 = 5,138.888…    ->  5,138.89
# Cost:
#   A3's 5,200.00 by handled seconds: Alpha 1,800 + 600 = 2,400 s, Bravo 3,700 s, of 6,100 s:
#     Alpha 5,200 × 2,400/6,100 = 2,045.9016…, Bravo 5,200 × 3,700/6,100 = 3,154.0983…
#   S1's 5,200.00 by T1's agents per client: Alpha A1, A2, A3 = 3; Bravo A3 = 1; of 4:
#     Alpha 3,900.00, Bravo 1,300.00
#   Alpha = 4,350.50 + 2,709.68 + 2,045.9016… + 3,900.00 = 13,006.0816… -> 13,006.08
#   Bravo = 3,154.0983… + 1,300.00                          =  4,454.0983… ->  4,454.10
#   F1: no ticket, no team: unallocated 4,200.00
#   (13,006.08 + 4,454.10 + 4,200.00 = 21,660.18, the payroll's total)
# Margin: Alpha 14,500.00 − 13,006.08 = 1,493.92; Bravo 5,138.89 − 4,454.10 = 684.79
# Cost per ticket: Alpha 13,006.08 ÷ 6 = 2,167.68; Bravo 4,454.10 ÷ 2 = 2,227.05
# Budget − actual: Alpha 12,000.00 − 13,006.08 = −1,006.08 (over); Bravo 5,000.00 − 4,454.10 = 545.90

EXPECTED = [
    {"client": "Alpha", "month": "2026-03", "revenue": 14500.00, "cost": 13006.08, "margin": 1493.92,
     "tickets": 6, "cost_per_ticket": 2167.68, "budget": 12000.00},
    {"client": "Bravo", "month": "2026-03", "revenue": 5138.89, "cost": 4454.10, "margin": 684.79,
     "tickets": 2, "cost_per_ticket": 2227.05, "budget": 5000.00},
    {"client": None, "month": "2026-03", "revenue": None, "cost": 4200.00, "margin": None,
     "tickets": 0, "cost_per_ticket": None, "budget": None},
]  # fmt: skip

PEOPLE = [
    # id, team, client, position, grade, hire
    ("A1", "T1", "Alpha", "agent", "G1", "2025-01-10"),
    ("A2", "T1", "Alpha", "agent", "G1", "2026-03-11"),
    ("A3", "T1", "Alpha", "agent", "G2", "2020-06-01"),
    ("S1", "T1", "Alpha", "supervisor", "G2", "2019-01-01"),
    ("F1", None, None, "staff", "G1", "2018-05-01"),
]
TICKETS = [
    # id, client, channel, agent, opened, answered, handle seconds
    ("M1", "Alpha", "phone", "A1", "2026-03-02 09:00:00", True, 600),
    ("M2", "Alpha", "phone", "A1", "2026-03-05 10:00:00", True, 300),
    ("M3", "Alpha", "chat", "A1", "2026-03-09 11:00:00", True, 900),
    ("M4", "Alpha", "phone", "A2", "2026-03-12 12:00:00", True, 1200),
    ("M5", "Alpha", "phone", "A3", "2026-03-16 13:00:00", True, 1800),
    ("M6", "Alpha", "email", "A3", "2026-03-20 14:00:00", True, 600),
    ("M7", "Alpha", "phone", None, "2026-03-21 15:00:00", False, None),
    ("M8", "Bravo", "chat", "A3", "2026-03-23 16:00:00", True, 2400),
    ("M9", "Bravo", "phone", "A3", "2026-03-31 23:00:00", True, 1300),
    ("M10", "Bravo", "phone", "A3", "2026-02-28 23:00:00", True, 5000),
    ("M11", "Bravo", "phone", "A3", "2026-04-01 00:00:00", True, 5000),
]


def hand_policy(effective: dt.date, alpha_phone: float) -> pol.Policy:
    policy = pol.default_policy()
    policy.effective_from = effective
    policy.seniority = [pol.SeniorityStep(years=1, amount=200)]
    policy.contracts = [
        pol.Contract(
            client="Alpha",
            pricing=pol.Pricing(model="per_ticket", ticket_prices={"phone": alpha_phone, "chat": 2500}),
            monthly_budget=12000,
        ),
        pol.Contract(
            client="Bravo", pricing=pol.Pricing(model="per_hour", hour_price=5000), monthly_budget=5000
        ),
    ]
    return policy


@pytest.fixture
def month_db(tmp_path):
    return build_month(tmp_path / "month.duckdb")


def build_month(path):
    """The hand-worked month's warehouse (closed)."""
    wh = Warehouse(path, create=True)
    pol.save_policy(wh, hand_policy(dt.date(2026, 1, 1), 3000), "test")
    pol.save_policy(wh, hand_policy(dt.date(2026, 4, 1), 9999), "test")
    with wh.transaction("test", "fixture") as w:
        w.execute("INSERT INTO clients (name) VALUES ('Alpha'), ('Bravo')")
        w.execute("INSERT INTO departments VALUES ('customer_service', '客服部')")
        w.execute("INSERT INTO pay_grades VALUES ('G1', 4000, 1000), ('G2', 5000, 1500)")
        w.execute("INSERT INTO teams VALUES ('T1', 'customer_service', 'Alpha', 'S1')")
        for eid, team, client, position, grade, hire in PEOPLE:
            w.execute(
                "INSERT INTO employees (employee_id, name, department, team, client, position, grade, hire_date)"
                " VALUES (?, ?, 'customer_service', ?, ?, ?, ?, ?)",
                [eid, eid, team, client, position, grade, hire],
            )
        backfill_history(w, "test")
        w.execute(
            "INSERT INTO bonuses (employee_id, month, amount, reason) VALUES ('A1', '2026-03', 150.50, 'x')"
        )
        rows = []
        for tid, client, channel, agent, opened, answered, handle in TICKETS:
            at = dt.datetime.fromisoformat(opened)
            rows.append(
                {"ticket_id": tid, "client": client, "channel": channel, "type": "consultation", "agent_id": agent,
                 "team": "T1", "opened_at": at, "first_response_at": at + dt.timedelta(seconds=30) if answered else None,
                 "handle_seconds": handle}
            )  # fmt: skip
        w.insert_df("tickets", pd.DataFrame(rows))
    wh.close()
    return path


def test_a_month_by_hand_is_what_csdata_finance_prints(month_db):
    done = run_cli("finance", "--db", str(month_db), "--from", "2026-03-01", "--to", "2026-03-31", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
    # The payroll is accounted for to the cent.
    assert round(sum(r["cost"] for r in EXPECTED), 2) == 21660.18


def test_one_client_and_a_day_inside_the_month(month_db):
    """A day of a month means the whole month; one client's lines come without the unallocated."""
    done = run_cli(
        "finance",
        "--db",
        str(month_db),
        "--from",
        "2026-03-15",
        "--to",
        "2026-03-15",
        "--client",
        "Bravo",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [EXPECTED[1]]


def test_the_frame_has_margin_percent_and_budget_left(month_db):
    wh = Warehouse(month_db, read_only=True)
    frame = finance.economics(wh, dt.date(2026, 3, 1), dt.date(2026, 3, 31)).set_index("client")
    wh.close()
    assert frame.loc["Alpha", "margin_pct"] == pytest.approx(1493.92 / 14500.00)
    assert frame.loc["Alpha", "budget_left"] == -1006.08
    assert frame.loc["Bravo", "budget_left"] == 545.90
    assert frame.loc["Bravo", "handled_hours"] == 1.03  # 3,700 s


def test_the_readable_table_and_bad_arguments(month_db):
    done = run_cli("finance", "--db", str(month_db), "--from", "2026-03-01", "--to", "2026-03-31")
    assert (
        done.returncode == 0 and "13,006.08" in done.stdout and t("finance_unallocated", "en") in done.stdout
    )
    for args, says in (
        (("--client", "Nobody"), "unknown client 'Nobody'"),
        (("--from", "2026-04-01", "--to", "2026-03-01"), "is after --to"),
        (("--from", "March"), "--from"),
    ):
        done = run_cli("finance", "--db", str(month_db), *args)
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_who_sees_the_economics(month_db):
    wh = Warehouse(month_db, read_only=True)
    march = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    for role in ("hr", "supervisor", "qa"):
        assert finance.economics(wh, *march, scope=scope_for(role, teams=("T1",))).empty
    assert finance.economics(wh, *march, scope=scope_for("client", clients=("Alpha",))).empty
    limited = finance.economics(wh, *march, scope=scope_for("finance", clients=("Bravo",)))
    assert list(limited["client"]) == ["Bravo"]  # no other client, no unallocated line
    assert len(finance.economics(wh, *march, scope=scope_for("exec"))) == 3
    wh.close()


def test_the_default_period_is_the_last_twelve_whole_months():
    d = dt.date
    assert finance.default_period(d(2025, 12, 6), d(2026, 12, 5)) == (d(2025, 12, 6), d(2026, 11, 30))
    assert finance.default_period(d(2024, 1, 1), d(2026, 10, 31)) == (d(2025, 11, 1), d(2026, 10, 31))
    assert finance.default_period(d(2026, 3, 2), d(2026, 3, 20)) == (d(2026, 3, 2), d(2026, 3, 20))
    assert finance.default_period(d(2025, 1, 1), d(2026, 1, 15)) == (d(2025, 1, 1), d(2025, 12, 31))


def test_a_monthly_fee_is_the_fee_whatever_the_volume():
    policy = pol.default_policy()
    policy.contracts = [pol.Contract(client="C", pricing=pol.Pricing(model="monthly_fee", monthly_fee=80000))]
    assert finance.revenue(policy, "C", {"phone": 10_000}, 0) == 80000
    assert finance.revenue(policy, "Nobody", {"phone": 1}, 0) is None


def test_the_demo_company_earns_plausible_margins(tmp_path):
    """The demo at its default size: each client's margin over its complete months between 10 %
    and 35 % of revenue, the unallocated pay below a fifth of the cost, and Skyline Mobile over
    its budget in some months but not in all."""
    from conftest import DEMO_AS_OF

    from csdata.demo.sample import build_sample

    wh = Warehouse(tmp_path / "demo.duckdb", create=True)
    build_sample(wh, as_of=DEMO_AS_OF)
    last = DEMO_AS_OF - dt.timedelta(days=1)  # the data's last day, a month's end
    frame = finance.economics(wh, dt.date(last.year - 1, last.month + 1, 1), last)
    wh.close()
    assert len(set(frame["month"])) == 12
    clients = frame[frame["client"].notna()]
    sums = clients.groupby("client")[["revenue", "cost"]].sum()
    margins = (sums["revenue"] - sums["cost"]) / sums["revenue"]
    assert len(margins) == 8 and margins.between(0.10, 0.35).all(), margins
    assert frame.loc[frame["client"].isna(), "cost"].sum() < 0.2 * frame["cost"].sum()
    over = clients[clients["budget"] < clients["cost"]]
    assert set(over["client"]) == {"Skyline Mobile"} and 0 < len(over) < 12


# -- prices and budgets in the policy ----------------------------------------------------------


def refusals(body: dict, lang: str = "en") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        pol.Policy.model_validate(body)
    return pol.messages(caught.value, body, lang)


def test_bad_prices_and_budgets_are_refused_naming_their_field():
    body = pol.default_policy().model_dump(mode="json")
    body["contracts"] = [
        {"client": "Acme", "pricing": {"model": "per_ticket", "ticket_prices": {"phone": -1}}},
        {"client": "Beta", "pricing": {"model": "per_hour"}, "monthly_budget": -5},
        {"client": "Gamma", "pricing": {"model": "monthly_fee", "monthly_fee": 100, "hour_price": 20}},
        {"client": "Delta", "pricing": {"model": "per_visit", "monthly_fee": 100}},
    ]
    assert refusals(body) == [
        "Client contracts › Acme › Price › Price per ticket: -1 must be 0 or more and less than 1,000,000,000",
        "Client contracts › Beta › Price: the pricing model “per agent-hour” needs its price",
        "Client contracts › Beta › Monthly cost budget: -5 must be 0 or more and less than 1,000,000,000",
        "Client contracts › Gamma › Price: the pricing model is “monthly fee”: leave the prices of"
        " “per agent-hour” empty (one pricing model per client)",
        "Client contracts › Delta › Price › Pricing model: must be one of 'per_ticket', 'per_hour' or 'monthly_fee'",
    ]
    assert refusals(body, "zh")[1] == "客户合同 › Beta › 价格: 计价方式“按坐席工时计价”须填写其价格"


def test_prices_round_trip_through_the_editor_tables():
    policy = hand_policy(dt.date(2026, 1, 1), 3000)
    tables = pol.to_tables(policy)
    assert tables["contract_prices"][0] == {
        "client": "Alpha", "pricing": "per_ticket", "price_phone": 3000, "price_chat": 2500, "price_email": None,
        "hour_price": None, "monthly_fee": None, "monthly_budget": 12000,
    }  # fmt: skip
    scalars = {k: getattr(policy, k) for k in pol.SCALARS}
    assert pol.from_tables(tables, policy.scorecard.pass_mark, scalars) == policy
    tables["contract_prices"][1]["pricing"] = None  # a price left without its model, as the editor sends it
    body = pol.tables_body(tables, policy.scorecard.pass_mark, scalars)
    assert refusals(body) == [
        "Client contracts › Bravo › Price › Pricing model: must be one of 'per_ticket', 'per_hour' or 'monthly_fee'"
    ]
    assert refusals(body, "zh")[0].startswith("客户合同 › Bravo › 价格 › 计价方式")


# -- the page ----------------------------------------------------------------------------------


@pytest.fixture
def finance_app(module_db, monkeypatch):
    from conftest import point_app_at

    point_app_at(monkeypatch, module_db)
    return module_db


@pytest.mark.parametrize("user,lang", [("finance", "en"), ("exec", "zh"), ("admin", "en")])
def test_the_page_shows_the_table_to_finance_and_exec(finance_app, user, lang):
    at = open_page("finance", lang=lang, user=user)
    assert at.title[0].value == t("nav_finance", lang)
    [table] = at.dataframe
    assert t("col_revenue", lang) in table.value.columns and t("col_budget_left", lang) in table.value.columns
    clients = set(table.value[t("col_client", lang)])
    assert "Harbor Trust Bank" in clients and t("finance_unallocated", lang) in clients
    assert len(at.get("plotly_chart")) == 2
    # Cost follows pay, not volume: the small demo's Skyline Mobile passes its budget too.
    assert any(t("finance_over_budget", lang).split("{")[0] in w.value for w in at.warning)


@pytest.mark.parametrize("user", ["client", "hr"])
def test_a_client_account_and_hr_cannot_open_it(finance_app, user):
    from conftest import ROOT
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    sign_in_as(at, user)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not offered
        at.switch_page(pages.PAGES["finance"].file)
    direct = AppTest.from_file(str(ROOT / pages.PAGES["finance"].file), default_timeout=90)  # the URL
    direct.session_state["lang"] = "en"
    sign_in_as(direct, user)
    direct.run()
    assert not direct.exception
    assert [e.value for e in direct.error] == [t("not_allowed", "en")]
    assert not direct.dataframe and not direct.metric and not direct.title
