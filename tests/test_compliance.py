"""The compliance queue on a company set up from files, with every breach planted and worked by hand.

The company is made as a new one is (`csdata init` without the sample, the master data, the staff,
then training, tickets, audits, appraisals, actions and coaching by `csdata import`; appraisals
confirmed with `csdata appraisals confirm`), so the rules run on what imports store, not on what the
demo generator writes. The policy is the default one: onboarding pass mark 80 (the course's own is
80 too), complaints accepted within 7 days, coaching within 14 days of a period's end, 8 in-service
hours a quarter, 4 audits per agent a month.

As of AS_OF = Wednesday 2026-05-20 the last complete quarter is 2026-Q1 (Jan 1 – Mar 31) and the
last complete month April (Apr 1 – 30). Each planted breach, with the day it began (`since`):

  went_live_before_passing  A2   2025-06-15  went live 06-15, failed 70 on 06-10, passed 85 on 07-01
  handled_before_passing    A2   2025-06-20  T8 opened 06-20, before the pass of 07-01
  below_standard_w/o_coach  A5   2026-01-15  D in 2025-Q4 (ends 12-31); coached 01-20, after 12-31 + 14
  below_standard_twice      A3   2026-04-01  D in 2025-Q4 and in 2026-Q1; Q1 ends 03-31
  training_hours_short      A2   2026-04-01  one 4-hour course in Q1 (02-10): 4 < 8 (the 4 h of 04-05 are Q2)
  action_overdue            CA5  2026-04-11  due 04-10, in progress
  below_standard_w/o_coach  A3   2026-04-15  D in 2026-Q1 (ends 03-31), no coaching by 04-14
  action_overdue            CA1  2026-04-16  due 04-15, open
  audits_below_plan         A3   2026-05-01  3 audits in April < 4
  complaint_unaccepted      T4   2026-05-09  opened 05-02, refused (05-02 + 7 = 05-09 <= 05-20)
  complaint_unaccepted      T1   2026-05-17  opened 05-10, never fed back (05-10 + 7 = 05-17)
  callback_overdue          T5   2026-05-19  promised 05-19 10:00, not made

and what breaks none: A1 failed 79.5 (below 80) then passed 90 before going live; A3 passed at
exactly 80; T2 is 5 days old (05-15 + 7 = 05-22 > 05-20); T3 was accepted; T6's callback was made,
T11's late but made before AS_OF, T7's is promised after it; CA2 is done, CA6 cancelled, CA3 not yet
due; A3's D of Q4 was coached on 01-05 (<= 01-14) and A4's by a coaching action opened 01-10; A4 is
C in Q1 (not twice); A7 went live on 04-25, after passing, and was not live through April or Q1;
A6 went live without passing and handled T12 before that, but left on 2026-02-28; S1 is no agent.
Ages are AS_OF − since, e.g. T5: 05-20 − 05-19 = 1 day; A2 went live: 2025-06-15 → 2026-05-20 is
16 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 28 + 31 + 30 + 20 = 339 days.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, download, run_cli, sign_in_as
from streamlit.testing.v1 import AppTest

from csdata import policy as pol
from csdata.access import auth
from csdata.access.scope import EVERYTHING, scope_for
from csdata.analytics import compliance
from csdata.imports.ingest import import_file
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, column_label, family_key, t

AS_OF = dt.date(2026, 5, 20)
D = dt.date.fromisoformat
PASSWORD = "long enough password"

# (rule, subject_kind, subject_id, employee_id, client, team, since, owner_role), oldest first.
EXPECTED = [
    ("went_live_before_passing", "employee", "A2", "A2", "Acme", "Acme 1", D("2025-06-15"), "hr"),
    ("handled_before_passing", "employee", "A2", "A2", "Acme", "Acme 1", D("2025-06-20"), "supervisor"),
    ("below_standard_without_coaching", "employee", "A5", "A5", "Acme", "Acme 1", D("2026-01-15"), "supervisor"),
    ("below_standard_twice", "employee", "A3", "A3", "Beta", "Beta 1", D("2026-04-01"), "hr"),
    ("training_hours_short", "employee", "A2", "A2", "Acme", "Acme 1", D("2026-04-01"), "hr"),
    ("action_overdue", "action", "CA5", "A2", "Acme", "Acme 1", D("2026-04-11"), "qa"),
    ("below_standard_without_coaching", "employee", "A3", "A3", "Beta", "Beta 1", D("2026-04-15"), "supervisor"),
    ("action_overdue", "action", "CA1", "A1", "Acme", "Acme 1", D("2026-04-16"), "qa"),
    ("audits_below_plan", "employee", "A3", "A3", "Beta", "Beta 1", D("2026-05-01"), "qa"),
    ("complaint_unaccepted", "ticket", "T4", "A4", "Beta", "Beta 1", D("2026-05-09"), "supervisor"),
    ("complaint_unaccepted", "ticket", "T1", "A1", "Acme", "Acme 1", D("2026-05-17"), "supervisor"),
    ("callback_overdue", "ticket", "T5", "A1", "Acme", "Acme 1", D("2026-05-19"), "supervisor"),
]  # fmt: skip
# The accounts: (role, clients, teams) and which rows of EXPECTED each sees.
ACCOUNTS = {
    "admin": (None, list(range(12))),
    "acme_client": (("client", ("Acme",), ()), [10, 11]),  # Acme's tickets; no employee or action rule
    "beta_sup": (("supervisor", (), ("Beta 1",)), [3, 6, 8, 9]),  # Beta 1's people and tickets
    "hr_lead": (("hr", (), ()), list(range(12))),
}

FILES = {
    "clients": "client,name_zh,industry,active\nAcme,艾克米,retail,true\nBeta,贝塔,banking,true\n",
    "departments": "department,name_zh\ncustomer_service,客户服务部\n",
    "teams": "team,client,supervisor_id,department\nAcme 1,Acme,S1,customer_service\n"
    "Beta 1,Beta,,customer_service\n",
    "pay_grades": "grade,base_pay,performance_pay_base\nG1,4500.00,800.00\n",
    "courses": "course,kind,pass_mark,hours\nOnboarding,onboarding,80,40\nRefresher,in_service,,4\n",
    "periods": "period,starts_on,ends_on,status\n2025-Q4,2025-10-01,2025-12-31,open\n"
    "2026-Q1,2026-01-01,2026-03-31,open\n",
    "employees": "employee_id,name,department,team,client,position,grade,hire_date,go_live_date,status,left_on\n"
    "S1,Sam,customer_service,Acme 1,Acme,supervisor,G1,2020-01-01,,active,\n"
    "A1,Ann,customer_service,Acme 1,Acme,agent,G1,2025-06-01,2025-07-01,active,\n"
    "A2,Bob,customer_service,Acme 1,Acme,agent,G1,2025-06-01,2025-06-15,active,\n"
    "A3,Cai,customer_service,Beta 1,Beta,agent,G1,2025-06-01,2025-07-01,active,\n"
    "A4,Dan,customer_service,Beta 1,Beta,agent,G1,2025-06-01,2025-07-01,active,\n"
    "A5,Eve,customer_service,Acme 1,Acme,agent,G1,2025-06-01,2025-07-01,active,\n"
    "A6,Fay,customer_service,Acme 1,Acme,agent,G1,2025-06-01,2025-06-10,left,2026-02-28\n"
    "A7,Gus,customer_service,Beta 1,Beta,agent,G1,2026-04-10,2026-04-25,active,\n",
    "training": "employee_id,course,kind,taken_on,score,hours,attempt\n"
    "A1,Onboarding,onboarding,2025-06-10,79.5,40,1\nA1,Onboarding,onboarding,2025-06-20,90,40,2\n"
    "A2,Onboarding,onboarding,2025-06-10,70,40,1\nA2,Onboarding,onboarding,2025-07-01,85,40,2\n"
    "A3,Onboarding,onboarding,2025-06-20,80,40,1\nA4,Onboarding,onboarding,2025-06-20,88,40,1\n"
    "A5,Onboarding,onboarding,2025-06-20,91,40,1\nA7,Onboarding,onboarding,2026-04-20,86,40,1\n"
    + "".join(
        f"{e},Refresher,in_service,{day},,4,{n}\n"
        for e in ("A1", "A3", "A4", "A5")
        for n, day in ((1, "2026-01-15"), (2, "2026-02-15"))
    )
    + "A2,Refresher,in_service,2026-02-10,,4,1\nA2,Refresher,in_service,2026-04-05,,4,2\n",
    "appraisals": "period,employee_id,satisfaction,quality,efficiency,teamwork,reviewer,comment\n"
    + "".join(
        f"{p},{e},{s},{s},{s},{s},S1,\n"
        for e, grades in {
            "A1": (85, 85),
            "A2": (85, 85),
            "A3": (60, 60),
            "A4": (60, 75),
            "A5": (60, 85),
        }.items()
        for p, s in zip(("2025-Q4", "2026-Q1"), grades, strict=True)
    ),  # 85: B (80 <= 85 < 90), 75: C, 60: D (below 70), the lowest band
    "actions": "action_id,audit_id,employee_id,kind,owner_id,opened_on,due_on,status,closed_on,note\n"
    "CA1,,A1,training,S1,2026-04-01,2026-04-15,open,,\n"
    "CA2,,A3,script_change,S1,2026-04-01,2026-04-20,done,2026-04-18,\n"
    "CA3,,A5,training,S1,2026-05-01,2026-05-25,open,,\n"
    "CA4,,A4,coaching,S1,2026-01-10,2026-01-20,done,2026-01-15,\n"
    "CA5,,A2,training,S1,2026-04-01,2026-04-10,in_progress,,\n"
    "CA6,,A2,training,S1,2026-04-01,2026-04-05,cancelled,2026-04-03,\n",
    "coaching": "session_id,employee_id,held_on,coach_id,topic,audit_id,period,note\n"
    "CS1,A3,2026-01-05,S1,Below standard in Q4,,2025-Q4,\nCS2,A5,2026-01-20,S1,Below standard in Q4,,2025-Q4,\n",
}
_TICKET_HEAD = (
    "ticket_id,client,channel,type,agent_id,team,opened_at,first_response_at,resolved_at,feedback_at,"
    "customer_accepted,reopened,callback_promised_at,callback_done_at\n"
)
TICKETS = [
    "T1,Acme,phone,complaint,A1,Acme 1,2026-05-10 10:00:00,2026-05-10 10:00:10,,,,,,",
    "T2,Acme,phone,complaint,A1,Acme 1,2026-05-15 10:00:00,2026-05-15 10:00:10,,,,,,",
    "T3,Beta,chat,complaint,A3,Beta 1,2026-05-01 09:00:00,2026-05-01 09:00:30,,2026-05-03 09:00:00,true,false,,",
    "T4,Beta,chat,complaint,A4,Beta 1,2026-05-02 09:00:00,2026-05-02 09:00:30,,2026-05-04 09:00:00,false,true,,",
    "T5,Acme,phone,consultation,A1,Acme 1,2026-05-18 09:00:00,2026-05-18 09:00:05,,,,,2026-05-19 10:00:00,",
    "T6,Beta,phone,consultation,A3,Beta 1,2026-05-17 09:00:00,2026-05-17 09:00:05,,,,,2026-05-18 10:00:00,"
    "2026-05-18 16:00:00",
    "T7,Beta,phone,consultation,A4,Beta 1,2026-05-20 09:00:00,2026-05-20 09:00:05,,,,,2026-05-21 10:00:00,",
    "T8,Acme,phone,consultation,A2,Acme 1,2025-06-20 09:00:00,2025-06-20 09:00:05,,,,,,",
    "T9,Acme,phone,consultation,A2,Acme 1,2025-07-05 09:00:00,2025-07-05 09:00:05,,,,,,",
    "T10,Beta,phone,consultation,A7,Beta 1,2026-04-26 09:00:00,2026-04-26 09:00:05,,,,,,",
    "T11,Beta,phone,consultation,A4,Beta 1,2026-05-09 09:00:00,2026-05-09 09:00:05,,,,,2026-05-10 10:00:00,"
    "2026-05-12 10:00:00",
    "T12,Acme,phone,consultation,A6,Acme 1,2025-06-12 09:00:00,2025-06-12 09:00:05,,,,,,",
]
# April's audits: 4 each for A1, A2, A4, A5 and 3 for A3.
_AUDIT_HEAD = "audit_id,audited_at,agent_id,auditor_id,ticket_id,client,channel,source,attitude,responsiveness,accuracy,communication,compliance,critical_error\n"
AUDITS = [
    f"AU{agent}{n},2026-04-{5 * n:02d},{agent},S1,,{client},phone,recording,90,90,90,90,90,false"
    for agent, client, count in (("A1", "Acme", 4), ("A2", "Acme", 4), ("A3", "Beta", 3), ("A4", "Beta", 4), ("A5", "Acme", 4))
    for n in range(1, count + 1)
]  # fmt: skip


def _cli_import(db, kind: str, path) -> dict:
    result = run_cli("import", kind, str(path), "--db", str(db), "--json", "--strict")
    assert result.returncode == 0, (kind, result.stdout, result.stderr)
    report = json.loads(result.stdout)
    assert report["rejected"] == 0 and report["imported"] == report["rows"] > 0, (kind, report)
    return report


def build_company(folder: Path) -> Path:
    """The company of this module's note, from files, in `folder`; its accounts' password PASSWORD."""
    db = folder / "company.duckdb"
    init = run_cli("init", "--db", str(db), env={"CSDATA_ADMIN_PASSWORD": PASSWORD})
    assert init.returncode == 0, init.stderr
    files = dict(FILES)
    files["tickets"] = _TICKET_HEAD + "\n".join(TICKETS) + "\n"
    files["audits"] = _AUDIT_HEAD + "\n".join(AUDITS) + "\n"
    order = ("clients", "departments", "teams", "pay_grades", "courses", "periods", "employees", "training")
    order += ("tickets", "audits", "appraisals", "actions", "coaching")
    for kind in order:
        path = folder / f"{kind}.csv"
        path.write_text(files[kind], encoding="utf-8")
        _cli_import(db, kind, path)
    for period in ("2025-Q4", "2026-Q1"):
        confirm = run_cli("appraisals", "confirm", period, "--db", str(db))
        assert confirm.returncode == 0, confirm.stderr
    wh = Warehouse(db)
    for name, (account, _) in ACCOUNTS.items():
        if account is not None:
            role, clients, teams = account
            auth.add_user(wh, "test", name, role, PASSWORD, clients, teams)
    wh.close()
    return db


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    return build_company(tmp_path_factory.mktemp("compliance"))


def _rows(frame: pd.DataFrame) -> list[tuple]:
    cols = ["rule", "subject_kind", "subject_id", "employee_id", "client", "team", "since", "owner_role"]
    return [tuple(r) for r in frame[cols].itertuples(index=False)]


def _seen_by(name: str, row: tuple) -> tuple:
    """A breach as an account sees it: a client company's without the agent and the team."""
    if name != "acme_client":
        return row
    rule, kind, subject, _, client, _, since, owner = row
    return (rule, kind, subject, None, client, None, since, owner)


def _scope(name: str):
    account = ACCOUNTS[name][0]
    return EVERYTHING if account is None else scope_for(*account)


# -- the rules --------------------------------------------------------------------------------


def test_exactly_the_planted_breaches_as_of_the_day(company):
    wh = Warehouse(company, read_only=True)
    try:
        found = compliance.breaches(wh, as_of=AS_OF)
    finally:
        wh.close()
    assert _rows(found) == EXPECTED
    assert list(found.columns[:10]) == list(compliance.COLUMNS)
    assert set(found["state"]) == {"open"}
    ages = dict(zip(found["subject_id"] + "/" + found["rule"], found["age_days"], strict=True))
    assert ages["T5/callback_overdue"] == 1  # 05-20 − 05-19
    assert ages["A2/went_live_before_passing"] == 339  # see the module's note
    assert ages["A3/audits_below_plan"] == 19  # 05-20 − 05-01
    assert ages["CA1/action_overdue"] == 34  # 04-16 → 04-30 is 14, + 20


def test_a_day_earlier_or_later_moves_the_time_rules_only(company):
    wh = Warehouse(company, read_only=True)
    try:
        # On 05-18 the callback of 05-19 is not due, T1's 7 days ran out on 05-17 (still in), and
        # the month measured is still April.
        before = compliance.breaches(wh, as_of=D("2026-05-18"))
        # On 05-22 T2 (05-15 + 7) joins; T7's callback, promised 05-21, is overdue.
        after = compliance.breaches(wh, as_of=D("2026-05-22"))
    finally:
        wh.close()
    assert _rows(before) == EXPECTED[:-1]
    added = sorted(set(_rows(after)) - set(EXPECTED))
    assert added == [
        ("callback_overdue", "ticket", "T7", "A4", "Beta", "Beta 1", D("2026-05-21"), "supervisor"),
        ("complaint_unaccepted", "ticket", "T2", "A1", "Acme", "Acme 1", D("2026-05-22"), "supervisor"),
    ]
    assert set(EXPECTED) <= set(_rows(after))


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_each_account_sees_its_scope(company, name):
    wh = Warehouse(company, read_only=True)
    try:
        found = compliance.breaches(wh, _scope(name), AS_OF)
    finally:
        wh.close()
    assert _rows(found) == [_seen_by(name, EXPECTED[i]) for i in ACCOUNTS[name][1]]


def test_a_rule_switched_off_and_other_numbers_come_from_the_policy(company):
    wh = Warehouse(company, read_only=True)
    try:
        policy = pol.load_policy(wh)[1]
        rules = policy.compliance.model_copy(
            update={
                "callback_overdue": pol.BreachRule(on=False, owner="supervisor"),
                # 10 days: T1 (05-10 + 10 = 05-20) still in, T4 (05-02 + 10 = 05-12) too
                "complaint_unaccepted": pol.DaysRule(owner="qa", days=10),
                "audits_below_plan": pol.AuditsRule(owner="qa", audits_per_agent_month=5),
            }
        )
        found = compliance.breaches(wh, as_of=AS_OF, policy=policy.model_copy(update={"compliance": rules}))
    finally:
        wh.close()
    assert "callback_overdue" not in set(found["rule"])
    complaints = found[found["rule"] == "complaint_unaccepted"]
    assert list(
        zip(complaints["subject_id"], complaints["since"], complaints["owner_role"], strict=True)
    ) == [
        ("T4", D("2026-05-12"), "qa"),
        ("T1", D("2026-05-20"), "qa"),
    ]
    # 5 audits a month: every live agent through April (A1–A5 have 4 or 3) is below plan.
    assert sorted(found[found["rule"] == "audits_below_plan"]["subject_id"]) == ["A1", "A2", "A3", "A4", "A5"]


# -- acknowledging, excusing, resolving ----------------------------------------------------------


def test_acknowledge_excuse_and_resolution_are_kept_with_the_audit_log(company, tmp_path):
    import shutil

    db = tmp_path / "steps.duckdb"
    shutil.copyfile(company, db)
    wh = Warehouse(db)
    try:
        sup = scope_for("supervisor", (), ("Acme 1",))
        # A supervisor owns the callback rule, not the training rule (HR's).
        compliance.step(wh, "sam", "supervisor", sup, "callback_overdue", "T5", D("2026-05-19"), "acknowledged",
                        owner="Sam", note="calling back this afternoon", as_of=AS_OF)  # fmt: skip
        with pytest.raises(Problem) as refused:
            compliance.step(wh, "sam", "supervisor", sup, "training_hours_short", "A2", D("2026-04-01"),
                            "excused", reason="on leave", as_of=AS_OF)  # fmt: skip
        assert refused.value.key == "breach_not_owner"
        # Outside the scope: Beta's T4 is no breach an Acme supervisor can see.
        with pytest.raises(Problem) as refused:
            compliance.step(wh, "sam", "supervisor", sup, "complaint_unaccepted", "T4", D("2026-05-09"),
                            "acknowledged", owner="Sam", as_of=AS_OF)  # fmt: skip
        assert refused.value.key == "breach_not_found"
        with pytest.raises(Problem) as refused:
            compliance.step(wh, "hr", "hr", EVERYTHING, "training_hours_short", "A2", D("2026-04-01"),
                            "excused", reason="  ", as_of=AS_OF)  # fmt: skip
        assert refused.value.key == "breach_needs_reason"
        with pytest.raises(Problem) as refused:
            compliance.step(wh, "client", "client", scope_for("client", ("Acme",)), "callback_overdue", "T5",
                            D("2026-05-19"), "acknowledged", owner="x", as_of=AS_OF)  # fmt: skip
        assert refused.value.key == "breach_not_owner"
        compliance.step(wh, "hr", "hr", EVERYTHING, "training_hours_short", "A2", D("2026-04-01"), "excused",
                        reason="on parental leave in Q1", as_of=AS_OF)  # fmt: skip
        with pytest.raises(Problem) as refused:
            compliance.step(wh, "hr", "hr", EVERYTHING, "training_hours_short", "A2", D("2026-04-01"),
                            "acknowledged", owner="Hana", as_of=AS_OF)  # fmt: skip
        assert refused.value.key == "breach_already_excused"

        found = compliance.breaches(wh, as_of=AS_OF)
        states = dict(zip(found["subject_id"] + "/" + found["rule"], found["state"], strict=True))
        assert states["T5/callback_overdue"] == "acknowledged"
        assert states["A2/training_hours_short"] == "excused"
        assert sum(s == "open" for s in states.values()) == 10  # 12 − 2
        log = wh.rows(
            "SELECT actor, action, entity, detail FROM audit_log WHERE entity LIKE 'breaches:%' ORDER BY id"
        )
        assert [(a, b, c) for a, b, c, _ in log] == [
            ("sam", "breach.acknowledge", "breaches:callback_overdue/T5"),
            ("hr", "breach.excuse", "breaches:training_hours_short/A2"),
        ]
        assert json.loads(log[0][3]) == {"since": "2026-05-19", "before": "open", "after": "acknowledged",
                                         "owner": "Sam", "note": "calling back this afternoon"}  # fmt: skip

        # The callback is made (a corrected ticket row): the breach leaves the queue by itself, and
        # its step stays in its history.
        fixed = _TICKET_HEAD + TICKETS[4] + "2026-05-20 11:00:00\n"
        report = import_file(
            wh, "tickets", fixed.encode(), "fix.csv", "test", update=True, reason="callback made"
        )
        assert report.updated == 1, report
        found = compliance.breaches(wh, as_of=AS_OF)
        assert "T5" not in set(found["subject_id"])
        assert len(found) == 11
        kept = compliance.history(wh, "callback_overdue", "T5")
        assert list(kept["state"]) == ["acknowledged"] and list(kept["owner"]) == ["Sam"]
        assert kept["audit_log_id"][0] == wh.scalar(
            "SELECT id FROM audit_log WHERE entity = 'breaches:callback_overdue/T5'"
        )
        # As of the day before it was made, it is still a breach, still acknowledged.
        earlier = compliance.breaches(wh, as_of=D("2026-05-19"))
        assert earlier[earlier["subject_id"] == "T5"]["state"].tolist() == ["acknowledged"]
    finally:
        wh.close()


# -- the command, the page and its download agree --------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["admin", "acme_client", "beta_sup"])
def test_the_command_gives_the_same_queue(company, name, lang):
    args = ["breaches", "--db", str(company), "--as-of", AS_OF.isoformat(), "--json"]
    if name != "admin":
        args += ["--as", name]
    result = run_cli(*args, env={"CSDATA_LANG": lang})
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = [_seen_by(name, EXPECTED[i]) for i in ACCOUNTS[name][1]]
    assert [
        (r["rule"], r["subject_kind"], r["subject_id"], r["employee_id"], r["client"], r["team"], D(r["since"]),
         r["owner_role"]) for r in rows
    ] == expected  # fmt: skip
    assert all(list(r) == list(compliance.COLUMNS) for r in rows)
    assert all(r["state"] == "open" and r["age_days"] == (AS_OF - D(r["since"])).days for r in rows)


def test_the_command_filters_and_refuses_bad_arguments(company):
    result = run_cli("breaches", "--db", str(company), "--as-of", AS_OF.isoformat(), "--json",
                     "--rule", "complaint_unaccepted", "--rule", "callback_overdue", "--client", "Acme")  # fmt: skip
    assert [r["subject_id"] for r in json.loads(result.stdout)] == ["T1", "T5"]
    text = run_cli("breaches", "--db", str(company), "--as-of", AS_OF.isoformat(), env={"CSDATA_LANG": "zh"})
    assert text.returncode == 0 and text.stdout.splitlines()[0].startswith("截至 2026-05-20 共 12 项违规")
    assert t("breach_rule_callback_overdue", "zh") in text.stdout
    for bad, key in (
        (["--rule", "late"], "breach_unknown_rule"),
        (["--client", "Zed"], "err_unknown_client"),
    ):
        result = run_cli("breaches", "--db", str(company), *bad)
        assert result.returncode == 2 and result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("csdata: " + t(key, "en").split("'")[0])
    result = run_cli("breaches", "--db", str(company), "--as-of", "2026-02-30")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    # The rules are part of the policy `csdata policy show` prints.
    shown = run_cli("policy", "show", "--db", str(company)).stdout.splitlines()
    assert shown[shown.index(t("policy_compliance", "en")) + 3].strip().split("  ") == [
        "complaint_unaccepted",
        "yes",
        t("role_supervisor", "en"),
        t("policy_rule_days", "en") + " 7",
        t("breach_rule_complaint_unaccepted", "en"),
    ]


def _queue(company, name: str, lang: str, served, monkeypatch) -> AppTest:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CSDATA_DB", str(company))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    sign_in_as(at, name)
    at.run()
    at.switch_page("views/compliance.py").run()
    at.date_input(key="compliance_as_of").set_value(AS_OF).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["admin", "acme_client", "beta_sup"])
def test_the_page_and_its_download_show_the_same_queue(company, tmp_path, served, monkeypatch, name, lang):
    import shutil

    db = tmp_path / "page.duckdb"  # the app holds its file open: a copy of its own
    shutil.copyfile(company, db)
    at = _queue(db, name, lang, served, monkeypatch)
    expected = [EXPECTED[i] for i in ACCOUNTS[name][1]]
    table = at.dataframe[0].value
    heading = {c: column_label(c, lang) for c in compliance.COLUMNS}
    assert list(table.columns[:10]) == [heading[c] for c in compliance.COLUMNS]
    assert list(table[heading["subject_id"]]) == [e[2] for e in expected]
    assert list(table[heading["rule"]]) == [t(family_key("breach_rule_", e[0]), lang) for e in expected]
    assert list(table[heading["owner_role"]]) == [t(family_key("role_", e[7]), lang) for e in expected]
    assert list(table[heading["since"]].astype(str)) == [str(e[6]) for e in expected]
    for fmt in ("csv", "xlsx"):
        data = download(at, f"dl_breaches_{fmt}", served)
        if fmt == "csv":
            got = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        else:
            got = pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=str)
        assert list(got[heading["subject_id"]]) == [e[2] for e in expected]
        assert list(got[heading["age_days"]]) == [str((AS_OF - e[6]).days) for e in expected]
        assert list(got[heading["client"]]) == [e[4] for e in expected]
        if name == "acme_client":  # the agent (A1) and the team stay the company's
            assert set(got[heading["employee_id"]].fillna("")) == set(got[heading["team"]].fillna("")) == {""}
    if name == "acme_client":  # no agent, no team filter, no form: a client owns no rule
        assert set(table[heading["employee_id"]].fillna("")) == set(table[heading["team"]].fillna("")) == {""}
        assert not at.form and "compliance_teams" not in [w.key for w in at.multiselect]
        assert set(at.multiselect(key="compliance_rules").options) == {
            t(family_key("breach_rule_", r), lang) for r in ("complaint_unaccepted", "callback_overdue")
        }


def test_the_rule_filter_comes_from_the_address_and_a_step_is_taken_on_the_page(
    company, tmp_path, served, monkeypatch
):
    import shutil

    db = tmp_path / "form.duckdb"
    shutil.copyfile(company, db)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CSDATA_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    sign_in_as(at, "beta_sup")
    at.run()
    at.query_params["rule"] = "below_standard_without_coaching"
    at.switch_page("views/compliance.py").run()
    at.date_input(key="compliance_as_of").set_value(AS_OF).run()
    assert list(at.dataframe[0].value[column_label("subject_id", "en")]) == ["A3"]
    # The supervisor owns this rule: the form offers the one breach listed.
    assert at.selectbox(key=f"compliance_pick_{AS_OF}").options == [
        f"2026-04-15 · {t('breach_rule_below_standard_without_coaching', 'en')} · A3"
    ]
    at.radio(key="compliance_what").set_value("acknowledged")
    at.text_input(key="compliance_note").input("coaching booked for Friday")
    next(b for b in at.button if b.form_id == "compliance_step").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == t("compliance_done_acknowledged", "en")
    table = at.dataframe[0].value
    assert list(table[column_label("state", "en")]) == [t("breach_state_acknowledged", "en")]
    assert list(table[column_label("owner", "en")]) == ["beta_sup"]
    # The step is listed under the queue, as kept.
    steps = at.dataframe[1].value
    assert list(steps[column_label("note", "en")]) == ["coaching booked for Friday"]
    assert list(steps[column_label("actor", "en")]) == ["beta_sup"]


# -- the rules as policy data ----------------------------------------------------------------------


def test_the_rules_are_a_table_of_the_policy_and_versioned_like_its_numbers():
    policy = pol.default_policy()
    tables = pol.to_tables(policy)
    rows = tables["compliance"]
    assert [r["rule"] for r in rows] == list(pol.RULES)
    assert rows[2] == {"rule": "complaint_unaccepted", "on": True, "owner": "supervisor", "days": 7,
                       "audits_per_agent_month": None}  # fmt: skip
    assert rows[8]["audits_per_agent_month"] == 4 and rows[8]["owner"] == "qa"
    rows[3]["on"] = False
    rows[5]["days"] = 10.0  # a table editor's number
    rows[8]["audits_per_agent_month"] = 6
    rows[0]["days"] = 5  # a number this rule has not: no field of it
    scalars = {k: getattr(policy, k) for k in pol.SCALARS}
    back = pol.from_tables(tables, policy.scorecard.pass_mark, scalars)
    assert back.compliance.callback_overdue.on is False
    assert back.compliance.below_standard_without_coaching.days == 10
    assert back.compliance.audits_below_plan.audits_per_agent_month == 6
    assert "days" not in back.compliance.went_live_before_passing.model_dump()
    assert "callback_overdue" not in back.compliance.active()
    changes = pol.policy_changes(policy, back)
    assert "compliance.callback_overdue.on: True → False" in changes
    assert "compliance.audits_below_plan.audits_per_agent_month: 4 → 6" in changes
    # A version stored before the rules were policy data loads with the defaults.
    body = json.loads(policy.model_dump_json())
    del body["compliance"]
    assert pol.Policy.model_validate(body).compliance == pol.ComplianceRules()
    # A bad number is refused, named as the editor names it, in both languages.
    rows[2]["days"] = -1
    rows[4]["owner"] = "client"
    body = pol.tables_body(tables, policy.scorecard.pass_mark, scalars)
    with pytest.raises(pol.ValidationError) as refused:
        pol.Policy.model_validate(body)
    for lang in ("en", "zh"):
        lines = pol.messages(refused.value, body, lang)
        assert len(lines) == 2, lines
        place = f"{t('policy_compliance', lang)} › {t('breach_rule_complaint_unaccepted', lang)} › "
        assert lines[0].startswith(place + t("policy_rule_days", lang)), lines
        assert lines[1].startswith(
            f"{t('policy_compliance', lang)} › {t('breach_rule_action_overdue', lang)} › {t('policy_rule_owner', lang)}"
        ), lines


# -- the demo company's planted breaches -----------------------------------------------------------


def test_the_demo_company_shows_its_planted_breaches_on_its_last_day(sample_db):
    """The breaches the generator plants (`csdata.demo.sample`'s note), as of the day before its
    `as_of`: the rules about onboarding, the second D and the long-overdue actions hold exactly
    the planted ids; every agent of Skyline 3 (the team that trains well below 8 hours) live
    through Q3 is short of hours; every rule has breaches to show."""
    from conftest import DEMO_AS_OF

    from csdata.demo import sample

    last = DEMO_AS_OF - dt.timedelta(days=1)  # 2026-10-31: last complete quarter Q3, month September
    wh = Warehouse(sample_db, read_only=True)
    try:
        found = compliance.breaches(wh, as_of=last)
        skyline3 = set(
            wh.column(
                "SELECT employee_id FROM employees WHERE team = 'Skyline 3' AND position = 'agent'"
                " AND coalesce(go_live_date, hire_date) <= DATE '2026-07-01'"
                " AND coalesce(left_on > DATE '2026-10-31', status = 'active')"
            )
        )
    finally:
        wh.close()

    def of(rule: str) -> pd.DataFrame:
        return found[found["rule"] == rule]

    onboarding = sorted((*sample.EARLY_GO_LIVE, sample.NEVER_PASSED))  # E00176, E00179, E00183
    assert sorted(of("went_live_before_passing")["subject_id"]) == onboarding
    assert sorted(of("handled_before_passing")["subject_id"]) == onboarding
    assert list(of("below_standard_twice")["subject_id"]) == [sample.TWO_QUARTERS_D]
    overdue = of("action_overdue")
    assert len(overdue[overdue["age_days"] > 30]) == sample.OVERDUE_OPEN_ACTIONS  # 5
    assert skyline3 and skyline3 <= set(of("training_hours_short")["subject_id"])
    assert set(found["rule"]) == set(pol.RULES)


@pytest.mark.parametrize(("name", "lang"), [("admin", "en"), ("acme_client", "zh"), ("beta_sup", "zh")])
def test_the_overview_counts_each_rule_with_a_link_to_its_queue(company, tmp_path, monkeypatch, name, lang):
    """As of today: each count is the number of rows `csdata breaches --as` gives for its rule, and
    its link opens the queue of that rule; a client company's account has the two ticket rules only."""
    import shutil

    db = tmp_path / "overview.duckdb"
    shutil.copyfile(company, db)
    args = ["breaches", "--db", str(db), "--json"] + ([] if name == "admin" else ["--as", name])
    listed = pd.DataFrame(json.loads(run_cli(*args).stdout), columns=list(compliance.COLUMNS))
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("CSDATA_DB", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["lang"] = lang
    sign_in_as(at, name)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    links = [link.proto for link in at.get("page_link")]
    rules = (
        ["complaint_unaccepted", "callback_overdue"] if name == "acme_client" else list(pol.RULES)
    )  # every rule is switched on in the default policy
    assert [link.query_string for link in links] == [f"rule={r}" for r in rules]
    assert {link.page for link in links} == {"compliance"}
    counts = listed["rule"].value_counts()
    assert [link.label for link in links] == [
        t(
            "compliance_overview_link",
            lang,
            rule=t(family_key("breach_rule_", r), lang),
            count=int(counts.get(r, 0)),
        )
        for r in rules
    ]
    if name == "beta_sup":  # A3's missing coaching after 2026-Q1: the one such breach of Beta 1
        assert counts["below_standard_without_coaching"] == 1
