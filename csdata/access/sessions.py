"""Sessions that last: a signed-in browser keeps its session across a reload, a new tab, a bookmark
or a shared link, and the server can end it at any moment.

`start` makes a random token (`secrets.token_urlsafe(32)`: 256 bits) for the browser to keep in a
cookie; the `sessions` table holds only its SHA-256, so neither the table nor a copy of the file
gives a usable token, and a token proves nothing but the row it hashes to. `resume` takes a token
back to its account on every run and refuses it (None) when it is unknown, ended, past its
absolute lifetime (`LIFETIME`: 12 hours from sign-in, however active), idle for longer than the
idle time, or its account is closed. A session in use slides its `last_seen_at`, written at most
once per `TOUCH_EVERY` (a minute), so an active user costs a small write a minute rather than one
a click, and the idle time holds to within that minute.

Sign-out ends every session of the account at once (each browser and tab it is signed in on);
closing the account and a change of its password or role do too, inside the account change's own
transaction (`end_all_in`). Each write is one transaction through the warehouse; starting and
ending are on the audit log (`auth.session.start`, `auth.session.end`, which leave the data
version alone), the last-seen time is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from csdata.access.auth import User, load_user

LIFETIME = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)
PRUNE_AFTER = dt.timedelta(days=30)  # rows of sessions that expired longer ago are deleted
MAX_TOKEN = 128  # a cookie longer than this is no token of ours: refused without hashing

# Why a token was refused (the sign-in page tells the user of some of them).
UNKNOWN, ENDED, LIFETIME_OVER, IDLE, CLOSED = "unknown", "ended", "lifetime", "idle", "closed"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(wh, username: str, now: dt.datetime | None = None) -> str:
    """A new session of `username`; returns its token (only its hash is stored)."""
    now = now or dt.datetime.now()
    token = secrets.token_urlsafe(32)
    with wh.transaction(username, "auth.session.start", username, at=now) as w:
        w.execute("DELETE FROM sessions WHERE expires_at < ?", [now - PRUNE_AFTER])
        w.execute(
            "INSERT INTO sessions (token_hash, username, created_at, last_seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [token_hash(token), username, now, now, now + LIFETIME],
        )
    return token


def check(
    wh, token: str | None, idle_minutes: int, now: dt.datetime | None = None
) -> tuple[User | None, str | None]:
    """The user of a live session and None, or None and why the token was refused."""
    if not token or len(token) > MAX_TOKEN:
        return None, UNKNOWN
    now = now or dt.datetime.now()
    key = token_hash(token)
    rows = wh.rows(
        "SELECT username, last_seen_at, expires_at, ended_at FROM sessions WHERE token_hash = ?", [key]
    )
    if not rows:
        return None, UNKNOWN
    username, last_seen, expires, ended = rows[0]
    if ended is not None:
        return None, ENDED
    if now >= expires:
        return None, LIFETIME_OVER
    if now - last_seen > dt.timedelta(minutes=idle_minutes):
        return None, IDLE
    user = load_user(wh, username)  # None when the account is closed
    if user is None:
        return None, CLOSED
    if now - last_seen >= TOUCH_EVERY:
        with wh.transaction(username, "auth.session.touch", username, logged=False) as w:
            w.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                [now, key],
            )
    return user, None


def resume(wh, token: str | None, idle_minutes: int, now: dt.datetime | None = None) -> User | None:
    """The user of a live session (its last-seen time slid), or None; see `check` for why not."""
    return check(wh, token, idle_minutes, now)[0]


def end_all_in(w, username: str, why: str, now: dt.datetime | None = None) -> int:
    """Inside a transaction's writer: ends every live session of `username`; returns how many."""
    now = now or dt.datetime.now()
    live = "username = ? AND ended_at IS NULL AND expires_at > ?"
    count = w.scalar(f"SELECT count(*) FROM sessions WHERE {live}", [username, now])
    if count:
        w.execute(f"UPDATE sessions SET ended_at = ?, ended_why = ? WHERE {live}", [now, why, username, now])
    return count


def end(wh, token: str | None, why: str = "sign_out", now: dt.datetime | None = None) -> bool:
    """Ends one session; whether it was live."""
    if not token or len(token) > MAX_TOKEN:
        return False
    now = now or dt.datetime.now()
    key = token_hash(token)
    username = wh.scalar("SELECT username FROM sessions WHERE token_hash = ? AND ended_at IS NULL", [key])
    if username is None:
        return False
    with wh.transaction(username, "auth.session.end", username, {"why": why, "sessions": 1}, at=now) as w:
        w.execute(
            "UPDATE sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ? AND ended_at IS NULL",
            [now, why, key],
        )
    return True


def end_all(
    wh, username: str, why: str = "sign_out", actor: str | None = None, now: dt.datetime | None = None
) -> int:
    """Ends every session of `username` at once (sign-out does); returns how many were live."""
    now = now or dt.datetime.now()
    with wh.transaction(actor or username, "auth.session.end", username, {"why": why}, at=now) as w:
        w.detail["sessions"] = end_all_in(w, username, why, now)
    return w.detail["sessions"]
