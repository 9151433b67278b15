"""Who is signed in: the session, the sign-in form, the navigation of the pages a user may open,
and the guard every page calls first.

A signed-in browser session keeps its user and session token in `st.session_state`; the token's
server-side session (`csdata.access.sessions`) is checked on every run, so a sign-out elsewhere, a
closed account or the idle time takes effect at the next click. A new browser session (a reload,
a new tab, a bookmark, a shared link) has no state yet: it adopts the session whose token the
`csdata_session` cookie holds, when that session is still live (`csdata.ui.cookie`).
"""

from __future__ import annotations

import secrets

import streamlit as st

from csdata.access import auth, sessions
from csdata.access.auth import User
from csdata.pages import PAGES, SECTIONS, Page
from csdata.settings import Settings, SettingsError, is_local_address
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import family_key
from csdata.ui import cookie
from csdata.ui.core import tr, warehouse

TOKEN = "session_token"
_SPENT = "_spent_tokens"  # tokens this browser session has seen refused or ended: not tried again
_WHY = "signed_out_why"  # why the session ended without the user signing out, for a note


def _idle_minutes() -> int:
    try:
        return Settings.from_env().idle_minutes
    except SettingsError:
        return Settings.model_fields["idle_minutes"].default


def current_user(wh: Warehouse) -> User | None:
    """The signed-in user, read afresh each run (a disabled account or a new role applies at once):
    this browser session's own, while its server session lives, else the one the cookie names
    (a reload, a new tab, a link). None when neither lives; why, for the sign-in page's note."""
    name, token = st.session_state.get("username"), st.session_state.get(TOKEN)
    if name is not None:
        user, why = sessions.check(wh, token, _idle_minutes())
        if user is None or user.username != name:
            _forget_session(why)
            return None
        return user
    token = cookie.read()
    if token is None or token in st.session_state.get(_SPENT, ()):
        return None
    user, why = sessions.check(wh, token, _idle_minutes())
    if user is None:  # forged, ended or expired: the sign-in page, and the cookie goes
        _spend(token)
        cookie.queue_write(None, only_if=token)
        if why in (sessions.IDLE, sessions.LIFETIME_OVER):
            st.session_state[_WHY] = why
        return None
    st.session_state["username"], st.session_state[TOKEN] = user.username, token
    st.session_state.pop(_WHY, None)
    return user


def _spend(token: str | None) -> None:
    if token:
        st.session_state.setdefault(_SPENT, set()).add(token)


def _forget_session(why: str | None) -> None:
    """This browser session's server session has ended without a sign-out here."""
    token = st.session_state.pop(TOKEN, None)
    st.session_state.pop("username", None)
    _spend(token)
    _forget_filters()
    cookie.queue_write(None, only_if=token)  # unless it holds another session's token by now
    if why in (sessions.IDLE, sessions.LIFETIME_OVER, sessions.ENDED, sessions.CLOSED):
        st.session_state[_WHY] = why


def _forget_filters() -> None:
    from csdata.ui.filter_bar import forget_filters

    forget_filters()


def _start_session(wh: Warehouse, user: User) -> None:
    """A new server session for `user`; its token is kept here and queued for the cookie, which
    the router writes on the run that follows (callers rerun)."""
    _forget_filters()  # a link's filters are in the URL; the previous user's choices are not
    token = sessions.start(wh, user.username)
    st.session_state["username"], st.session_state[TOKEN] = user.username, token
    st.session_state.pop(_WHY, None)
    cookie.queue_write(token)


def sign_out() -> None:
    """Ends every session of the account (each tab and browser), deletes the cookie, and leaves
    the next person in this tab a clean address."""
    name = st.session_state.pop("username", None)
    _spend(st.session_state.pop(TOKEN, None))
    _spend(cookie.read())  # the cookie this page connected with is stale from now on
    if name is not None:
        sessions.end_all(warehouse(), name, "sign_out")
    cookie.queue_write(None)
    st.session_state.pop(_WHY, None)
    _forget_filters()
    st.query_params.clear()


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _served_locally() -> bool:
    """Whether the app listens on a loopback address only (unreadable settings: not local)."""
    try:
        return is_local_address(Settings.from_env().address)
    except SettingsError:
        return False


def _source() -> str:
    """An opaque key for this browser session, which the sign-in throttle tells apart."""
    if "_sign_in_source" not in st.session_state:
        st.session_state["_sign_in_source"] = secrets.token_hex(16)
    return st.session_state["_sign_in_source"]


def sign_in_page() -> None:
    """The sign-in form (and single sign-on, where configured)."""
    wh = warehouse()
    st.title(tr("sign_in_title"))
    why = st.session_state.get(_WHY)
    if why == sessions.IDLE:
        st.info(tr("session_expired", minutes=_idle_minutes()))
    elif why == sessions.LIFETIME_OVER:
        st.info(tr("session_lifetime", hours=int(sessions.LIFETIME.total_seconds() // 3600)))
    elif why is not None:
        st.info(tr("session_ended"))
    if wh.meta("demo") == "true" and _served_locally():
        st.caption(tr("demo_accounts"))
    if _sso_configured():
        if getattr(st.user, "is_logged_in", False):
            user = auth.user_by_email(wh, st.user.get("email") or "")
            if user is not None:
                _start_session(wh, user)
                st.rerun()
            st.warning(tr("sso_no_account", email=st.user.get("email") or "?"))
        else:
            st.button(tr("sign_in_sso"), on_click=st.login, key="sso")
    with st.form("sign_in", enter_to_submit=True):
        username = st.text_input(tr("username"), max_chars=64, autocomplete="username")
        password = st.text_input(
            tr("password"), type="password", max_chars=auth.MAX_PASSWORD, autocomplete="current-password"
        )
        submitted = st.form_submit_button(tr("sign_in"), type="primary")
    if submitted:
        result = auth.sign_in(wh, username, password, source=_source())
        if result.user is not None:
            _start_session(wh, result.user)
            st.rerun()
        elif result.locked:
            st.error(tr("sign_in_wait", seconds=result.wait_seconds))
        else:
            st.error(tr("sign_in_failed"))
            if result.wait_seconds:
                st.warning(tr("sign_in_wait", seconds=result.wait_seconds))


def user_box(user: User) -> None:
    st.sidebar.markdown(tr("signed_in_as", name=user.username, role=tr(family_key("role_", user.role))))
    if st.sidebar.button(tr("sign_out"), key="sign_out", icon=":material/logout:"):
        sign_out()
        st.rerun()


# Navigation sections (i18n key of the heading -> page keys), in order.


def navigation_pages(user: User | None) -> list | dict:
    """The pages this user may open, under section headings. Signed out: the sign-in page, and
    every page's address too (the navigation is hidden then), so that a colleague's link to
    `/service?…` asks for the sign-in on that page and opens it once signed in, instead of
    "page not found"; each page's own `require` shows the sign-in form until then."""
    if user is None:
        return [
            st.Page(
                sign_in_page,
                title=tr("sign_in_title"),
                icon=":material/login:",
                url_path="sign-in",
                default=True,
            ),
            *(_page(p, home=False) for p in PAGES.values()),
        ]
    sections = {}
    for heading in SECTIONS:
        pages = [_page(p) for p in PAGES.values() if p.section == heading and user.may_open(p.key)]
        if pages:
            sections[tr(heading)] = pages
    if sections and user.may_open("overview"):
        # Signed in, the overview is served at the bare address; `/overview` (its address while
        # signed out, which a link or bookmark may carry into a signed-in browser) opens it too,
        # instead of "page not found".
        next(iter(sections.values())).append(_page(PAGES["overview"], home=False, hidden=True))
    return sections


def _page(page: Page, home: bool = True, hidden: bool = False) -> st.Page:
    """A page of the navigation; with `home`, the overview is where a bare address leads."""
    default = home and page.key == "overview"
    return st.Page(
        page.file,
        title=tr(page.title),
        icon=page.icon,
        url_path="home" if default else page.key,  # the default page's own address is the bare one
        default=default,
        visibility="hidden" if hidden else "visible",
    )


def require(page: str) -> tuple[Warehouse, User]:
    """What every page calls first: its warehouse and user, or a stop (signed out, not allowed)."""
    wh = warehouse()
    user = current_user(wh)
    if user is None:
        sign_in_page()
        st.stop()
    if not user.may_open(page):
        st.error(tr("not_allowed"))
        st.stop()
    if user.scope.unassigned:  # the scope would show nothing: say why instead of empty pages
        st.warning(tr("scope_unassigned", what=tr(family_key("scope_what_", user.role))))
        st.stop()
    st.session_state["page"] = page  # which page this run draws (the filter bar restores on a change)
    return wh, user
