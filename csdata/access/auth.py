"""Who may sign in: accounts, roles, the pages each role opens, and account administration.

Accounts live in the warehouse with argon2 hashes. A role decides the pages; the role with the
account's client and team assignments decides its `Scope` (`csdata.access.scope`, the one place
that says what an account may see and do), so no page can show more than its user may see.

The scope fails closed: a client account without clients or a supervisor without teams sees nothing (and
the app says why); clients limit every role but admin, teams only a supervisor, and a limit a
role cannot honour is refused when the account is made or changed. Closing an account and a change
of its password or role end its sessions (`csdata.access.sessions`) in the same transaction.

Sign-in answers the same way for a wrong password, an unknown name, a disabled account and a
password too long to be anyone's, and it is throttled so that it cannot be turned against the
company. `sign_in` takes an opaque `source`: the browser session the try comes from (the UI
passes a random token kept in the session; this module knows nothing of Streamlit).

- Per name: from the fifth failure in a row (since the name's last success, from any source) the
  name is locked for 5 s, doubling with each further failure, at most 5 minutes. A source that has
  itself failed the name waits the whole lock; a source that has not may still try, once, after a
  short fixed wait (`FRESH_WAIT_S`, counted from its first refused try). So an attacker cannot keep
  the real user out, and each guess at a locked name costs the attacker a new session and a wait.
- Overall: when `OVERALL_FAILURES` tries have failed within `OVERALL_WINDOW_S` across all names,
  every name behaves as locked: a source that failed anything in that window waits until the rate
  falls, a source that has not is held for the same short fixed wait first. The first such minute
  writes one `auth.flood` row. Whatever passes, at most `VERIFY_SLOTS` argon2 verifications run at
  once (a semaphore; a try that finds no slot within `VERIFY_TIMEOUT_S` is refused with a 1 s wait).
- Hashing is bounded: a password longer than `MAX_PASSWORD` characters is refused before anything
  is hashed, at sign-in (as a plain failure) and when a password is set (`check_password`, which
  also refuses blank, all-whitespace and short passwords).
- The audit log records every verified try (`auth.ok`, `auth.fail`, one row each: verifications
  are bounded above). A try refused before verification (`auth.wait`) writes at most one row per
  name per lock, and at most `WAIT_ROWS` such rows per `OVERALL_WINDOW_S` in all; tries left
  without a row are counted in the `unlogged` field of the next `auth.*` row, so the row count
  plus the counts is every try.

The throttle lives in memory, one per warehouse file (only one process can open the file for
writing, so that is the whole app). The per-name failure count is the log's own (`auth.fail` rows
since the name's last `auth.ok`), read when a name is first seen and then kept up to date, so a
restart keeps every lock; which sessions failed, and the overall rate, start afresh.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csdata.access import scope as scopes
from csdata.access.scope import Scope
from csdata.pages import ROLES, may_open
from csdata.text.i18n import Problem

FREE_TRIES = 5
FIRST_WAIT_S = 5
MAX_WAIT_S = 300
FRESH_WAIT_S = 3  # a source that has not failed a locked name tries after this
OVERALL_FAILURES = 30  # failures across all names within OVERALL_WINDOW_S before all are held
OVERALL_WINDOW_S = 60
VERIFY_SLOTS = 2  # argon2 verifications at once (the machine has two cores)
VERIFY_TIMEOUT_S = 10
WAIT_ROWS = 10  # `auth.wait` rows per OVERALL_WINDOW_S, at most
FORGET_S = 3600  # sessions' failures are forgotten after this (names' are in the log)
MAX_TRACKED = 100_000  # entries of each throttle table, at most
MIN_PASSWORD = 8
MAX_PASSWORD = 256
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class AuthError(Problem):
    """A refused account change; `key` names the message in `csdata.text.i18n`."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    clients: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    email: str | None = None
    employee_id: str | None = None  # the employee (工号) who uses the account, if linked

    @property
    def scope(self) -> Scope:
        """What this account may see and do (see `csdata.access.scope`)."""
        return Scope.of(self)

    def may_open(self, page: str) -> bool:
        return may_open(self.role, page)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a try: a user, or a refusal (with the seconds to wait, if any)."""

    user: User | None = None
    wait_seconds: int = 0
    locked: bool = False  # refused before the password was looked at: a wait was running


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_name(username: str) -> str:
    username = username.strip()
    if not _NAME.match(username):
        raise AuthError("auth_bad_name")
    return username


def check_password(password: str) -> str:
    """A password fit to be set: not too long to hash cheaply, not blank, not short."""
    if len(password) > MAX_PASSWORD:
        raise AuthError("auth_long_password", n=MAX_PASSWORD)
    if not password.strip():
        raise AuthError("auth_blank_password")
    if len(password) < MIN_PASSWORD:
        raise AuthError("auth_short_password", n=MIN_PASSWORD)
    return password


def wait_after(failures: int) -> int:
    """Seconds to wait after `failures` failures in a row."""
    if failures < FREE_TRIES:
        return 0
    return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - FREE_TRIES))


def _failures(wh, username: str) -> tuple[int, dt.datetime | None]:
    """Failures since the last success for this name, and when the last one was (from the log)."""
    row = wh.rows(
        "SELECT count(*), max(at_time) FROM audit_log WHERE action = 'auth.fail' AND entity = ? "
        "AND id > coalesce((SELECT max(id) FROM audit_log WHERE action = 'auth.ok' AND entity = ?), 0)",
        [username, username],
    )[0]
    return row[0], row[1]


def _touch(table: dict, key, value) -> None:
    """Sets `key` as the newest entry, so that the oldest entries come first."""
    table.pop(key, None)
    table[key] = value


def _forget(table: dict, before: dt.datetime, when=lambda value: value) -> None:
    """Drops the oldest entries: those whose time is before `before`, and any beyond MAX_TRACKED."""
    while table and (len(table) > MAX_TRACKED or when(next(iter(table.values()))) < before):
        del table[next(iter(table))]


@dataclass(frozen=True)
class _Count:
    failures: int  # since the name's last success, as the log counts them
    last: dt.datetime | None  # the last failure
    seen: dt.datetime  # when this entry was read or last changed


class _Gate:
    """The sign-in throttle of one warehouse: whether a try may be verified, and what to log."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.names: dict[str, _Count] = {}
        self.failed: dict[tuple[str, str], dt.datetime] = {}  # (name, source) -> its last failure
        self.held: dict[tuple[str, str], dt.datetime] = {}  # (name, source) -> its first held try
        self.sources: dict[str, dt.datetime] = {}  # source -> its last failure of any name
        self.recent: deque[dt.datetime] = deque(maxlen=OVERALL_FAILURES)  # the latest failures
        self.logged: dict[str, dt.datetime] = {}  # name -> end of the lock its last wait row told
        self.rows: deque[dt.datetime] = deque(maxlen=WAIT_ROWS)  # when the latest wait rows were
        self.unlogged = 0  # refused tries since the last row written

    def _overall_until(self, now: dt.datetime) -> dt.datetime | None:
        if len(self.recent) < OVERALL_FAILURES:
            return None
        until = self.recent[0] + dt.timedelta(seconds=OVERALL_WINDOW_S)
        return until if now < until else None

    def _count(self, wh, name: str, now: dt.datetime) -> _Count:
        count = self.names.get(name)
        if count is None:
            count = _Count(*_failures(wh, name), seen=now)
            _touch(self.names, name, count)
        return count

    def refusal(self, wh, name: str, source: str, now: dt.datetime) -> dt.datetime | None:
        """Until when this try must wait; None when it may be verified now."""
        forget = now - dt.timedelta(seconds=FORGET_S)
        with self.lock:
            _forget(self.names, forget, lambda count: count.seen)
            _forget(self.failed, forget)
            _forget(self.held, forget)
            _forget(self.sources, now - dt.timedelta(seconds=OVERALL_WINDOW_S))
            _forget(self.logged, now)
            overall = self._overall_until(now)
            if overall and source in self.sources:
                return overall
            count = self._count(wh, name, now)
            wait = wait_after(count.failures)
            locked = wait and count.last is not None and now < count.last + dt.timedelta(seconds=wait)
            if locked and (name, source) in self.failed:
                return count.last + dt.timedelta(seconds=wait)
            if locked or overall:  # a source that has not failed: once, after a short fixed wait
                since = self.held.setdefault((name, source), now)
                if now < since + dt.timedelta(seconds=FRESH_WAIT_S):
                    return since + dt.timedelta(seconds=FRESH_WAIT_S)
                del self.held[(name, source)]
            return None

    def record(self, name: str, source: str, ok: bool, now: dt.datetime) -> tuple[int, bool]:
        """Counts a verified try: the name's failures now, and whether the overall limit was just reached."""
        with self.lock:
            if ok:
                self.failed.pop((name, source), None)
                _touch(self.names, name, _Count(0, None, now))
                return 0, False
            calm = self._overall_until(now) is None
            self.recent.append(now)
            _touch(self.failed, (name, source), now)
            _touch(self.sources, source, now)
            failures = self.names[name].failures + 1 if name in self.names else 1
            _touch(self.names, name, _Count(failures, now, now))
            return failures, calm and self._overall_until(now) is not None

    def log_wait(self, name: str, until: dt.datetime, now: dt.datetime) -> bool:
        """Whether a refused try gets a row: once per name and lock, WAIT_ROWS per window in all."""
        with self.lock:
            room = len(self.rows) < WAIT_ROWS or now >= self.rows[0] + dt.timedelta(seconds=OVERALL_WINDOW_S)
            if room and self.logged.get(name) != until:
                _touch(self.logged, name, until)
                self.rows.append(now)
                return True
            self.unlogged += 1
            return False

    def write(self, wh, action: str, name: str | None, now: dt.datetime, **detail: object) -> None:
        """One audit-log row, carrying the count of refused tries left without a row before it."""
        with self.lock:
            if self.unlogged:
                detail["unlogged"], self.unlogged = self.unlogged, 0
        with wh.transaction(name or "-", action, name, detail, at=now):
            pass


_GATES: dict[str, _Gate] = {}
_GATES_LOCK = threading.Lock()
_VERIFYING = threading.BoundedSemaphore(VERIFY_SLOTS)


def _gate(wh) -> _Gate:
    with _GATES_LOCK:
        gate = _GATES.get(wh.address)
        if gate is None:
            gate = _GATES[wh.address] = _Gate()
        return gate


def _verify(stored: str, password: str) -> bool:
    """The costly step: argon2 against a stored hash (raises on a mismatch)."""
    return _hasher.verify(stored, password)


def _password_ok(wh, name: str, password: str) -> bool | None:
    """Whether the password opens an active account; None when no verification slot came free."""
    row = wh.rows("SELECT password_hash, active FROM users WHERE username = ?", [name])
    stored, active = (row[0][0] or _DUMMY_HASH, row[0][1]) if row else (_DUMMY_HASH, False)
    if not _VERIFYING.acquire(timeout=VERIFY_TIMEOUT_S):
        return None
    try:
        return _verify(stored, password) and active
    except (VerificationError, InvalidHashError):
        return False
    finally:
        _VERIFYING.release()


def load_user(wh, username: str) -> User | None:
    rows = wh.rows("SELECT role, email, employee_id FROM users WHERE username = ? AND active", [username])
    if not rows:
        return None
    limits = wh.rows("SELECT kind, value FROM user_scopes WHERE username = ? ORDER BY value", [username])
    return User(
        username,
        rows[0][0],
        tuple(v for k, v in limits if k == "client"),
        tuple(v for k, v in limits if k == "team"),
        rows[0][1],
        rows[0][2],
    )


def user_by_email(wh, email: str) -> User | None:
    name = wh.scalar("SELECT username FROM users WHERE lower(email) = lower(?) AND active", [email])
    return None if name is None else load_user(wh, name)


def sign_in(wh, username: str, password: str, now: dt.datetime | None = None, source: str = "-") -> SignIn:
    """One try from `source` (an opaque key for the session it comes from); see the module notes."""
    now = now or dt.datetime.now()
    name = username.strip()[:64]
    gate = _gate(wh)
    until = gate.refusal(wh, name, source, now)
    ok = False  # a password too long to be anyone's fails without being hashed
    if until is None and len(password) <= MAX_PASSWORD:
        ok = _password_ok(wh, name, password)
        if ok is None:
            until = now + dt.timedelta(seconds=1)
    if until is not None:
        remaining = max(1, math.ceil((until - now).total_seconds()))
        if gate.log_wait(name, until, now):
            gate.write(wh, "auth.wait", name, now, seconds=remaining)
        return SignIn(wait_seconds=remaining, locked=True)
    failures, flood = gate.record(name, source, ok, now)
    gate.write(wh, "auth.ok" if ok else "auth.fail", name, now)
    if flood:
        gate.write(wh, "auth.flood", None, now, failures=OVERALL_FAILURES, seconds=OVERALL_WINDOW_S)
    if not ok:
        return SignIn(wait_seconds=wait_after(failures))
    return SignIn(user=load_user(wh, name))


# -- account administration: each change is one transaction with its audit-log row ------------


def _set_scopes(w, username: str, clients: tuple[str, ...], teams: tuple[str, ...]) -> None:
    w.execute("DELETE FROM user_scopes WHERE username = ?", [username])
    for kind, values in (("client", clients), ("team", teams)):
        for value in dict.fromkeys(values):
            w.execute("INSERT INTO user_scopes VALUES (?, ?, ?)", [username, kind, value])


def check_scope(wh, role: str | None, clients: tuple[str, ...], teams: tuple[str, ...]) -> None:
    if role is None:
        raise AuthError("auth_choose_role")
    if role not in ROLES:
        raise AuthError("auth_bad_role", role=role, roles=", ".join(ROLES))
    known_clients = set(wh.column("SELECT name FROM clients"))
    known_teams = set(wh.column("SELECT name FROM teams"))
    for client in clients:
        if client not in known_clients:
            raise AuthError("err_unknown_client", value=client, known=", ".join(sorted(known_clients)) or "–")
    for team in teams:
        if team not in known_teams:
            raise AuthError("auth_unknown_team", value=team)
    refusal = scopes.limit_refusal(role, clients, teams)
    if refusal is not None:
        raise AuthError(refusal)


def check_employee(wh, employee_id: str | None) -> str | None:
    """The employee an account is linked to must exist (blank: no link)."""
    employee_id = (employee_id or "").strip() or None
    if employee_id is not None and not wh.scalar(
        "SELECT count(*) FROM employees WHERE employee_id = ?", [employee_id]
    ):
        raise AuthError("auth_unknown_employee", value=employee_id)
    return employee_id


def add_user(
    wh,
    actor: str,
    username: str,
    role: str,
    password: str,
    clients: Iterable[str] = (),
    teams: Iterable[str] = (),
    email: str | None = None,
    *,
    employee_id: str | None = None,
    check: bool = True,
) -> User:
    username = check_name(username)
    if check:
        check_password(password)
    clients, teams = tuple(clients), tuple(teams)
    check_scope(wh, role, clients, teams)
    employee_id = check_employee(wh, employee_id)
    if wh.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
        raise AuthError("auth_user_exists", name=username)
    detail = {"role": role, "clients": clients, "teams": teams, "employee_id": employee_id}
    with wh.transaction(actor, "user.add", username, detail) as w:
        w.execute(
            "INSERT INTO users (username, role, password_hash, email, employee_id) VALUES (?, ?, ?, ?, ?)",
            [username, role, hash_password(password), email or None, employee_id],
        )
        _set_scopes(w, username, clients, teams)
    return load_user(wh, username)


def require_user(wh, username: str) -> str:
    if not wh.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
        raise AuthError("auth_no_user", name=username)
    return username


def _active_admins(wh, without: str) -> int:
    return wh.scalar(
        "SELECT count(*) FROM users WHERE role = ? AND active AND username <> ?", [scopes.ADMIN, without]
    )


def update_user(
    wh,
    actor: str,
    username: str,
    role: str,
    *,
    active: bool = True,
    email: str | None = None,
    employee_id: str | None = None,
    clients: Iterable[str] = (),
    teams: Iterable[str] = (),
) -> User | None:
    """Change role, scope, e-mail, linked employee and status; the last active admin cannot be
    demoted or disabled."""
    username = require_user(wh, username)
    clients, teams = tuple(clients), tuple(teams)
    check_scope(wh, role, clients, teams)
    employee_id = check_employee(wh, employee_id)
    if (not scopes.administers(role) or not active) and not _active_admins(wh, username):
        current, was_active = wh.rows("SELECT role, active FROM users WHERE username = ?", [username])[0]
        if scopes.administers(current) and was_active:
            raise AuthError("auth_last_admin")
    detail = {
        "role": role, "clients": clients, "teams": teams, "active": active, "email": email,
        "employee_id": employee_id,
    }  # fmt: skip
    with wh.transaction(actor, "user.update", username, detail) as w:
        new_role = w.scalar("SELECT role IS DISTINCT FROM ? FROM users WHERE username = ?", [role, username])
        if not active or new_role:
            _end_sessions(w, username, "closed" if not active else "role")
        w.execute(
            "UPDATE users SET role = ?, email = ?, active = ?, employee_id = ? WHERE username = ?",
            [role, email or None, active, employee_id, username],
        )
        _set_scopes(w, username, clients, teams)
    return load_user(wh, username)


def _end_sessions(w, username: str, why: str) -> None:
    """Within an account change: its browsers are signed out at once (their next run)."""
    from csdata.access.sessions import end_all_in  # sessions reads accounts through this module

    ended = end_all_in(w, username, why)
    if ended:
        w.detail["sessions_ended"] = ended


def set_active(wh, actor: str, username: str, active: bool) -> None:
    username = require_user(wh, username)
    is_admin = scopes.administers(wh.scalar("SELECT role FROM users WHERE username = ?", [username]))
    if not active and is_admin and not _active_admins(wh, username):
        raise AuthError("auth_last_admin")
    with wh.transaction(actor, "user.enable" if active else "user.disable", username) as w:
        w.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])
        if not active:
            _end_sessions(w, username, "closed")


def set_password(wh, actor: str, username: str, password: str) -> None:
    username = require_user(wh, username)
    check_password(password)
    with wh.transaction(actor, "user.passwd", username) as w:  # the hash itself is never logged
        w.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username]
        )
        _end_sessions(w, username, "password")


def list_users(wh):
    return wh.df(
        "SELECT u.username, u.role, u.employee_id, u.email, u.active,"
        " string_agg(s.value, ', ' ORDER BY s.value) FILTER (WHERE s.kind = 'client') AS clients,"
        " string_agg(s.value, ', ' ORDER BY s.value) FILTER (WHERE s.kind = 'team') AS teams"
        " FROM users u LEFT JOIN user_scopes s USING (username) GROUP BY ALL ORDER BY u.username"
    )


def audit_detail(raw: str | None) -> str:
    """An audit-log detail as one readable line."""
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except ValueError:
        return raw
    return ", ".join(f"{k}={v}" for k, v in data.items())
