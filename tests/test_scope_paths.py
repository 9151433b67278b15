"""Every read and write path, walked for a client company's account and for a supervisor.

The tiny warehouse has two clients (Acme, Beta) and one team each (Acme-1, Beta-1); here it also
gets corrective actions, bonuses, go-live days and import-log rows. The account manager of Acme
and the supervisor of Beta-1 each walk every metric split, every dashboard listing, every
look-up, every export, the payroll, the follow-up lists, the forms, the workflow steps and the
import, and nothing outside their scope may come back: no row, name, total or choice.

What each account may see is worked out here from the fixture's own lists (conftest's TICKETS,
EMPLOYEES, AUDITS, TRAINING, APPRAISALS and the rows added below), never from the code's output.
A last test reads the source: no role name is compared outside `csdata/access/scope.py`.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import io

import pandas as pd
import pytest
from conftest import APPRAISALS, AUDITS, CANDIDATES, EMPLOYEES, REQUISITIONS, ROOT, TICKETS, TRAINING, run_cli

from csdata import pages
from csdata.access import auth
from csdata.analytics import calibration, compiler, exports, lookups, payroll
from csdata.analytics.compiler import Filters
from csdata.imports import ingest
from csdata.policy import load_policy
from csdata.records import entry
from csdata.text.i18n import Problem

PASSWORD = "long enough password"
ALL_YEAR = Filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
PERSON = {e[0]: {"team": e[2], "client": e[3], "position": e[4], "left": e[6]} for e in EMPLOYEES}

# The accounts walked: (role, clients, teams).
ACCOUNTS = {
    "acme_client": ("client", ("Acme",), ()),
    "beta_sup": ("supervisor", (), ("Beta-1",)),
}
# Added to the tiny warehouse: corrective actions (id, audit, agent), bonuses, go-live days and
# import-log rows (actor, kind).
ACTIONS = [("CA1", "AU1", "A1"), ("CA2", "AU3", "B1")]
BONUSES = [("A1", 300), ("B1", 200)]
GO_LIVE = {"A2": "2026-03-01", "N1": "2026-03-05"}
IMPORTS = [("beta_sup", "tickets"), ("acme_sup", "tickets"), ("hr1", "training"), ("qa1", "audits")]


@pytest.fixture
def wh(tiny):
    for name, (role, clients, teams) in ACCOUNTS.items():
        auth.add_user(tiny, "test", name, role, PASSWORD, clients, teams)
    auth.add_user(tiny, "test", "acme_sup", "supervisor", PASSWORD, teams=("Acme-1",))
    with tiny.transaction("test", "fixture") as w:
        for action_id, audit_id, agent in ACTIONS:
            w.execute(
                "INSERT INTO corrective_actions (action_id, audit_id, agent_id, kind, due_on)"
                " VALUES (?, ?, ?, 'coaching', DATE '2026-03-20')",
                [action_id, audit_id, agent],
            )
            w.execute(
                "INSERT INTO action_steps (action_id, actor, status, on_date) VALUES (?, 'test', 'open', '2026-03-10')",
                [action_id],
            )
            w.execute(
                "INSERT INTO coaching_sessions (session_id, employee_id, held_on, coach_id, topic, recorded_by)"
                " VALUES (?, ?, '2026-03-10', 'Q1', 'test', 'test')",
                [f"CS-{action_id}", agent],
            )
        for employee, amount in BONUSES:
            w.execute(
                "INSERT INTO bonuses (employee_id, period, amount, reason) VALUES (?, '2026-Q1', ?, 'test')",
                [employee, amount],
            )
        for employee, day in GO_LIVE.items():
            w.execute("UPDATE employees SET go_live_date = ? WHERE employee_id = ?", [day, employee])
        for actor, kind in IMPORTS:
            w.execute(
                "INSERT INTO import_log (actor, kind, file_name, rows, imported, duplicates, rejected)"
                " VALUES (?, ?, 'f.csv', 1, 1, 0, 0)",
                [actor, kind],
            )
    return tiny


def _limits(name: str) -> tuple[str, tuple, tuple]:
    return ACCOUNTS[name]


def _ticket_seen(name: str, ticket: dict) -> bool:
    _, clients, teams = _limits(name)
    return (not clients or ticket["client"] in clients) and (not teams or ticket["team"] in teams)


def _person_seen(name: str, employee_id: str) -> bool:
    """A person of the company: never for a client company's account."""
    role, clients, teams = _limits(name)
    person = PERSON[employee_id]
    if role == "client":
        return False
    return (not clients or person["client"] in clients) and (not teams or person["team"] in teams)


def _audit_seen(name: str, agent: str) -> bool:
    """An audit (the tiny audits name no client: they take their agent's)."""
    _, clients, teams = _limits(name)
    person = PERSON[agent]
    return (not clients or person["client"] in clients) and (not teams or person["team"] in teams)


def _tickets(name: str) -> list[dict]:
    return [t for t in TICKETS if _ticket_seen(name, t)]


def _ids(rows) -> list[str]:
    return sorted(rows)


def _external(name: str) -> bool:
    return _limits(name)[0] == "client"


@pytest.fixture(params=list(ACCOUNTS))
def account(request, wh):
    return request.param, auth.load_user(wh, request.param).scope


# -- reading ------------------------------------------------------------------------------------


def test_metric_tables_by_client_team_and_agent(wh, account):
    name, scope = account
    tickets = _tickets(name)
    audits = [a for a in AUDITS if _audit_seen(name, a[2])]
    by_client = compiler.metric_table(wh, ["offered", "complaints", "audits"], ALL_YEAR, "client", scope)
    assert sorted(by_client["key"]) == sorted({t["client"] for t in tickets})
    assert by_client["offered"].sum() == len(tickets)
    assert by_client["complaints"].sum() == sum(t["type"] == "complaint" for t in tickets)
    assert by_client["audits"].sum() == len(audits)
    whole = compiler.metric_values(wh, ["offered", "audits"], ALL_YEAR, scope)
    assert whole == {"offered": len(tickets), "audits": len(audits)}
    # a filter naming what lies outside the scope brings nothing back
    other = Filters(ALL_YEAR.start, ALL_YEAR.end, clients=("Acme", "Beta"), teams=("Acme-1", "Beta-1"))
    assert compiler.metric_values(wh, ["offered"], other, scope)["offered"] == len(tickets)
    if _external(name):
        for by in ("team", "agent"):
            with pytest.raises(PermissionError):
                compiler.metric_table(wh, ["offered"], ALL_YEAR, by, scope)
        return
    teams = {t["team"] for t in tickets}
    by_team = compiler.metric_table(wh, ["offered", "audits", "training_hours"], ALL_YEAR, "team", scope)
    assert set(by_team["key"]) == teams
    assert by_team["offered"].sum() == len(tickets)
    people = {e for e in PERSON if _person_seen(name, e)}
    by_agent = compiler.metric_table(
        wh, ["offered", "audits", "training_hours", "appraisal_score"], ALL_YEAR, "agent", scope
    )
    assert set(by_agent["key"]) - {""} <= people
    assert by_agent["offered"].sum() == len(tickets)
    trained = {r[0] for r in TRAINING if r[0] in people}
    assert trained <= set(by_agent.loc[by_agent["training_hours"].notna(), "key"])


LISTINGS = (
    "complaint_path", "open_complaints", "actions", "go_live", "grades", "appraised",
    "agent_audits", "agent_training", "agent_appraisals", "recruit_stage_days", "recruit_requisitions",
)  # fmt: skip


def test_every_listing_is_named_here():
    source = inspect.getsource(compiler._listing_sql)
    named = set(ast.literal_eval(m) for m in __import__("re").findall(r'name == ("\w+")', source))
    assert named == set(LISTINGS)


@pytest.mark.parametrize("listing", LISTINGS)
def test_every_listing(wh, account, listing):
    name, scope = account
    policy = load_policy(wh)[1]
    if _external(name) and listing in compiler.INTERNAL_LISTINGS:
        with pytest.raises(PermissionError):
            compiler.listing_sql(listing, ALL_YEAR, scope, policy)
        return
    people = sorted(e for e in PERSON if _person_seen(name, e))
    outsider = next(e for e in ("A1", "B1") if e not in people)
    insider = next((e for e in ("A1", "B1") if e in people), outsider)

    def rows(filters=ALL_YEAR) -> pd.DataFrame:
        sql, params = compiler.listing_sql(listing, filters, scope, policy)
        return wh.df(sql, params)

    complaints = [t for t in _tickets(name) if t["type"] == "complaint"]
    if listing == "complaint_path":
        assert rows()["tickets"].sum() == len(complaints)
    elif listing == "open_complaints":
        frame = rows()
        assert _ids(frame["ticket_id"]) == _ids(
            t["ticket_id"] for t in complaints if not t["customer_accepted"]
        )
        assert ("agent_id" in frame) != _external(name)
    elif listing == "actions":
        assert rows()["actions"].sum() == sum(a[2] in people for a in ACTIONS)
    elif listing == "go_live":
        assert _ids(rows()["employee_id"]) == _ids(e for e in GO_LIVE if e in people)
    elif listing == "grades":
        assert rows()["people"].sum() == sum(e in people for e, _ in APPRAISALS)
    elif listing == "appraised":
        assert _ids(rows()["employee_id"]) == _ids(e for e, _ in APPRAISALS if e in people)
    elif listing in ("recruit_requisitions", "recruit_stage_days"):  # those of the scope's teams
        _, clients, teams = _limits(name)
        mine = {
            r[0] for r in REQUISITIONS if (not clients or r[2] in clients) and (not teams or r[1] in teams)
        }
        if listing == "recruit_requisitions":
            assert _ids(rows()["requisition_id"]) == _ids(mine)
        else:  # every candidate of those requisitions who was screened
            screened = rows().set_index("recruit_stage")["candidates"].get("screening", 0)
            assert screened == sum(c[1] in mine and len(c[3]) > 1 for c in CANDIDATES)
    else:  # one agent's own history: an agent outside the scope has none
        one = Filters(ALL_YEAR.start, ALL_YEAR.end, agents=(outsider,))
        assert rows(one).empty
        mine = Filters(ALL_YEAR.start, ALL_YEAR.end, agents=(insider,))
        expected = {
            "agent_audits": sum(a[2] == insider for a in AUDITS),
            "agent_training": sum(r[0] == insider for r in TRAINING),
            "agent_appraisals": sum(e == insider for e, _ in APPRAISALS),
        }[listing]
        assert len(rows(mine)) == expected


# The look-ups that list or count what an account may see, each walked below; the others answer
# about one thing already chosen within the scope, or about the company as a whole.
SCOPED_LOOKUPS = {
    "clients", "teams", "agents", "employees", "people_in_scope", "follow_ups",
    "follow_up_counts", "ticket_in_scope", "ticket", "ticket_rounds", "import_log", "actions", "action",
    "action_steps", "coaching", "employee_history", "teamwork_proposals", "records", "recognitions",
    "open_calibrations",
}  # fmt: skip
UNSCOPED_LOOKUPS = {
    "ticket_date_range", "data_span", "employee_names", "appraisal_periods", "audit_log",
    "agent_place", "employee_exists", "employee_team", "team_members", "departments",
    "department_names", "last_round", "next_id", "courses", "course_pass_mark", "next_attempt",
    "period_bounds", "performance_base", "appraisal_of", "action_exists", "last_step_day", "audit_agent",
    "audits_of", "appraised_periods", "appraised_in", "teamwork_proposal",
}  # fmt: skip


def test_every_lookup_is_either_scoped_or_says_why_not():
    functions = {
        n for n, f in vars(lookups).items()
        if inspect.isfunction(f) and f.__module__ == lookups.__name__ and not n.startswith("_")
    }  # fmt: skip
    assert functions == SCOPED_LOOKUPS | UNSCOPED_LOOKUPS
    for n in SCOPED_LOOKUPS:
        assert "scope" in inspect.signature(getattr(lookups, n)).parameters, n


# The payroll's look-ups (`csdata.analytics.payroll`), classified the same way: the month's rows
# are pay, within the scope; the months, a month's parsing, a frame's totals and the rounding to cents show no one.
SCOPED_PAYROLL = {"payroll"}
UNSCOPED_PAYROLL = {"parse_month", "months", "totals", "cents"}


def test_every_payroll_lookup_is_either_scoped_or_says_why_not():
    functions = {
        n for n, f in vars(payroll).items()
        if inspect.isfunction(f) and f.__module__ == payroll.__name__ and not n.startswith("_")
    }  # fmt: skip
    assert functions == SCOPED_PAYROLL | UNSCOPED_PAYROLL
    for n in SCOPED_PAYROLL:
        assert "scope" in inspect.signature(getattr(payroll, n)).parameters, n


def _follows(ticket: dict) -> bool:
    """On the follow-up list "all": a complaint not accepted, a suggestion not decided, a
    callback promised and not made."""
    return (
        (ticket["type"] == "complaint" and not ticket.get("customer_accepted"))
        or (ticket["type"] == "suggestion" and ticket.get("suggestion_adopted") is None)
        or (ticket.get("callback_promised_at") is not None and ticket.get("callback_done_at") is None)
    )


def test_every_lookup(wh, account):
    name, scope = account
    role, clients, teams = _limits(name)
    tickets = _tickets(name)
    people = {e for e in PERSON if _person_seen(name, e)}
    active = {e for e in people if not PERSON[e]["left"]}
    served = sorted({t["client"] for t in tickets})
    assert lookups.clients(wh, scope) == served
    assert lookups.teams(wh, scope) == ([] if _external(name) else sorted(teams))
    assert lookups.teams(wh, scope, ("Acme", "Beta")) == lookups.teams(wh, scope)
    agents = {e for e in active if PERSON[e]["position"] == "agent"}
    assert set(lookups.agents(wh, scope)["employee_id"]) == agents
    assert set(lookups.employees(wh, scope=scope)["employee_id"]) == active
    assert set(lookups.people_in_scope(wh, scope)) == people
    assert payroll.payroll(wh, "2026-03", scope).empty  # neither sees pay
    counts = lookups.follow_up_counts(wh, scope, now=dt.datetime(2026, 12, 31))
    for which in lookups.FOLLOW_LISTS:
        listed = set(lookups.follow_ups(wh, scope, which=which, now=dt.datetime(2026, 12, 31))["ticket_id"])
        assert listed <= {t["ticket_id"] for t in tickets}, which
        assert len(listed) == counts[which], which
    following = {t["ticket_id"] for t in tickets if _follows(t)}
    assert set(lookups.follow_ups(wh, scope)["ticket_id"]) == following
    for ticket in TICKETS:
        seen = _ticket_seen(name, ticket)
        typed = f" {ticket['ticket_id'].lower()} "
        assert lookups.ticket_in_scope(wh, typed, scope) == (ticket["ticket_id"] if seen else None)
        assert (lookups.ticket(wh, ticket["ticket_id"], scope) is not None) == seen
        if not seen:
            assert lookups.ticket_rounds(wh, ticket["ticket_id"], scope).empty
    log = lookups.import_log(wh, scope, name)
    assert list(log["actor"]) == [a for a, _ in reversed(IMPORTS) if a == name and role == "supervisor"]
    assert lookups.import_log(wh, scope).empty  # a scope that shows its own files, without a name
    acted = {a for a, _, agent in ACTIONS if agent in people}
    assert set(lookups.actions(wh, scope)["action_id"]) == acted
    for action_id, _, _ in ACTIONS:
        assert (lookups.action(wh, action_id, scope) is not None) == (action_id in acted)
        assert len(lookups.action_steps(wh, action_id, scope)) == (action_id in acted)
    assert set(lookups.coaching(wh, scope)["employee_id"]) == {
        agent for _, _, agent in ACTIONS if agent in people
    }
    # Calibration sets (two auditors on one ticket): about the company's auditors, never for a
    # client company's account; a supervisor sees those of their teams' agents.
    sets = {"T1": "A1", "T5": "B1"}
    with wh.transaction("test", "fixture") as w:
        for n, (ticket, agent) in enumerate(sets.items()):
            for auditor, score in (("Q1", 80), ("S1", 90)):
                w.execute(
                    "INSERT INTO audits (audit_id, audited_at, agent_id, auditor_id, ticket_id, source, score)"
                    " VALUES (?, DATE '2026-03-20', ?, ?, ?, 'calibration', ?)",
                    [f"K{n}{auditor}", agent, auditor, ticket, score],
                )
    seen = {ticket for ticket, agent in sets.items() if agent in people}
    listed = lookups.open_calibrations(wh, scope, dt.date(2026, 3, 31))
    assert set(listed["ticket_id"]) == seen
    assert calibration.measure(wh, scope).sets == len(seen)


def test_pay_within_a_limited_pay_role(wh):
    scope = auth.add_user(wh, "test", "fin_beta", "finance", PASSWORD, ["Beta"]).scope
    # March 2026's payroll: Beta's people employed in March (L1 left in January); the Q1 bonuses
    # name only their period and are paid with its last month, March.
    march = payroll.payroll(wh, "2026-03", scope)
    beta = [e for e, p in PERSON.items() if p["client"] == "Beta" and not p["left"]]
    assert _ids(march["employee_id"]) == _ids(beta)
    appraised = march[march["performance_pay"].notna()]
    assert _ids(appraised["employee_id"]) == _ids(e for e, _ in APPRAISALS if PERSON[e]["client"] == "Beta")
    assert march["bonus"].sum() == sum(a for e, a in BONUSES if PERSON[e]["client"] == "Beta")


@pytest.mark.parametrize("table", exports.EXPORTS)
def test_every_export(wh, account, table):
    name, scope = account
    sql, params = exports.export_sql(table, load_policy(wh)[1], scope)
    frame = wh.df(sql, params)
    people = {e for e in PERSON if _person_seen(name, e)}
    expected = {
        "tickets": [t["ticket_id"] for t in _tickets(name)],
        "audits": [a[0] for a in AUDITS if _audit_seen(name, a[2])],
        "training": [r[0] for r in TRAINING if r[0] in people],
        "appraisals": [e for e, _ in APPRAISALS if e in people],
        "employees": list(people),
    }[table]
    column = {"tickets": "ticket_id", "audits": "audit_id"}.get(table, "employee_id")
    assert _ids(frame[column]) == _ids(expected)
    if _external(name) and "agent_id" in frame:
        assert frame["agent_id"].isna().all()


def test_the_command_line_exports_within_an_account(wh):
    db = wh.address
    wh.close()
    done = run_cli("export", "tickets", "--db", str(db), "--as", "beta_sup", "--out", "-")
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(io.BytesIO(done.stdout.encode()), encoding="utf-8-sig")
    assert _ids(frame["ticket_id"]) == _ids(t["ticket_id"] for t in _tickets("beta_sup"))
    everything = run_cli("export", "tickets", "--db", str(db), "--out", "-")
    assert everything.stdout.count("\n") == len(TICKETS) + 1
    unknown = run_cli("export", "tickets", "--db", str(db), "--as", "nobody", "--out", "-")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr and not unknown.stdout


# -- writing ------------------------------------------------------------------------------------


def _refused(key: str, call) -> None:
    with pytest.raises(Problem) as raised:
        call()
    assert raised.value.key == key


def test_forms_refuse_what_lies_outside(wh, account):
    name, scope = account
    before = wh.scalar("SELECT count(*) FROM tickets"), wh.scalar("SELECT count(*) FROM audits")
    ticket = {
        "client": "Beta",
        "channel": "chat",
        "type": "consultation",
        "opened_at": dt.datetime(2026, 3, 30),
    }
    if _external(name):  # a client company's account writes nothing, not even for its own client
        _refused("entry_client_out_of_scope", lambda: entry.save_ticket(wh, name, scope, ticket))
        own = {**ticket, "client": "Acme"}
        _refused("imp_kind_not_yours", lambda: entry.save_ticket(wh, name, scope, own))
        _refused(
            "entry_agent_out_of_scope", lambda: entry.save_ticket(wh, name, scope, {**own, "agent_id": "A1"})
        )
    else:
        acme = {**ticket, "client": "Acme"}
        _refused("entry_client_out_of_scope", lambda: entry.save_ticket(wh, name, scope, acme))
        _refused(
            "entry_agent_out_of_scope",
            lambda: entry.save_ticket(wh, name, scope, {**ticket, "agent_id": "A1"}),
        )
        # its own agent's ticket lands, in its own queue
        assert (
            entry.save_ticket(wh, name, scope, {**ticket, "ticket_id": "F1", "agent_id": "B1"}).imported == 1
        )
        assert wh.scalar("SELECT team FROM tickets WHERE ticket_id = 'F1'") == "Beta-1"
    audit = {"audited_at": dt.date(2026, 3, 20), "agent_id": "B1", "auditor_id": "Q1", "source": "recording"}
    _refused("imp_kind_not_yours", lambda: entry.save_audit(wh, name, audit, scope=scope))
    training = {"employee_id": "B1", "course": "Product update", "kind": "in_service", "taken_on": dt.date(2026, 3, 21),
                "hours": 1}  # fmt: skip
    _refused("imp_kind_not_yours", lambda: entry.save_training(wh, name, training, scope))
    appraisal = {"period": "2026-Q1", "employee_id": "N1", "satisfaction": 80, "quality": 80, "efficiency": 80,
                 "teamwork": 80}  # fmt: skip
    _refused("imp_kind_not_yours", lambda: entry.save_appraisal(wh, name, appraisal, scope=scope))
    added = 0 if _external(name) else 1
    assert (wh.scalar("SELECT count(*) FROM tickets"), wh.scalar("SELECT count(*) FROM audits")) == (
        before[0] + added,
        before[1],
    )


def test_workflow_steps_refuse_a_ticket_outside(wh, account):
    name, scope = account
    at = dt.datetime(2026, 4, 5, 12)
    # outside: another client's tickets; a client company's account may not touch even its own
    outside = [t["ticket_id"] for t in TICKETS if not _ticket_seen(name, t) or _external(name)]
    steps = {
        "route": lambda tid: entry.route(wh, name, tid, "billing", at, scope),
        "feedback": lambda tid: entry.feedback(wh, name, tid, at, scope),
        "accept": lambda tid: entry.accept(wh, name, tid, scope, at),
        "reopen": lambda tid: entry.reopen(wh, name, tid, scope, at),
        "callback": lambda tid: entry.callback_done(wh, name, tid, at, scope),
        "suggestion": lambda tid: entry.adopt_suggestion(wh, name, tid, True, 10, scope),
    }
    before = wh.df("SELECT * FROM tickets ORDER BY ticket_id")
    rounds = wh.scalar("SELECT count(*) FROM complaint_rounds")
    for step, call in steps.items():
        for tid in outside:
            with pytest.raises(Problem) as raised:
                call(tid)
            assert raised.value.key == "wf_out_of_scope", (step, tid)
    pd.testing.assert_frame_equal(wh.df("SELECT * FROM tickets ORDER BY ticket_id"), before)
    assert wh.scalar("SELECT count(*) FROM complaint_rounds") == rounds
    assert not wh.scalar("SELECT count(*) FROM audit_log WHERE starts_with(action, 'ticket.')")


def test_imports_reject_rows_outside(wh, account):
    name, scope = account
    rows = pd.DataFrame(
        [
            {"ticket_id": "I1", "client": "Beta", "channel": "chat", "type": "consultation", "agent_id": "B1",
             "opened_at": "2026-03-30 10:00:00"},
            {"ticket_id": "I2", "client": "Acme", "channel": "chat", "type": "consultation", "agent_id": "A1",
             "opened_at": "2026-03-30 11:00:00"},
            {"ticket_id": "I3", "client": "Beta", "channel": "chat", "type": "consultation", "agent_id": "A1",
             "opened_at": "2026-03-30 12:00:00"},
        ]
    )  # fmt: skip
    if _external(name):
        _refused(
            "imp_kind_not_yours", lambda: ingest.import_file(wh, "tickets", rows, "t.csv", name, scope=scope)
        )
    else:
        report = ingest.import_file(wh, "tickets", rows, "t.csv", name, scope=scope)
        assert report.imported == 1 and report.rejected == 2
        assert {r.key for r in report.rejects} >= {"imp_client_out_of_scope", "imp_agent_out_of_scope"}
        assert wh.column("SELECT ticket_id FROM tickets WHERE starts_with(ticket_id, 'I')") == ["I1"]
    audits = pd.DataFrame(
        [{"audit_id": "X1", "audited_at": "2026-03-20", "agent_id": "B1", "auditor_id": "Q1"}]
    )
    _refused(
        "imp_kind_not_yours", lambda: ingest.import_file(wh, "audits", audits, "a.csv", name, scope=scope)
    )


# -- one place compares role names ----------------------------------------------------------------

ROLE_NAMES = frozenset(pages.ROLES)
# "client" also names a column, a grouping and a kind of limit: alone it is not a role.
_ROLE_ONLY = ROLE_NAMES - {"client"}
ALLOWED = {"csdata/access/scope.py", "csdata/pages.py"}


def _names_role(node: ast.AST) -> bool:
    """A name or attribute that holds a role: `role`, `user.role`, `args.role`, `current_role`."""
    ident = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return ident == "role" or ident.endswith("_role")


def _role_literals(node: ast.AST) -> set[str]:
    """The role names a literal (a string, or a tuple, list or set of them) spells."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & ROLE_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(_role_literals(e) for e in node.elts)) if node.elts else set()
    if (
        isinstance(node, ast.Call)
        and node.args
        and getattr(node.func, "id", "") in ("frozenset", "set", "tuple")
    ):
        return _role_literals(node.args[0])
    return set()


def _is_role_names(names: set[str]) -> bool:
    return bool(names & _ROLE_ONLY) or len(names) > 1


def role_comparisons(source: str) -> list[str]:
    """Where a source compares a role or keys a table by role names (line: code)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        bad = False
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            membership = [isinstance(op, (ast.In, ast.NotIn)) for op in node.ops]
            # `role in ROLES` validates a role against the page table's list: allowed.
            validates = all(membership) and all(
                getattr(c, "id", getattr(c, "attr", "")) == "ROLES" for c in node.comparators
            )
            # so does asking whether a role was chosen at all (`role is None`)
            validates = validates or all(
                isinstance(c, ast.Constant) and c.value is None for c in node.comparators
            )
            bad = not validates and (
                any(_names_role(op) for op in operands)
                or any(_is_role_names(_role_literals(op)) for op in operands)
            )
        elif isinstance(node, ast.Match):
            bad = _names_role(node.subject) or any(
                isinstance(c.pattern, ast.MatchValue) and _is_role_names(_role_literals(c.pattern.value))
                for c in node.cases
            )
        elif isinstance(node, ast.Dict):
            bad = _is_role_names(set().union(*(_role_literals(k) for k in node.keys if k is not None)))
        if bad:
            found.append(f"{node.lineno}: {ast.get_source_segment(source, node)}")
    return found


def test_the_check_catches_role_tests():
    for code in (
        'user.role == "supervisor"',
        'role in ("admin", "hr")',
        'WRITES = {"admin": ("tickets",), "qa": ("audits",)}',
        'x = role != "client"',
        'current == ("admin", True)',
        "u.role in SEES_PAY",
        'match role:\n    case "admin":\n        pass',
        'if kind == "supervisor": pass',
    ):
        assert role_comparisons(code), code
    for code in (
        'level == "client"',
        "role not in ROLES",
        "if role is None: pass",
        'split == "client" or k == "client"',
        'row = {"client": 1, "channel": 2}',
        'tr(f"role_{user.role}")',
        'if "role" in shown: pass',
    ):
        assert not role_comparisons(code), code


def test_no_role_is_compared_outside_the_scope_module():
    files = (
        sorted((ROOT / "csdata").rglob("*.py")) + sorted((ROOT / "views").glob("*.py")) + [ROOT / "app.py"]
    )
    offences = {}
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith("csdata/demo/"):
            continue
        found = role_comparisons(path.read_text(encoding="utf-8"))
        if found:
            offences[rel] = found
    assert not offences, offences
