"""The session cookie: read from the page's request, written by a few lines of JavaScript.

The cookie `csdata_session` holds only the opaque session token (`csdata.access.sessions`), never
a name, role or password; the server looks its hash up on every run. It is `SameSite=Strict`, its
path is the app's own (`/`, or `/` + `server.baseUrlPath`), `Secure` when the page is served over
https, and it lives as long as a session may (`sessions.LIFETIME`); sign-out deletes it.

Streamlit sets no cookie of its own, so a write is queued in the session (`queue_write`) and done
by an inline components-v2 element that the router draws on every run, before the page
(`render_writer`): its script runs in the app's page itself, not in an iframe, so it writes the
app's own cookie; it hides its element (no gap on the page) and writes each queued value once (by
its nonce). It sends nothing back: an answer would rerun the script, and a rerun that cuts a
page's first run short (the one right after sign-in) can leave a widget showing its default while
its state holds a link's value. The queued write stays until the next one replaces it; drawn
again, it is not written again. Being set from script, the cookie cannot be HttpOnly; it is an
opaque token the server can revoke, and no page renders third-party script. `st.context.cookies`
holds the cookies of the page's request only, so after a write the session's own state, not the
cookie, says who is signed in.
"""

from __future__ import annotations

import secrets

import streamlit as st

from csdata.access.sessions import LIFETIME

NAME = "csdata_session"
_PENDING = "_cookie_write"

_JS = r"""
export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement && parentElement.getRootNode ? parentElement.getRootNode() : null;
  const host = (root && root.host) || parentElement;
  const box = host && host.closest && host.closest('[data-testid="stElementContainer"]');
  if (box) box.style.display = "none";
  if (!data || !data.nonce) return;
  const done = (window.__csdataCookieWrites ||= new Set());
  if (done.has(data.nonce)) return;
  done.add(data.nonce);
  const now = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
  const held = now === undefined ? null : decodeURIComponent(now.slice(data.name.length + 1));
  if (data.only_if && held !== data.only_if) return;  // it holds another session's token by now
  const parts = [
    `${data.name}=${encodeURIComponent(data.value || "")}`,
    `Path=${data.path || "/"}`,
    `Max-Age=${Math.trunc(data.max_age)}`,
    "SameSite=Strict",
  ];
  if (window.location.protocol === "https:") parts.push("Secure");
  document.cookie = parts.join("; ");
}
"""

_writer = st.components.v2.component("csdata_cookie_writer", js=_JS)


def read() -> str | None:
    """The token the browser sent when this session's page connected (None: no cookie)."""
    try:
        value = st.context.cookies.get(NAME)
    except Exception:  # no browser request behind this run (a script run without a page)
        return None
    return value if isinstance(value, str) and value else None  # (a test harness has no browser)


def _path() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else "/"


def queue_write(token: str | None, only_if: str | None = None) -> None:
    """Asks for the cookie to hold `token` (None: to be deleted) on the next run's writer; with
    `only_if`, only while the cookie still holds that value (a stale token is deleted, another
    tab's newer one is left alone)."""
    st.session_state[_PENDING] = {
        "name": NAME,
        "value": token or "",
        "max_age": int(LIFETIME.total_seconds()) if token else 0,
        "path": _path(),
        "only_if": only_if or "",
        "nonce": secrets.token_hex(8),
    }


def render_writer() -> None:
    """Draws the hidden writer, with the queued write if there is one; once per run, before the
    page. It is drawn on every run, queued write or not: an element that came and went above the
    page would move the page's widgets, and a moved widget is drawn afresh with its default value
    (a link's client chosen, yet "All clients" shown)."""
    _writer(key="csdata_cookie_writer", data=st.session_state.get(_PENDING) or {}, height=0)
