"""Administration widgets: the payroll's month picker, totals and table, and the user form."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csdata.access import auth
from csdata.access.auth import User
from csdata.analytics import lookups, payroll
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    column_label,
    family_key,
    text_key,
)
from csdata.ui import datatable
from csdata.ui.core import lang, problem_text, tr


def choose_month(months: list[str]) -> str:
    """The month whose payroll is shown (newest first, so the newest is the default)."""
    return st.selectbox(tr("pay_month"), months, key="payroll_month")


_TOTALS = (
    (text_key("pay_base_total"), "base_pay"),
    (text_key("pay_seniority_total"), "seniority_pay"),
    (text_key("pay_performance_total"), "performance_pay"),
    (text_key("pay_bonus_total"), "bonus"),
    (text_key("pay_total"), "total"),
)


def payroll_summary(frame: pd.DataFrame) -> None:
    """The month's head count and totals, then who has no performance pay yet and who is prorated."""
    sums = payroll.totals(frame)
    cells = [(tr("pay_people"), f"{len(frame):,}")] + [
        (tr(label), f"¥{sums[name]:,.2f}") for label, name in _TOTALS
    ]
    for row in (cells[:3], cells[3:]):  # two rows of three: a payroll's amounts are long
        for column, (label, value) in zip(st.columns(3), row, strict=True):
            column.metric(label, value)
    waiting = frame[frame["awaiting_confirmation"]]
    if len(waiting):
        st.warning(tr("pay_awaiting", n=len(waiting), ids=", ".join(waiting["employee_id"])))
    prorated = int(frame["prorated"].sum())
    if prorated:
        st.info(tr("pay_prorated_note", n=prorated))


def payroll_table(frame: pd.DataFrame, month: str) -> None:
    """One row per person, headed in the reader's language; the downloads (CSV and Excel) keep the
    payroll's own column names (`payroll.COLUMNS`), the same in every language, for the payroll
    system that reads them."""
    language = lang()
    headings = {c: column_label(c, language) for c in frame.columns}
    config = {headings[c]: st.column_config.NumberColumn(format="%.2f") for c in payroll.MONEY}
    config[headings["coefficient"]] = st.column_config.NumberColumn(format="%.2f", width="small")
    st.dataframe(
        datatable.blank(frame.drop(columns=["month"])).rename(columns=headings),
        hide_index=True,
        width="stretch",
        column_config=config,
    )
    datatable.download_buttons(datatable.blank(frame), f"csdata-payroll-{month}", "dl_pay")


# -- administration ------------------------------------------------------------------------------


def _show_problem(exc: auth.AuthError) -> None:
    st.error(problem_text(exc))


def user_form(wh: Warehouse, me: User, username: str | None) -> None:
    """Add a user (username None) or change one: role, scope, e-mail, status, password."""
    current = auth.load_user(wh, username) if username else None
    row = wh.rows("SELECT active FROM users WHERE username = ?", [username]) if username else []
    clients = lookups.clients(wh)
    teams = lookups.teams(wh)
    people = lookups.employees(wh)
    names = dict(zip(people["employee_id"], people["name"], strict=True))
    with st.form(f"user_form_{username or 'new'}", clear_on_submit=username is None):
        name = username or st.text_input(tr("username"), max_chars=64)
        role = st.selectbox(
            tr("role"),
            auth.ROLES,
            index=auth.ROLES.index(current.role) if current else None,
            placeholder=tr("choose"),
            format_func=lambda r: tr(family_key("role_", r)),
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
                clients=chosen_clients,
                teams=chosen_teams,
                email=email,
                active=active,
                employee_id=employee,
            )
            if password:
                auth.set_password(wh, me.username, username, password)
    except auth.AuthError as exc:
        _show_problem(exc)
        return
    st.success(tr("saved"))
