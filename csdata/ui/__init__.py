"""The pieces pages are built from: `csdata.ui` is the only package that imports streamlit.

This module holds the frame (language, warehouse, sign-in, navigation) and the dashboard pieces;
`csdata.ui.entry` holds the data-entry forms, `csdata.ui.imports` the upload flow and
`csdata.ui.policy_form` the policy editor.

The warehouse is a cached resource (one per process, a cursor per session thread), query results
are cached by their arguments plus the warehouse's data version (the last audit-log id, which
every write moves), so a page rerun costs nothing until data changes. The language lives in a
plain session key rather than in a widget's state, because Streamlit forgets widget state when
the user moves to another page.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pandas as pd
import streamlit as st

from csdata import auth, queries
from csdata.auth import User
from csdata.i18n import (
    LANG_NAMES,
    LANGS,
    Problem,
    action_label,
    column_label,
    fmt_detail,
    fmt_money,
    md,
    t_md,
    with_unit,
)
from csdata.policy import Policy, load_policy
from csdata.settings import Settings, SettingsError, is_local_address
from csdata.warehouse import Warehouse, WarehouseError

TRANSLATED_WIDGETS = ("f_channels", "trend_metric", "service_split", "agent_pick")


# -- language ----------------------------------------------------------------------------------


def lang() -> str:
    if "lang" not in st.session_state:
        try:
            st.session_state["lang"] = Settings.from_env().lang
        except SettingsError:
            st.session_state["lang"] = "en"
    return st.session_state["lang"]


def tr(key: str, **params: object) -> md:
    """The text of `key` in the user's language, for a place that renders markdown: every
    parameter (a name from a record, a value from the URL or a file) shows as plain text."""
    return t_md(key, lang(), **params)


def problem_text(exc: Problem) -> md:
    """A refusal's message, its parameters shown as plain text (they often quote the input)."""
    return tr(exc.key, **exc.params_in(lang()))


def language_switch() -> None:
    """English / 中文, in the sidebar of every page."""
    current = lang()

    def changed() -> None:
        st.session_state["lang"] = st.session_state["_lang_choice"]
        # Widgets whose options are shown through a translated label keep the text they showed;
        # assigning their values again makes Streamlit draw them afresh in the new language and
        # keeps the user's choice.
        for key in TRANSLATED_WIDGETS:
            if key in st.session_state:
                st.session_state[key] = st.session_state[key]

    st.sidebar.radio(
        tr("language"),
        LANGS,
        index=LANGS.index(current),
        format_func=LANG_NAMES.get,
        horizontal=True,
        key="_lang_choice",
        on_change=changed,
    )


# -- warehouse and cached reads ----------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Warehouse:
    wh = Warehouse(path)
    wh.serve_backups()  # `csdata backup` asks this process for a copy while it holds the file
    return wh


def warehouse() -> Warehouse:
    """The app's warehouse, or a clear message and a stopped page."""
    try:
        return _open(str(Settings.from_env().db))
    except SettingsError as exc:
        st.error(tr("err_settings", detail=str(exc)))
    except WarehouseError as exc:
        st.error(problem_text(exc))
    st.stop()


def data_version(wh: Warehouse) -> int:
    """Moves with every write of data (sign-ins are logged too, but change no numbers)."""
    return wh.scalar("SELECT coalesce(max(id), 0) FROM audit_log WHERE action NOT LIKE 'auth.%'") or 0


@st.cache_data(show_spinner=False, max_entries=16)
def _policy(_wh: Warehouse, path: str, version: int, on: dt.date) -> Policy:
    return load_policy(_wh, on)[1]


def policy(wh: Warehouse, on: dt.date) -> Policy:
    return _policy(wh, str(wh.path), data_version(wh), on)


# -- who is signed in ------------------------------------------------------------------------------

# Page key -> (view script, i18n key of its title, icon), in navigation order.
PAGE_FILES: dict[str, tuple[str, str, str]] = {
    "overview": ("views/overview.py", "nav_overview", ":material/dashboard:"),
    "service": ("views/service.py", "nav_service", ":material/headset_mic:"),
    "complaints": ("views/complaints.py", "nav_complaints", ":material/report:"),
    "quality": ("views/quality.py", "nav_quality", ":material/verified:"),
    "people": ("views/people.py", "nav_people", ":material/badge:"),
    "clients": ("views/clients.py", "nav_clients", ":material/business_center:"),
    "agent": ("views/agent.py", "nav_agent", ":material/person:"),
    "tickets": ("views/tickets.py", "nav_tickets", ":material/support_agent:"),
    "audits": ("views/audits.py", "nav_audits", ":material/fact_check:"),
    "training": ("views/training.py", "nav_training", ":material/school:"),
    "appraisals": ("views/appraisals.py", "nav_appraisals", ":material/grading:"),
    "imports": ("views/imports.py", "nav_imports", ":material/upload_file:"),
    "pay": ("views/pay.py", "nav_pay", ":material/payments:"),
    "users": ("views/users.py", "nav_users", ":material/group:"),
    "policy": ("views/policy.py", "nav_policy", ":material/rule:"),
    "audit_log": ("views/audit_log.py", "nav_audit_log", ":material/history:"),
}


def _idle_minutes() -> int:
    try:
        return Settings.from_env().idle_minutes
    except SettingsError:
        return Settings.model_fields["idle_minutes"].default


def current_user(wh: Warehouse) -> User | None:
    """The signed-in user, read afresh each run (a disabled account or a new role applies at once);
    None after the idle time, with a note for the sign-in page."""
    name = st.session_state.get("username")
    if name is None:
        return None
    now = dt.datetime.now()
    last = st.session_state.get("last_seen", now)
    if now - last > dt.timedelta(minutes=_idle_minutes()):
        sign_out(expired=True)
        return None
    st.session_state["last_seen"] = now
    user = auth.load_user(wh, name)
    if user is None:
        sign_out()
    return user


def _forget_filters() -> None:
    from csdata.ui.dashboard import forget_filters

    forget_filters()


def _start_session(user: User) -> None:
    _forget_filters()  # a link's filters are in the URL; the previous user's choices are not
    st.session_state["username"] = user.username
    st.session_state["last_seen"] = dt.datetime.now()
    st.session_state.pop("expired", None)


def sign_out(expired: bool = False) -> None:
    for key in ("username", "last_seen"):
        st.session_state.pop(key, None)
    _forget_filters()
    if expired:
        st.session_state["expired"] = True
    else:  # signed out on purpose: the next person in this tab starts from a clean address
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
    if st.session_state.get("expired"):
        st.info(tr("session_expired", minutes=_idle_minutes()))
    if wh.meta("demo") == "true" and _served_locally():
        st.caption(tr("demo_accounts"))
    if _sso_configured():
        if getattr(st.user, "is_logged_in", False):
            user = auth.user_by_email(wh, st.user.get("email") or "")
            if user is not None:
                _start_session(user)
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
            _start_session(result.user)
            st.rerun()
        elif result.locked:
            st.error(tr("sign_in_wait", seconds=result.wait_seconds))
        else:
            st.error(tr("sign_in_failed"))
            if result.wait_seconds:
                st.warning(tr("sign_in_wait", seconds=result.wait_seconds))


def user_box(user: User) -> None:
    st.sidebar.markdown(tr("signed_in_as", name=user.username, role=tr(f"role_{user.role}")))
    if st.sidebar.button(tr("sign_out"), key="sign_out", icon=":material/logout:"):
        sign_out()
        st.rerun()


# Navigation sections (i18n key of the heading -> page keys), in order.
SECTIONS: dict[str, tuple[str, ...]] = {
    "nav_section_dashboards": ("overview", "service", "complaints", "quality", "people", "clients", "agent"),
    "nav_section_data": ("tickets", "audits", "training", "appraisals", "imports"),
    "nav_section_admin": ("pay", "users", "policy", "audit_log"),
}


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
            *(
                st.Page(path, title=tr(title), icon=icon, url_path=k)
                for k, (path, title, icon) in PAGE_FILES.items()
            ),
        ]
    sections = {}
    for heading, keys in SECTIONS.items():
        pages = [
            st.Page(
                PAGE_FILES[k][0],
                title=tr(PAGE_FILES[k][1]),
                icon=PAGE_FILES[k][2],
                url_path=k,
                default=(k == "overview"),
            )  # fmt: skip
            for k in keys
            if user.may_open(k)
        ]
        if pages:
            sections[tr(heading)] = pages
    return sections


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
    if user.unassigned:  # the scope would show nothing: say why instead of empty pages
        st.warning(tr("scope_unassigned", what=tr(f"scope_what_{user.role}")))
        st.stop()
    st.session_state["page"] = page  # which page this run draws (the filter bar restores on a change)
    return wh, user


# -- tables, pay ---------------------------------------------------------------------------------


def blank(frame: pd.DataFrame, numbers_too: bool = False) -> pd.DataFrame:
    """Text columns with an empty cell where there is no value, never "None" or "nan"; with
    `numbers_too` (a table on screen, where the grid would write "None"), number columns that have
    a gap become text as well: 85, 83.75, or nothing."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.astype(object).where(values.notna(), "")
        elif numbers_too and pd.api.types.is_numeric_dtype(values) and values.isna().any():
            out[column] = ["" if pd.isna(v) else f"{v:,.2f}".rstrip("0").rstrip(".") for v in values]
    return out


def table_with_downloads(
    frame: pd.DataFrame,
    kind: str,
    filename: str,
    money: tuple[str, ...] = (),
    narrow: tuple[str, ...] = (),
    wide: tuple[str, ...] = (),
) -> None:
    """A table with translated headings, and the same as CSV and Excel downloads. `money` columns
    stay numbers, shown as ¥1,234 on screen and headed "(¥)" in the files; `narrow` columns (short
    codes and figures) take little room, so every column fits, and `wide` ones (text) much."""
    language = lang()
    shown = frame.copy()
    if "role" in shown:
        shown["role"] = shown["role"].map(lambda r: tr(f"role_{r}"))
    shown = blank(shown)
    headings = {c: column_label(c, language) for c in shown.columns}
    config = {headings[c]: st.column_config.NumberColumn(format="yen", width="small") for c in money}
    config |= {headings[c]: st.column_config.Column(width="small") for c in narrow if c not in money}
    config |= {headings[c]: st.column_config.Column(width="large") for c in wide}
    st.dataframe(shown.rename(columns=headings), hide_index=True, width="stretch", column_config=config)
    files = shown.rename(
        columns=lambda c: with_unit(headings[c], "money", language) if c in money else headings[c]
    )
    download_buttons(files, filename, f"dl_{kind}")


def audit_log_table(log: pd.DataFrame, start: dt.date, end: dt.date) -> None:
    """The audit log as a person reads it: each action in words, its detail as a short line."""
    language = lang()
    log = log.assign(
        action=[action_label(a, language) for a in log["action"]],
        detail=[fmt_detail(d, language) for d in log["detail"]],
    )
    table_with_downloads(
        log, "audit_log", f"csdata-audit-log-{start}_{end}", narrow=("id",), wide=("detail",)
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(
    frame: pd.DataFrame, file_stem: str, key: str, labels: tuple[str, str] = ("download_csv", "download_xlsx")
) -> None:
    """The same frame as CSV and Excel downloads, side by side (formula cells made inert)."""
    from csdata import exports

    row = st.container(horizontal=True)
    for fmt, label, mime in (("csv", labels[0], "text/csv"), ("xlsx", labels[1], XLSX_MIME)):
        row.download_button(
            tr(label),
            exports.to_bytes(frame, fmt),
            file_name=f"{file_stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


def choose_period(periods: list[tuple[str, dt.date]]) -> tuple[str, dt.date]:
    names = [p for p, _ in periods]
    chosen = st.selectbox(tr("appraisal_period"), names, key="period")
    return next(p for p in periods if p[0] == chosen)


def pay_summary(frame: pd.DataFrame) -> None:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("pay_people"), f"{len(frame):,}")
    c2.metric(tr("pay_base_total"), fmt_money(float(frame["base_pay"].sum())))
    c3.metric(tr("pay_performance_total"), fmt_money(float(frame["performance_pay"].sum())))
    c4.metric(tr("pay_bonus_total"), fmt_money(float(frame["bonus"].sum())))


# -- administration ------------------------------------------------------------------------------


def _show_problem(exc: auth.AuthError) -> None:
    st.error(problem_text(exc))


def user_form(wh: Warehouse, me: User, username: str | None) -> None:
    """Add a user (username None) or change one: role, scope, e-mail, status, password."""
    current = auth.load_user(wh, username) if username else None
    row = wh.rows("SELECT active FROM users WHERE username = ?", [username]) if username else []
    clients = queries.clients(wh)
    teams = queries.teams(wh)
    people = queries.employees(wh)
    names = dict(zip(people["employee_id"], people["name"], strict=True))
    with st.form(f"user_form_{username or 'new'}", clear_on_submit=username is None):
        name = username or st.text_input(tr("username"), max_chars=64)
        role = st.selectbox(
            tr("role"),
            auth.ROLES,
            index=auth.ROLES.index(current.role) if current else None,
            placeholder=tr("choose"),
            format_func=lambda r: tr(f"role_{r}"),
        )
        chosen_clients = st.multiselect(
            tr("clients"), clients, default=list(current.clients) if current else []
        )
        chosen_teams = st.multiselect(tr("teams"), teams, default=list(current.teams) if current else [])
        email = st.text_input(tr("email"), value=(current.email or "") if current else "", max_chars=254)
        ids = list(people["employee_id"])
        linked = current.employee_id if current else None
        employee = st.selectbox(
            tr("user_employee"),
            ids,
            index=ids.index(linked) if linked in ids else None,
            format_func=lambda eid: f"{eid} · {names.get(eid, '')}",
            placeholder="–",
            help=tr("user_employee_help"),
        )
        active = st.checkbox(tr("active"), value=bool(row[0][0]) if row else True) if username else True
        password = st.text_input(
            tr("new_password") if username else tr("password"), type="password", max_chars=auth.MAX_PASSWORD
        )
        submitted = st.form_submit_button(tr("save"), type="primary")
    if not submitted:
        return
    try:
        if username is None:
            auth.add_user(
                wh,
                me.username,
                name,
                role,
                password,
                chosen_clients,
                chosen_teams,
                email,
                employee_id=employee,
            )
        else:
            if password:
                auth.check_password(password)
            auth.update_user(
                wh,
                me.username,
                username,
                role,
                chosen_clients,
                chosen_teams,
                email,
                active,
                employee_id=employee,
            )
            if password:
                auth.set_password(wh, me.username, username, password)
    except auth.AuthError as exc:
        _show_problem(exc)
        return
    st.success(tr("saved"))
