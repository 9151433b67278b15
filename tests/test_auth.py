"""Accounts and sign-in: hashing, the wait after repeated failures, identical refusals, the last
admin, and the scope an account's assignments give its queries."""

from __future__ import annotations

import datetime as dt

import pytest

from csdata.access import auth
from csdata.access.auth import AuthError, sign_in
from csdata.analytics import compiler, lookups
from csdata.analytics.compiler import Filters

MARCH = Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
T0 = dt.datetime(2026, 11, 1, 9, 0, 0)


@pytest.fixture
def accounts(tiny):
    auth.add_user(tiny, "test", "boss", "admin", "correct horse")
    auth.add_user(tiny, "test", "beta_viewer", "client", "battery staple", clients=["Beta"])
    auth.add_user(tiny, "test", "sup", "supervisor", "staple battery", teams=["Acme-1"])
    return tiny


def test_password_is_hashed_with_argon2(accounts):
    stored = accounts.scalar("SELECT password_hash FROM users WHERE username = 'boss'")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    logged = accounts.column("SELECT detail FROM audit_log WHERE entity = 'boss'")
    assert all("correct horse" not in (d or "") for d in logged)


def test_sign_in_ok_and_logged(accounts):
    result = sign_in(accounts, "boss", "correct horse", T0)
    assert result.user is not None and result.user.role == "admin"
    assert accounts.scalar("SELECT count(*) FROM audit_log WHERE action = 'auth.ok' AND entity = 'boss'") == 1


@pytest.mark.parametrize(
    ("name", "password"),
    [("boss", "wrong"), ("nobody", "correct horse"), ("boss' OR '1'='1", "x' OR '1'='1"), ("", "")],
)
def test_refusals_look_the_same(accounts, name, password):
    result = sign_in(accounts, name, password, T0)
    assert result.user is None and result.wait_seconds == 0 and not result.locked
    assert accounts.scalar("SELECT count(*) FROM users") == 3


def test_disabled_account_is_refused_like_a_wrong_password(accounts):
    auth.set_active(accounts, "test", "sup", False)
    assert sign_in(accounts, "sup", "staple battery", T0).user is None


def test_wait_grows_after_five_failures(accounts):
    assert [auth.wait_after(n) for n in range(4, 12)] == [0, 5, 10, 20, 40, 80, 160, 300]
    for i in range(5):
        assert sign_in(accounts, "boss", "wrong", T0 + dt.timedelta(seconds=i)).user is None
    # the fifth failure was at T0+4 s: a 5-second wait, during which even the right password is refused
    during = sign_in(accounts, "boss", "correct horse", T0 + dt.timedelta(seconds=6))
    assert during.user is None and during.locked and 0 < during.wait_seconds <= 5
    after = sign_in(accounts, "boss", "correct horse", T0 + dt.timedelta(seconds=10))
    assert after.user is not None
    # success resets the count
    assert sign_in(accounts, "boss", "wrong", T0 + dt.timedelta(seconds=11)).wait_seconds == 0


def test_failures_of_one_name_do_not_lock_another(accounts):
    for i in range(7):
        sign_in(accounts, "beta_viewer", "wrong", T0 + dt.timedelta(seconds=i))
    assert sign_in(accounts, "boss", "correct horse", T0 + dt.timedelta(seconds=8)).user is not None


def test_account_rules(accounts):
    with pytest.raises(AuthError, match="auth_short_password"):
        auth.add_user(accounts, "test", "x", "exec", "short")
    with pytest.raises(AuthError, match="auth_bad_name"):
        auth.add_user(accounts, "test", "robert'); DROP TABLE users;--", "exec", "long enough pw")
    with pytest.raises(AuthError, match="auth_bad_role"):
        auth.add_user(accounts, "test", "x", "king", "long enough pw")
    with pytest.raises(AuthError, match="err_unknown_client"):
        auth.add_user(accounts, "test", "x", "client", "long enough pw", clients=["Gamma"])
    with pytest.raises(AuthError, match="auth_client_needs_client"):
        auth.add_user(accounts, "test", "x", "client", "long enough pw")
    with pytest.raises(AuthError, match="auth_user_exists"):
        auth.add_user(accounts, "test", "boss", "exec", "long enough pw")
    assert accounts.scalar("SELECT count(*) FROM users") == 3


def test_last_admin_cannot_be_removed(accounts):
    with pytest.raises(AuthError, match="auth_last_admin"):
        auth.set_active(accounts, "boss", "boss", False)
    with pytest.raises(AuthError, match="auth_last_admin"):
        auth.update_user(accounts, "boss", "boss", "exec")
    auth.add_user(accounts, "boss", "second", "admin", "another long one")
    auth.update_user(accounts, "second", "boss", "exec")
    assert auth.load_user(accounts, "boss").role == "exec"


def test_client_account_scope_limits_numbers(accounts):
    user = auth.load_user(accounts, "beta_viewer")
    assert user.scope.clients == ("Beta",) and not user.scope.agents_visible
    assert compiler.metric_values(accounts, ["offered"], MARCH, user.scope) == {"offered": 4}
    with pytest.raises(PermissionError):
        compiler.metric_table(accounts, ["offered"], MARCH, "agent", user.scope)
    assert lookups.teams(accounts, user.scope) == []
    assert not user.scope.sees_pay and not user.may_open("pay") and user.may_open("overview")


def test_supervisor_scope_is_their_teams(accounts):
    user = auth.load_user(accounts, "sup")
    by_team = compiler.metric_table(accounts, ["offered"], MARCH, "team", user.scope)
    # Acme-1's queue in March: T1 T2 T4 (answered by its agents) and T3 (abandoned in its queue)
    assert by_team.to_dict("records") == [{"key": "Acme-1", "offered": 4.0}]
    assert lookups.teams(accounts, user.scope) == ["Acme-1"]


def test_password_change_and_audit(accounts):
    auth.set_password(accounts, "boss", "sup", "a brand new one")
    assert sign_in(accounts, "sup", "staple battery", T0).user is None
    assert sign_in(accounts, "sup", "a brand new one", T0).user is not None
    actions = accounts.column("SELECT action FROM audit_log WHERE entity = 'sup' ORDER BY id")
    assert actions[:2] == ["user.add", "user.passwd"]
