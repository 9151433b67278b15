"""The scope fails closed: every role × {no limits, one client, one team}, on every read path.

Expected rows come from the fixture's own lists (conftest's TICKETS and EMPLOYEES), not from the
query layer: what a limited account may see is worked out here independently.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import AUDITS, EMPLOYEES, TICKETS, run_cli
from pydantic import ValidationError

from csdata import pages
from csdata.access import auth
from csdata.access import scope as scopes
from csdata.access.auth import AuthError
from csdata.analytics import compiler, exports, lookups, page_queries, payroll
from csdata.analytics.compiler import Filters
from csdata.policy import load_policy
from csdata.store.warehouse import Warehouse

PASSWORD = "long enough password"
ALL_YEAR = Filters(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
TEAM_OF = {e[0]: e[2] for e in EMPLOYEES}
CLIENT_OF = {e[0]: e[3] for e in EMPLOYEES}

# What each limit should let through: clients of tickets, and people (by employee id).
LIMITS = {
    "none": ((), ()),
    "client": (("Beta",), ()),
    "team": ((), ("Beta-1",)),
}
REFUSED = {
    ("admin", "client"): "auth_admin_unlimited",
    ("admin", "team"): "auth_admin_unlimited",
    ("supervisor", "none"): "auth_supervisor_needs_team",
    ("supervisor", "client"): "auth_supervisor_needs_team",
    ("client", "none"): "auth_client_needs_client",
    ("client", "team"): "auth_client_needs_client",
    **{(role, "team"): "auth_teams_supervisor_only" for role in ("exec", "qa", "hr", "finance")},
}


def _ticket_ok(ticket: dict, clients: tuple, teams: tuple) -> bool:
    if clients and ticket["client"] not in clients:
        return False
    return not teams or ticket["team"] in teams  # the queue it was offered to, answered or not


def _person_ok(employee_id: str, clients: tuple, teams: tuple) -> bool:
    if clients and CLIENT_OF.get(employee_id) not in clients:
        return False
    return not teams or TEAM_OF.get(employee_id) in teams


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("role", pages.ROLES)
def test_every_role_and_limit_is_refused_or_sees_only_its_share(tiny, role, limit):
    clients, teams = LIMITS[limit]
    if (role, limit) in REFUSED:
        with pytest.raises(AuthError, match=REFUSED[(role, limit)]):
            auth.add_user(tiny, "test", "u1", role, PASSWORD, clients, teams)
        assert not tiny.scalar("SELECT count(*) FROM users WHERE username = 'u1'")
        return
    user = auth.add_user(tiny, "test", "u1", role, PASSWORD, clients, teams)
    scope = user.scope
    assert not user.scope.unassigned
    # a client account is limited to its clients; every other limit is as given
    expected = [t for t in TICKETS if _ticket_ok(t, clients, teams)]
    offered = compiler.metric_values(tiny, ["offered"], ALL_YEAR, scope)["offered"]
    assert offered == len(expected)
    policy = load_policy(tiny)[1]
    for table in exports.EXPORTS:
        sql, params = exports.export_sql(table, policy, scope)
        frame = tiny.df(sql, params)
        if table == "tickets":
            assert sorted(frame["ticket_id"]) == sorted(t["ticket_id"] for t in expected)
        else:
            person = "employee_id" if "employee_id" in frame else "agent_id"
            if scope.external:  # a client company's account: no agent named, no employee record
                assert frame[person].isna().all(), table
                audited = [a[0] for a in AUDITS if _person_ok(a[2], clients, teams)]
                assert sorted(frame.get("audit_id", [])) == (sorted(audited) if table == "audits" else [])
                continue
            assert all(_person_ok(p, clients, teams) for p in frame[person]), table
    pay = payroll.payroll(tiny, "2026-03", scope)
    assert all(_person_ok(p, clients, teams) for p in pay["employee_id"])
    follow = lookups.follow_ups(tiny, scope)
    assert set(follow["ticket_id"]) <= {t["ticket_id"] for t in expected}
    shown_clients = lookups.clients(tiny, scope)
    assert shown_clients == (["Beta"] if clients or teams else ["Acme", "Beta"])


@pytest.mark.parametrize("role", sorted(scopes.LIMITED))
def test_an_account_stored_without_its_limits_sees_nothing(tiny, role):
    """Accounts made before limits were required (or whose limits were removed) fail closed."""
    with tiny.transaction("test", "fixture") as w:
        w.execute(
            "INSERT INTO users (username, role, password_hash) VALUES ('bare', ?, ?)",
            [role, auth.hash_password(PASSWORD)],
        )
    user = auth.load_user(tiny, "bare")
    assert user.scope.unassigned
    scope = user.scope
    assert compiler.metric_values(tiny, ["offered", "qa_score"], ALL_YEAR, scope) == {
        "offered": 0,
        "qa_score": None,
    }
    policy = load_policy(tiny)[1]
    for table in exports.EXPORTS:
        sql, params = exports.export_sql(table, policy, scope)
        assert tiny.df(sql, params).empty, table
    assert payroll.payroll(tiny, "2026-03", scope).empty
    assert lookups.follow_ups(tiny, scope).empty
    assert lookups.clients(tiny, scope) == [] and lookups.teams(tiny, scope) == []
    assert lookups.agents(tiny, scope).empty


def test_a_client_account_sees_only_the_policys_client_metrics(tiny):
    user = auth.add_user(tiny, "test", "viewer", "client", PASSWORD, ["Acme", "Beta"])
    values = compiler.metric_values(
        tiny, ["offered", "qa_score", "appraisal_score", "training_hours"], ALL_YEAR, user.scope
    )
    unlimited = compiler.metric_values(tiny, ["appraisal_score", "training_hours"], ALL_YEAR)
    assert unlimited["appraisal_score"] is not None and unlimited["training_hours"] is not None
    # the same warehouse, the HR figures withheld in the query layer itself
    assert values["appraisal_score"] is None and values["training_hours"] is None
    assert values["offered"] == len(TICKETS) and values["qa_score"] is not None
    policy = load_policy(tiny)[1]
    for listing in compiler.INTERNAL_LISTINGS:
        with pytest.raises(PermissionError):
            compiler.listing_sql(listing, ALL_YEAR, user.scope, policy)


def test_client_metrics_are_policy_data(tiny):
    version, policy = load_policy(tiny)
    assert "qa_score" in policy.client_metrics and "appraisal_score" not in policy.client_metrics
    with pytest.raises(ValidationError, match="policy_internal_metric"):
        policy.model_validate({**policy.model_dump(), "client_metrics": ["offered", "training_hours"]})
    narrower = policy.model_validate({**policy.model_dump(), "client_metrics": ["offered", "csat_pct"]})
    scope = auth.add_user(tiny, "test", "viewer", "client", PASSWORD, ["Beta"]).scope
    wanted = page_queries.requests("overview", ALL_YEAR, scope=scope, policy=narrower)
    assert wanted["cards"].metrics == ("offered", "csat_pct")
    assert "qa_score" in page_queries.requests("overview", ALL_YEAR, policy=narrower)["cards"].metrics


def test_cli_refuses_a_limit_the_role_cannot_honour(tiny, tmp_path):
    db = tiny.address
    tiny.close()
    refused = run_cli("user", "add", "sup2", "--role", "supervisor", "--db", str(db), input=PASSWORD + "\n")
    assert refused.returncode == 2 and "team" in refused.stderr
    refused = run_cli(
        "user", "add", "hr2", "--role", "hr", "--team", "Beta-1", "--db", str(db), input=PASSWORD + "\n"
    )
    assert refused.returncode == 2 and "supervisor" in refused.stderr
    made = run_cli(
        "user", "add", "fin1", "--role", "finance", "--client", "Beta", "--db", str(db), input=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr


def test_an_account_is_linked_to_the_employee_who_uses_it(tiny, tmp_path):
    """`--employee` links an account to an existing employee (the forms fill that person in);
    an unknown id is refused before the password is asked, and nothing is written."""
    employee = tiny.scalar("SELECT min(employee_id) FROM employees")
    db = tiny.address
    tiny.close()
    refused = run_cli(
        "user", "add", "qa2", "--role", "qa", "--employee", "NOBODY", "--db", str(db), input=PASSWORD + "\n"
    )
    assert refused.returncode == 2 and "NOBODY" in refused.stderr
    made = run_cli(
        "user", "add", "qa2", "--role", "qa", "--employee", employee, "--db", str(db), input=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    listed = run_cli("user", "list", "--db", str(db))
    line = next(row for row in listed.stdout.splitlines() if row.strip().startswith("qa2"))
    assert employee in line
    assert "None" not in listed.stdout and "NaN" not in listed.stdout  # blanks are blank
    wh = Warehouse(db)
    try:
        assert auth.load_user(wh, "qa2").employee_id == employee
    finally:
        wh.close()
