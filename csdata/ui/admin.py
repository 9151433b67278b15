"""Administration widgets: the appraisal-period picker, the pay summary and the user form."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access import auth
from csdata.access.auth import User
from csdata.analytics import lookups
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    family_key,
    fmt_money,
)
from csdata.ui.core import problem_text, tr


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
