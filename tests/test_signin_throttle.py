"""Sign-in cannot be turned against the company: a locked name still lets the right password in
from a fresh session, many names at once are throttled overall, hashing is bounded (length, and
slots), refused tries cannot flood the audit log, blank passwords are refused, and the demo
password is named only on the demo warehouse served on a local address.

Time is the injectable `now` of `auth.sign_in`, so nothing here sleeps; the hasher is replaced
by a counting stand-in where a test only needs to know whether it was called.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from argon2.exceptions import VerifyMismatchError
from conftest import ROOT, build_tiny, point_app_at, private_copy, run_cli
from streamlit.testing.v1 import AppTest

from csdata.access import auth
from csdata.access.auth import AuthError, sign_in
from csdata.settings import Settings, is_local_address
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import t

T0 = dt.datetime(2026, 11, 1, 9, 0, 0)
RIGHT = "correct horse"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def wh(tiny):
    auth.add_user(tiny, "test", "boss", "admin", RIGHT)
    return tiny


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every password the hasher is asked to verify; only the right one is really hashed."""
    calls: list[str] = []
    real = auth._verify

    def counting(stored: str, password: str) -> bool:
        calls.append(password)
        if password != RIGHT:
            raise VerifyMismatchError()
        return real(stored, password)

    monkeypatch.setattr(auth, "_verify", counting)
    return calls


def rows(wh, action: str) -> int:
    return wh.scalar("SELECT count(*) FROM audit_log WHERE action = ?", [action])


def unlogged(wh) -> int:
    """Refused tries the log counts in a later row's detail instead of a row each."""
    details = wh.column("SELECT detail FROM audit_log WHERE action LIKE 'auth.%'")
    return sum(json.loads(d or "{}").get("unlogged", 0) for d in details)


# -- per name: the backoff holds, but cannot keep the real user out -----------------------------


def test_one_wrong_password_every_lock_cannot_keep_the_real_user_out(wh, verifications):
    clock = 0.0
    for _ in range(12):  # the attacker fails the moment each wait ends, for about half an hour
        result = sign_in(wh, "boss", "guess", at(clock), source="attacker")
        assert result.user is None and not result.locked
        if result.wait_seconds > 1:  # its own wait holds, even for the right password
            assert sign_in(wh, "boss", RIGHT, at(clock + 1), source="attacker").locked
        clock += max(1, result.wait_seconds)
    assert result.wait_seconds == auth.MAX_WAIT_S
    # The real user, in a session of their own, in the middle of the attacker's five minutes:
    first = sign_in(wh, "boss", RIGHT, at(clock - 200), source="browser")
    assert first.user is None and first.locked and 1 <= first.wait_seconds <= auth.FRESH_WAIT_S
    again = sign_in(wh, "boss", RIGHT, at(clock - 200 + auth.FRESH_WAIT_S), source="browser")
    assert again.user is not None and again.user.username == "boss"


def test_a_fresh_session_has_one_try_at_a_locked_name(wh, verifications):
    for i in range(auth.FREE_TRIES):
        sign_in(wh, "boss", "guess", at(i), source="attacker")
    assert sign_in(wh, "boss", "guess", at(5), source="other").locked
    assert not sign_in(wh, "boss", "guess", at(5 + auth.FRESH_WAIT_S), source="other").locked
    # having failed, the second session now waits like the first
    later = sign_in(wh, "boss", RIGHT, at(6 + 2 * auth.FRESH_WAIT_S), source="other")
    assert later.locked and later.wait_seconds > auth.FRESH_WAIT_S
    assert rows(wh, "auth.fail") == auth.FREE_TRIES + 1


def test_the_wait_is_read_from_the_log_after_a_restart(wh, verifications):
    clock = 0.0
    for _ in range(auth.FREE_TRIES + 2):  # 7 failures, each when the last wait ended: then 20 s
        result = sign_in(wh, "boss", "guess", at(clock), source="attacker")
        assert not result.locked
        clock += max(1, result.wait_seconds)
    assert result.wait_seconds == 20
    auth._GATES.clear()  # a new process: the throttle's memory is gone, the log is not
    # the session's own failures are forgotten, so it is held like a fresh one, not let in
    assert sign_in(wh, "boss", RIGHT, at(clock - 10), source="attacker").locked
    assert sign_in(wh, "boss", RIGHT, at(clock), source="attacker").user is not None
    assert rows(wh, "auth.fail") == auth.FREE_TRIES + 2


# -- overall: many names at once, and the cost of hashing ----------------------------------------


def test_many_names_in_one_second_are_throttled_overall(wh, verifications):
    results = [sign_in(wh, f"name{i}", "guess", at(i / 200), source="attacker") for i in range(200)]
    assert len(verifications) == auth.OVERALL_FAILURES
    assert all(r.locked for r in results[auth.OVERALL_FAILURES :])
    assert rows(wh, "auth.flood") == 1  # noticed, once
    # A fresh session per try fares no better within the second: each is held first.
    fresh = [sign_in(wh, f"x{i}", "guess", at(1 + i / 200), source=f"s{i}") for i in range(200)]
    assert all(r.locked for r in fresh) and len(verifications) == auth.OVERALL_FAILURES
    # ... and the real user, in a session that has not failed, still gets in after the short wait.
    assert sign_in(wh, "boss", RIGHT, at(2), source="browser").locked
    assert sign_in(wh, "boss", RIGHT, at(2 + auth.FRESH_WAIT_S), source="browser").user is not None


def test_at_most_two_verifications_at_once(wh, verifications, monkeypatch):
    monkeypatch.setattr(auth, "VERIFY_TIMEOUT_S", 0)
    assert auth._VERIFYING.acquire(timeout=0) and auth._VERIFYING.acquire(timeout=0)  # two in flight
    try:
        busy = sign_in(wh, "boss", RIGHT, T0, source="browser")
    finally:
        auth._VERIFYING.release()
        auth._VERIFYING.release()
    assert busy.user is None and busy.locked and busy.wait_seconds >= 1
    assert verifications == []
    assert sign_in(wh, "boss", RIGHT, at(busy.wait_seconds), source="browser").user is not None


def test_a_huge_password_is_refused_without_hashing(wh, verifications, monkeypatch):
    huge = "x" * 10_000_000
    result = sign_in(wh, "boss", huge, T0, source="browser")
    assert result.user is None and not result.locked and result.wait_seconds == 0  # the usual answer
    assert verifications == []
    assert rows(wh, "auth.fail") == 1
    hashed: list[str] = []
    monkeypatch.setattr(auth, "hash_password", lambda p: hashed.append(p) or "x")
    for password in (huge, "y" * (auth.MAX_PASSWORD + 1)):
        with pytest.raises(AuthError, match="auth_long_password"):
            auth.set_password(wh, "test", "boss", password)
        with pytest.raises(AuthError, match="auth_long_password"):
            auth.add_user(wh, "test", "big", "exec", password)
    assert hashed == []
    assert auth.check_password("y" * auth.MAX_PASSWORD)


@pytest.mark.parametrize("blank", [" " * 8, " " * 300, "\t \u3000 " * 3, ""])
def test_blank_passwords_are_refused(wh, blank):
    key = "auth_long_password" if len(blank) > auth.MAX_PASSWORD else "auth_blank_password"
    with pytest.raises(AuthError, match=key):
        auth.check_password(blank)
    with pytest.raises(AuthError, match=key):
        auth.add_user(wh, "test", "blank", "exec", blank)
    assert auth.check_password("  spaced out  ")


def test_blank_passwords_are_refused_by_the_cli(tmp_path):
    db = tmp_path / "tiny.duckdb"
    build_tiny(db).close()
    assert (
        run_cli("user", "add", "known", "--role", "exec", "--db", str(db), input=RIGHT + "\n").returncode == 0
    )
    for args, env, stdin, lang in [
        (["user", "add", "newbie", "--role", "exec"], {}, " " * 8 + "\n", "en"),
        (["user", "passwd", "known"], {}, " " * 8 + "\n", "zh"),
        (["init", "--force"], {"CSDATA_ADMIN_PASSWORD": " " * 8}, None, "en"),
    ]:
        done = run_cli(*args, "--db", str(db), env={**env, "CSDATA_LANG": lang}, input=stdin)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.strip() == f"csdata: {t('auth_blank_password', lang)}", done.stderr
    added = run_cli("user", "add", "newbie", "--role", "exec", "--db", str(db), input="x" * 10**6 + "\n")
    assert added.returncode == 2 and str(auth.MAX_PASSWORD) in added.stderr, added.stderr
    wh = Warehouse(db, read_only=True)
    assert wh.column("SELECT username FROM users") == ["known"]
    assert wh.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.passwd'") == 0
    assert wh.scalar("SELECT count(*) FROM tickets") == 10  # init --force refused: nothing replaced
    wh.close()


# -- the audit log cannot be flooded -------------------------------------------------------------


def test_a_thousand_locked_tries_write_a_handful_of_rows(wh, verifications):
    for i in range(auth.FREE_TRIES):
        sign_in(wh, "boss", "guess", at(i), source="attacker")
    before = wh.scalar("SELECT count(*) FROM audit_log")
    for i in range(1000):  # from the locked session, within one second
        assert sign_in(wh, "boss", RIGHT, at(4 + i / 1000), source="attacker").locked
    assert wh.scalar("SELECT count(*) FROM audit_log") - before == 1
    for i in range(1000):  # from a thousand fresh sessions, each held
        assert sign_in(wh, "boss", RIGHT, at(5 + i / 1000), source=f"s{i}").locked
    written = wh.scalar("SELECT count(*) FROM audit_log") - before
    assert written <= auth.WAIT_ROWS + 1
    # the tries without a row of their own are counted in the next row written
    sign_in(wh, "boss", RIGHT, at(10), source="s0")
    assert rows(wh, "auth.wait") + unlogged(wh) == 2000
    assert rows(wh, "auth.fail") == auth.FREE_TRIES and rows(wh, "auth.ok") == 1


# -- the demo password is named only on a local demo --------------------------------------------


def test_local_addresses():
    assert Settings().address == "127.0.0.1"
    for address in ("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_local_address(address), address
    for address in ("0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "csdata.example.com", ""):
        assert not is_local_address(address), address


@pytest.mark.parametrize(("address", "shown"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_demo_hint_only_on_a_local_address(sample_db, tmp_path_factory, monkeypatch, address, shown):
    point_app_at(monkeypatch, private_copy(sample_db, tmp_path_factory, "hint"))
    monkeypatch.setenv("CSDATA_ADDRESS", address)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    assert [e.value for e in app.title] == [t("sign_in_title", "en")]
    assert (t("demo_accounts", "en") in [c.value for c in app.caption]) is shown
