"""Server-side sessions on a warehouse file: a token stored only as its hash, refused when unknown,
ended, idle or past its lifetime, sliding at most once a minute, and ended all at once by
sign-out, a closed account, a new password or a new role."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from csdata.access import auth, sessions
from csdata.access.sessions import LIFETIME

T0 = dt.datetime(2026, 11, 2, 9, 0, 0)
IDLE = 30


@pytest.fixture
def accounts(tiny):
    auth.add_user(tiny, "test", "boss", "admin", "correct horse")
    auth.add_user(tiny, "test", "sup", "supervisor", "staple battery", teams=["Acme-1"])
    return tiny


def _row(wh, token):
    return wh.rows(
        "SELECT username, created_at, last_seen_at, expires_at, ended_at, ended_why FROM sessions"
        " WHERE token_hash = ?",
        [hashlib.sha256(token.encode()).hexdigest()],
    )


def test_start_stores_only_the_hash_and_resume_gives_the_user(accounts):
    token = sessions.start(accounts, "sup", T0)
    assert len(token) >= 43  # 32 random bytes, url-safe base64
    dump = " ".join(str(v) for row in accounts.rows("SELECT * FROM sessions") for v in row)
    assert token not in dump
    assert token not in " ".join(accounts.column("SELECT CAST(detail AS VARCHAR) FROM audit_log"))
    [(name, created, seen, expires, ended, why)] = _row(accounts, token)
    assert (name, created, seen, expires, ended, why) == ("sup", T0, T0, T0 + LIFETIME, None, None)
    user = sessions.resume(accounts, token, IDLE, T0 + dt.timedelta(minutes=5))
    assert user is not None and user.username == "sup" and user.teams == ("Acme-1",)
    assert sessions.start(accounts, "sup", T0) != token  # a new one every time


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 43, "x" * 10_000, None])
def test_unknown_token_is_refused(accounts, token):
    sessions.start(accounts, "boss", T0)
    assert sessions.resume(accounts, token, IDLE, T0) is None
    assert sessions.check(accounts, token, IDLE, T0) == (None, sessions.UNKNOWN)


def test_the_hash_of_a_token_is_not_a_token(accounts):
    token = sessions.start(accounts, "boss", T0)
    stored = accounts.scalar("SELECT token_hash FROM sessions")
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert sessions.resume(accounts, stored, IDLE, T0) is None


def test_idle_too_long_is_refused_and_use_slides_at_most_once_a_minute(accounts):
    token = sessions.start(accounts, "boss", T0)
    log = accounts.scalar("SELECT count(*) FROM audit_log")
    # Within the minute: no write.
    assert sessions.resume(accounts, token, IDLE, T0 + dt.timedelta(seconds=59)) is not None
    assert _row(accounts, token)[0][2] == T0
    # Each use a minute or more after the last write slides it, without a row on the audit log.
    at = T0
    for _ in range(3):
        at += dt.timedelta(minutes=IDLE - 1)
        assert sessions.resume(accounts, token, IDLE, at) is not None
        assert _row(accounts, token)[0][2] == at
    assert accounts.scalar("SELECT count(*) FROM audit_log") == log
    assert sessions.check(accounts, token, IDLE, at + dt.timedelta(minutes=IDLE, seconds=1)) == (
        None,
        sessions.IDLE,
    )
    # The idle time is the caller's (CSDATA_IDLE_MINUTES).
    assert sessions.resume(accounts, token, 5, at + dt.timedelta(minutes=6)) is None
    assert sessions.resume(accounts, token, 5, at + dt.timedelta(minutes=4)) is not None


def test_a_session_ends_at_its_lifetime_however_active(accounts):
    token = sessions.start(accounts, "boss", T0)
    at = T0
    while at + dt.timedelta(minutes=20) < T0 + LIFETIME:
        at += dt.timedelta(minutes=20)
        assert sessions.resume(accounts, token, IDLE, at) is not None
    assert sessions.check(accounts, token, IDLE, T0 + LIFETIME) == (None, sessions.LIFETIME_OVER)
    assert LIFETIME.total_seconds() == 12 * 3600  # as the README says


def test_sign_out_ends_every_session_of_the_account_only(accounts):
    first, second = sessions.start(accounts, "boss", T0), sessions.start(accounts, "boss", T0)
    other = sessions.start(accounts, "sup", T0)
    at = T0 + dt.timedelta(minutes=3)
    assert sessions.end_all(accounts, "boss", "sign_out", now=at) == 2
    for token in (first, second):
        assert sessions.check(accounts, token, IDLE, at) == (None, sessions.ENDED)
        assert _row(accounts, token)[0][4:] == (at, "sign_out")
    assert sessions.resume(accounts, other, IDLE, at) is not None
    [(actor, detail)] = accounts.rows(
        "SELECT actor, CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'auth.session.end'"
    )
    assert actor == "boss" and '"sessions": 2' in detail
    assert sessions.end_all(accounts, "boss", "sign_out", now=at) == 0  # nothing left to end


def test_end_ends_one_session(accounts):
    first, second = sessions.start(accounts, "boss", T0), sessions.start(accounts, "boss", T0)
    assert sessions.end(accounts, first, now=T0)
    assert not sessions.end(accounts, first, now=T0)
    assert not sessions.end(accounts, "forged", now=T0)
    assert sessions.resume(accounts, first, IDLE, T0) is None
    assert sessions.resume(accounts, second, IDLE, T0) is not None


def test_closing_an_account_ends_its_sessions_and_reopening_does_not_revive_them(accounts):
    token = sessions.start(accounts, "sup", dt.datetime.now())
    other = sessions.start(accounts, "boss", dt.datetime.now())
    auth.set_active(accounts, "boss", "sup", False)
    assert sessions.check(accounts, token, IDLE) == (None, sessions.ENDED)
    assert _row(accounts, token)[0][5] == "closed"
    detail = accounts.scalar("SELECT CAST(detail AS VARCHAR) FROM audit_log WHERE action = 'user.disable'")
    assert '"sessions_ended": 1' in detail
    auth.set_active(accounts, "boss", "sup", True)
    assert sessions.resume(accounts, token, IDLE) is None
    assert sessions.resume(accounts, other, IDLE) is not None


def test_a_closed_account_is_refused_even_before_its_sessions_end(accounts):
    token = sessions.start(accounts, "sup", dt.datetime.now())
    with accounts.transaction("test", "fixture") as w:  # closed behind the account form's back
        w.execute("UPDATE users SET active = false WHERE username = 'sup'")
    assert sessions.check(accounts, token, IDLE) == (None, sessions.CLOSED)


def test_a_new_password_ends_the_sessions(accounts):
    token = sessions.start(accounts, "sup", dt.datetime.now())
    auth.set_password(accounts, "boss", "sup", "a new long password")
    assert sessions.check(accounts, token, IDLE) == (None, sessions.ENDED)
    assert _row(accounts, token)[0][5] == "password"


def test_a_new_role_or_a_closed_account_ends_the_sessions_a_new_scope_does_not(accounts):
    token = sessions.start(accounts, "sup", dt.datetime.now())
    auth.update_user(accounts, "boss", "sup", "supervisor", teams=["Acme-1", "Beta-1"])
    user = sessions.resume(accounts, token, IDLE)
    assert user is not None and user.teams == ("Acme-1", "Beta-1")  # applies at once all the same
    auth.update_user(accounts, "boss", "sup", "qa")
    assert sessions.check(accounts, token, IDLE) == (None, sessions.ENDED)
    assert _row(accounts, token)[0][5] == "role"
    token = sessions.start(accounts, "sup", dt.datetime.now())
    auth.update_user(accounts, "boss", "sup", "qa", active=False)
    assert _row(accounts, token)[0][5] == "closed"


def test_old_sessions_are_pruned(accounts):
    old = sessions.start(accounts, "boss", T0)
    later = T0 + LIFETIME + sessions.PRUNE_AFTER + dt.timedelta(minutes=1)
    sessions.start(accounts, "boss", later)
    assert not _row(accounts, old)
    assert accounts.scalar("SELECT count(*) FROM sessions") == 1


def test_starting_and_ending_leave_the_data_version_alone(accounts):
    from csdata.ui.core import data_version

    version = data_version(accounts)
    token = sessions.start(accounts, "boss", dt.datetime.now())
    sessions.resume(accounts, token, IDLE, dt.datetime.now() + dt.timedelta(minutes=2))
    sessions.end_all(accounts, "boss")
    assert data_version(accounts) == version
