"""Who may see what: accounts, roles, the pages each role opens, and the scope of its queries.

Accounts live in the warehouse with argon2 hashes. Sign-in answers the same way for a wrong
password, an unknown name and a disabled account, and every try is written to the audit log;
from the fifth failure in a row a name must wait before the next try (5 s, doubling, at most
5 minutes), counted from the log itself so that the wait holds across sessions and processes.

A role decides the pages; an account's client and team assignments decide the `Scope` that the
query layer applies to every number, so no page can show more than its user may see. The scope
fails closed: a client account without clients or a supervisor without teams sees nothing (and
the app says why); clients limit every role but admin, teams only a supervisor, and a limit a
role cannot honour is refused when the account is made or changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from csdata.i18n import Problem
from csdata.queries import EVERYTHING, Scope

ROLES = ("admin", "exec", "supervisor", "qa", "hr", "finance", "client")

# Page key -> roles that may open it. The app's navigation and each page's own check read this.
PAGES: dict[str, frozenset[str]] = {
    "overview": frozenset(ROLES),
    "service": frozenset({"admin", "exec", "supervisor", "qa", "client"}),
    "complaints": frozenset({"admin", "exec", "supervisor", "client"}),
    "quality": frozenset({"admin", "exec", "supervisor", "qa"}),
    "people": frozenset({"admin", "exec", "supervisor", "hr"}),
    "clients": frozenset({"admin", "exec", "supervisor", "finance", "client"}),
    "agent": frozenset({"admin", "exec", "supervisor", "qa", "hr"}),
    "tickets": frozenset({"admin", "supervisor"}),
    "audits": frozenset({"admin", "qa"}),
    "training": frozenset({"admin", "hr"}),
    "appraisals": frozenset({"admin", "hr"}),
    "imports": frozenset({"admin", "qa", "hr", "supervisor"}),
    "pay": frozenset({"admin", "hr", "finance"}),
    "users": frozenset({"admin"}),
    "policy": frozenset({"admin"}),
    "audit_log": frozenset({"admin"}),
}
SEES_PAY = frozenset({"admin", "hr", "finance"})
# Roles that see nothing until they are given limits: a client account its clients, a supervisor
# its teams. Every other role but admin may be limited to some clients; only a supervisor has teams.
LIMITED = frozenset({"client", "supervisor"})

# Record kinds each role may import or enter (a supervisor only for their own teams' agents).
WRITES: dict[str, tuple[str, ...]] = {
    "admin": ("tickets", "audits", "training", "appraisals", "employees"),
    "supervisor": ("tickets",),
    "qa": ("audits",),
    "hr": ("training", "appraisals", "employees"),
}

FREE_TRIES = 5
FIRST_WAIT_S = 5
MAX_WAIT_S = 300
MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class AuthError(Problem):
    """A refused account change; `key` names the message in `csdata.i18n`."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    clients: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    email: str | None = None

    @property
    def scope(self) -> Scope:
        """Fails closed: a client account without clients, or a supervisor without teams, sees
        nothing. Clients given to an internal role (a QA lead for two clients) limit it too."""
        if self.role == "admin":
            return EVERYTHING
        if self.role == "client":
            return Scope(clients=self.clients, external=True)
        clients = self.clients or None
        return Scope(clients=clients, teams=self.teams if self.role == "supervisor" else None)

    @property
    def unassigned(self) -> bool:
        """A role that needs limits but has none: it sees nothing, and the app says why."""
        return self.role in LIMITED and not (self.clients if self.role == "client" else self.teams)

    @property
    def sees_pay(self) -> bool:
        return self.role in SEES_PAY

    def may_open(self, page: str) -> bool:
        return self.role in PAGES.get(page, frozenset())

    @property
    def writes(self) -> tuple[str, ...]:
        return WRITES.get(self.role, ())


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
    if len(password) < MIN_PASSWORD:
        raise AuthError("auth_short_password", n=MIN_PASSWORD)
    return password


def wait_after(failures: int) -> int:
    """Seconds to wait after `failures` failures in a row."""
    if failures < FREE_TRIES:
        return 0
    return min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** (failures - FREE_TRIES))


def _failures(wh, username: str) -> tuple[int, dt.datetime | None]:
    """Failures since the last success for this name, and when the last one was."""
    row = wh.rows(
        "SELECT count(*), max(at_time) FROM audit_log WHERE action = 'auth.fail' AND entity = ? "
        "AND id > coalesce((SELECT max(id) FROM audit_log WHERE action = 'auth.ok' AND entity = ?), 0)",
        [username, username],
    )[0]
    return row[0], row[1]


def load_user(wh, username: str) -> User | None:
    rows = wh.rows("SELECT role, email FROM users WHERE username = ? AND active", [username])
    if not rows:
        return None
    scopes = wh.rows("SELECT kind, value FROM user_scopes WHERE username = ? ORDER BY value", [username])
    return User(
        username,
        rows[0][0],
        tuple(v for k, v in scopes if k == "client"),
        tuple(v for k, v in scopes if k == "team"),
        rows[0][1],
    )


def user_by_email(wh, email: str) -> User | None:
    name = wh.scalar("SELECT username FROM users WHERE lower(email) = lower(?) AND active", [email])
    return None if name is None else load_user(wh, name)


def sign_in(wh, username: str, password: str, now: dt.datetime | None = None) -> SignIn:
    now = now or dt.datetime.now()
    name = username.strip()[:64]
    failures, last = _failures(wh, name)
    wait = wait_after(failures)
    if last is not None and wait and now < last + dt.timedelta(seconds=wait):
        remaining = int((last + dt.timedelta(seconds=wait) - now).total_seconds()) + 1
        with wh.transaction(name or "-", "auth.wait", name, {"seconds": remaining}, at=now):
            pass
        return SignIn(wait_seconds=remaining, locked=True)
    row = wh.rows("SELECT password_hash, active FROM users WHERE username = ?", [name])
    stored, active = (row[0][0] or _DUMMY_HASH, row[0][1]) if row else (_DUMMY_HASH, False)
    try:
        ok = _hasher.verify(stored, password) and active
    except (VerificationError, InvalidHashError):
        ok = False
    with wh.transaction(name or "-", "auth.ok" if ok else "auth.fail", name, at=now):
        pass
    if not ok:
        return SignIn(wait_seconds=wait_after(failures + 1))
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
    if role == "client" and not clients:
        raise AuthError("auth_client_needs_client")
    if role == "supervisor" and not teams:
        raise AuthError("auth_supervisor_needs_team")
    if role == "admin" and (clients or teams):
        raise AuthError("auth_admin_unlimited")
    if teams and role != "supervisor":
        raise AuthError("auth_teams_supervisor_only")


def add_user(
    wh,
    actor: str,
    username: str,
    role: str,
    password: str,
    clients=(),
    teams=(),
    email=None,
    *,
    check: bool = True,
) -> User:
    username = check_name(username)
    if check:
        check_password(password)
    clients, teams = tuple(clients), tuple(teams)
    check_scope(wh, role, clients, teams)
    if wh.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
        raise AuthError("auth_user_exists", name=username)
    with wh.transaction(actor, "user.add", username, {"role": role, "clients": clients, "teams": teams}) as w:
        w.execute(
            "INSERT INTO users (username, role, password_hash, email) VALUES (?, ?, ?, ?)",
            [username, role, hash_password(password), email or None],
        )
        _set_scopes(w, username, clients, teams)
    return load_user(wh, username)


def require_user(wh, username: str) -> str:
    if not wh.scalar("SELECT count(*) FROM users WHERE username = ?", [username]):
        raise AuthError("auth_no_user", name=username)
    return username


def _active_admins(wh, without: str) -> int:
    return wh.scalar(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active AND username <> ?", [without]
    )


def update_user(
    wh, actor: str, username: str, role: str, clients=(), teams=(), email=None, active: bool = True
) -> User | None:
    """Change role, scope, e-mail and status; the last active admin cannot be demoted or disabled."""
    username = require_user(wh, username)
    clients, teams = tuple(clients), tuple(teams)
    check_scope(wh, role, clients, teams)
    if (role != "admin" or not active) and not _active_admins(wh, username):
        current = wh.rows("SELECT role, active FROM users WHERE username = ?", [username])[0]
        if current == ("admin", True):
            raise AuthError("auth_last_admin")
    detail = {"role": role, "clients": clients, "teams": teams, "active": active, "email": email}
    with wh.transaction(actor, "user.update", username, detail) as w:
        w.execute(
            "UPDATE users SET role = ?, email = ?, active = ? WHERE username = ?",
            [role, email or None, active, username],
        )
        _set_scopes(w, username, clients, teams)
    return load_user(wh, username)


def set_active(wh, actor: str, username: str, active: bool) -> None:
    username = require_user(wh, username)
    is_admin = wh.scalar("SELECT role FROM users WHERE username = ?", [username]) == "admin"
    if not active and is_admin and not _active_admins(wh, username):
        raise AuthError("auth_last_admin")
    with wh.transaction(actor, "user.enable" if active else "user.disable", username) as w:
        w.execute("UPDATE users SET active = ? WHERE username = ?", [active, username])


def set_password(wh, actor: str, username: str, password: str) -> None:
    username = require_user(wh, username)
    check_password(password)
    with wh.transaction(actor, "user.passwd", username) as w:  # the hash itself is never logged
        w.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username]
        )


def list_users(wh):
    return wh.df(
        "SELECT u.username, u.role, u.email, u.active,"
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
