"""The Compliance page and the Overview's counts: the standing queue of the policy's breaches
(the page module of `csdata.analytics.compliance`, which evaluates them).

The queue is `csdata.analytics.compliance.breaches` as of a day (today by default), never the
dashboards' period: a breach is listed however old it is, oldest first, until its condition ends.
Its filters (rule, client, team, owner) narrow the table, its download and the count alike; the
rule filter also reads and writes the address (`?rule=...`), so that the Overview's count of a
rule is a link to the queue of that rule. Acknowledging and excusing are offered only for the
breaches whose rule the account's role owns (`Scope`'s `owns_breach`); the step itself is checked
again where it is written.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.auth import User
from csdata.access.scope import Scope, owns_breach
from csdata.analytics import compliance
from csdata.pages import PAGES
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, family_key
from csdata.ui import datatable
from csdata.ui.core import data_version, policy, problem_text, tr

_FLASH = "compliance_flash"  # the step just taken, for the confirmation on the next run
STEPS = ("acknowledged", "excused")  # what the form may do to a breach


@st.cache_data(show_spinner=False, max_entries=32)
def _breaches(_wh: Warehouse, path: str, version: int, scope: Scope, as_of: dt.date) -> pd.DataFrame:
    return compliance.breaches(_wh, scope, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _counts(_wh: Warehouse, path: str, version: int, scope: Scope, as_of: dt.date) -> dict[str, int]:
    return compliance.counts(_wh, scope, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def _audit_number(_wh: Warehouse, path: str, version: int, as_of: dt.date) -> compliance.AuditNumber:
    return compliance.audit_number(_wh, policy(_wh, as_of), as_of)


def audit_plan_text(wh: Warehouse, as_of: dt.date) -> str:
    """The number of audits the rule `audits_below_plan` uses as of `as_of`, and where it comes
    from (the sampling plan or the rule's own number), in a sentence."""
    key, values = _audit_number(wh, wh.address, data_version(wh), as_of).phrase()
    return tr(key, **values)


def _rule_label(rule: str) -> str:
    return tr(family_key("breach_rule_", rule))


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """The queue's columns as a person reads them (rule, subject, owner and state in words)."""
    return frame[list(compliance.COLUMNS)].assign(
        rule=[_rule_label(r) for r in frame["rule"]],
        subject_kind=[tr(family_key("breach_subject_", k)) for k in frame["subject_kind"]],
        owner_role=[tr(family_key("role_", r)) for r in frame["owner_role"]],
        state=[tr(family_key("breach_state_", s)) for s in frame["state"]],
        owner=frame["owner"],
    )


def _url_rules(rules: list[str]) -> list[str]:
    return [r for r in st.query_params.get_all("rule") if r in rules]


def _write_url(chosen: list[str]) -> None:
    if chosen and st.query_params.get_all("rule") != chosen:
        st.query_params["rule"] = chosen
    elif not chosen and "rule" in st.query_params:
        del st.query_params["rule"]


def compliance_page(wh: Warehouse, user: User) -> None:
    """The queue with its filters and downloads, and the forms that acknowledge and excuse."""
    scope = user.scope
    flash = st.session_state.pop(_FLASH, None)
    if flash is not None:
        st.success(tr(flash))
    as_of = st.date_input(tr("compliance_as_of"), value=dt.date.today(), key="compliance_as_of")
    st.caption(tr("compliance_hint"))
    rules = compliance.visible_rules(wh, scope, as_of)
    if "audits_below_plan" in rules:
        st.caption(audit_plan_text(wh, as_of))
    frame = _breaches(wh, wh.address, data_version(wh), scope, as_of)
    c1, c2, c3, c4 = st.columns(4)
    chosen = c1.multiselect(
        tr("col_rule"),
        rules,
        default=_url_rules(rules),
        format_func={r: _rule_label(r) for r in rules}.__getitem__,
        placeholder=tr("compliance_all_rules"),
        key="compliance_rules",
    )
    _write_url(chosen)
    clients = c2.multiselect(
        tr("col_client"),
        sorted(frame["client"].dropna().unique()),
        placeholder=tr("all_clients"),
        key="compliance_clients",
    )
    teams: list[str] = []
    if scope.agents_visible:
        teams = c3.multiselect(
            tr("col_team"),
            sorted(frame["team"].dropna().unique()),
            placeholder=tr("all_teams"),
            key="compliance_teams",
        )
    roles = sorted(frame["owner_role"].unique())
    owners = c4.multiselect(
        tr("col_owner_role"),
        roles,
        format_func={r: str(tr(family_key("role_", r))) for r in roles}.__getitem__,
        placeholder=tr("compliance_all_owners"),
        key="compliance_owners",
    )
    shown = frame
    for column, values in (("rule", chosen), ("client", clients), ("team", teams), ("owner_role", owners)):
        if values:
            shown = shown[shown[column].isin(values)]
    st.markdown(tr("compliance_count", count=len(shown), date=as_of))
    if shown.empty:
        st.info(tr("compliance_none"))
    else:
        datatable.table_with_downloads(
            readable(shown),
            "breaches",
            f"csdata-breaches-{as_of}",
            narrow=(
                "subject_kind",
                "subject_id",
                "employee_id",
                "team",
                "since",
                "age_days",
                "state",
                "owner",
            ),
        )
    _step_forms(wh, user, shown, as_of)
    _steps(wh, shown)


def _steps(wh: Warehouse, shown: pd.DataFrame) -> None:
    """The steps taken on the breaches listed, newest first (each kept, with the audit log's)."""
    taken = shown[shown["state"] != "open"]
    if taken.empty:
        return
    with st.expander(tr("compliance_steps", count=len(taken))):
        steps = compliance.steps_of(wh, taken)
        steps = steps.assign(
            rule=[_rule_label(r) for r in steps["rule"]],
            state=[tr(family_key("breach_state_", s)) for s in steps["state"]],
        )
        datatable.table_with_downloads(
            steps, "breach_steps", "csdata-breach-steps", narrow=("since", "state")
        )


def _step_forms(wh: Warehouse, user: User, shown: pd.DataFrame, as_of: dt.date) -> None:
    """Acknowledge or excuse one of the listed breaches that the account's role owns."""
    owned = pd.Series([owns_breach(user.role, r) for r in shown["owner_role"]], index=shown.index, dtype=bool)
    mine = shown[owned & (shown["state"] != "excused")]
    if mine.empty:
        return
    st.subheader(tr("compliance_step_title"))
    # Each breach by its identity (rule, subject, since), so a choice outlives a rerun. Here as in
    # every choice of the page the labels are made during the run, in the reader's language.
    rows = {f"{r['rule']}|{r['subject_id']}|{r['since']}": r for r in mine.to_dict("records")}
    labels = {
        ident: f"{r['since']} · {_rule_label(r['rule'])} · {r['subject_id']}" for ident, r in rows.items()
    }

    with st.form("compliance_step", clear_on_submit=True):
        picked = st.selectbox(
            tr("compliance_pick"), list(rows), format_func=labels.__getitem__, key=f"compliance_pick_{as_of}"
        )
        what = st.radio(
            tr("compliance_step"),
            STEPS,
            format_func={s: str(tr(family_key("compliance_do_", s))) for s in STEPS}.__getitem__,
            horizontal=True,
            key="compliance_what",
        )
        owner = st.text_input(tr("compliance_owner"), value=user.username, key="compliance_owner")
        note = st.text_input(tr("compliance_note"), key="compliance_note")
        reason = st.text_input(tr("compliance_reason"), key="compliance_reason")
        if not st.form_submit_button(tr("compliance_save"), type="primary"):
            return
    r = rows[picked]
    try:
        compliance.step(
            wh,
            user.username,
            user.role,
            user.scope,
            r["rule"],
            r["subject_id"],
            r["since"],
            what,
            owner=owner if what == "acknowledged" else None,
            note=note if what == "acknowledged" else None,
            reason=reason if what == "excused" else None,
            as_of=as_of,
        )
    except Problem as exc:
        st.error(problem_text(exc))
        return
    st.session_state[_FLASH] = family_key("compliance_done_", what)
    st.rerun()


def overview_counts(wh: Warehouse) -> None:
    """The Overview's open breaches per rule as of today, each a link to the queue of that rule;
    nothing for an account that may not open the queue."""
    from csdata.ui.signin import current_user

    user = current_user(wh)
    if user is None or not user.may_open("compliance"):
        return
    counts = _counts(wh, wh.address, data_version(wh), user.scope, dt.date.today())
    if not counts:
        return
    st.subheader(tr("compliance_overview_title"))
    row = st.container(horizontal=True)
    for rule, count in counts.items():
        row.page_link(
            PAGES["compliance"].file,
            label=tr("compliance_overview_link", rule=_rule_label(rule), count=count),
            icon=":material/warning:" if count else ":material/check_circle:",
            query_params={"rule": rule},
        )
    st.caption(tr("compliance_overview_hint"))
