"""The Organisation page: the master data (clients, departments, teams, pay grades, courses,
appraisal periods) and the staff, one tab per kind.

Each tab lists the kind's records (searchable, with downloads), offers its import template, and
for an account that may write the kind (`Scope.may_write`) a form to add a record and one to
change a record chosen from the list; for any other account the tab is read-only. The forms are
drawn from the kind's row model (`csdata.records.models`), so a field added there appears here, and
they save through `csdata.records.master_data`, which is the import on one row: a refusal is the
import's own message, shown under its field, and nothing is written. A change asks for a reason,
and for a person the day it takes effect; beside the chosen record stand its versions (the trail)
and, for a person, their periods of team, grade and status. The forms' keys, the message after a
save and the guard against a second click are those of the records forms (`csdata.ui.forms`).
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal

import pandas as pd
import streamlit as st

from csdata.access.auth import User
from csdata.analytics import lookups
from csdata.records import entry, history, master_data
from csdata.records.master_data import ORG_KINDS, key_of
from csdata.records.models import KINDS, RECRUIT_CHANNELS, REQUISITION_STATUSES
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, column_label, family_key, literal, t
from csdata.ui.core import lang, problem_text, tr
from csdata.ui.datatable import readable, table_with_downloads
from csdata.ui.forms import Fields, _save
from csdata.ui.importer import template_downloads
from csdata.ui.saving import Saved, keys, last_saved, save_once

__all__ = ["organisation_page"]

# The values of the kinds' fixed choices (a person's and a period's status, a course's kind).
VALUES = ("active", "left", "open", "closed", "onboarding", "in_service")
CHANGES = ("create", "update")  # a version of a record in the trail
CHOSEN = (*RECRUIT_CHANNELS, *REQUISITION_STATUSES)  # choices with a `choice_` label
MONEY = ("base_pay", "performance_pay_base")
EARLIEST = dt.date(1950, 1, 1)  # the first day a date field offers (a hire date long ago)
LATEST = dt.date(2100, 12, 31)


def organisation_page(wh: Warehouse, user: User) -> None:
    """One tab per kind, in the order a new company sets them up."""
    _relabel()
    tabs = st.tabs([tr(family_key("imp_kind_", kind)) for kind in ORG_KINDS])
    refs = _references(wh, user) if any(user.scope.may_write(kind) for kind in ORG_KINDS) else {}
    for kind, tab in zip(ORG_KINDS, tabs, strict=True):
        with tab:
            _tab(wh, user, kind, {f: names for f, names in refs.items() if f != key_of(kind)})


def _tab(wh: Warehouse, user: User, kind: str, refs: dict[str, list[str]]) -> None:
    """`refs`: field -> the records it may name (a record's own name is typed, not chosen)."""
    frame = lookups.records(wh, kind, user.scope)
    _listing(frame, kind)
    template_downloads(wh, kind, key=f"org_template_{kind}")
    if not user.scope.may_write(kind):
        st.info(tr("org_read_only"), icon=":material/visibility:")
        return
    st.subheader(tr("org_add"))
    _add_form(wh, user, kind, refs)
    st.subheader(tr("org_edit"))
    _edit(wh, user, kind, frame, refs)


# A choice shown through a translated label (a status, a course's kind): its widget's key.
_TRANSLATED = re.compile(rf"^(org_employees_status|o[ae]_({'|'.join(ORG_KINDS)})_(status|kind)(_.*)?)$")


def _relabel() -> None:
    """After a switch of language, the choices shown through a translated label are assigned
    their values again, so the browser draws them in the new language (as `core.language_switch`
    does for the dashboards' widgets) and keeps the user's choice."""
    language = lang()
    if st.session_state.get("_org_lang") not in (None, language):
        for key in [k for k in st.session_state if isinstance(k, str) and _TRANSLATED.match(k.split("~")[0])]:
            st.session_state[key] = st.session_state[key]
    st.session_state["_org_lang"] = language


# -- the list ------------------------------------------------------------------------------------


def _value_label():
    language = lang()

    def label(value) -> str:
        if value in VALUES:
            return t(family_key("org_value_", value), language)
        # a candidate's channel or a requisition's status (`csdata.records.models`)
        return t(family_key("choice_", value), language) if value in CHOSEN else str(value)

    return label


def _listing(frame: pd.DataFrame, kind: str) -> None:
    """The records, narrowed by a search (any column containing the text) and, for the staff, by
    status and team."""
    shown = frame
    search, *more = st.columns(3 if kind == "employees" else 1)
    text = search.text_input(
        tr("org_search"), key=f"org_{kind}_search", placeholder=tr("org_search_placeholder")
    ).strip()
    if text:
        cells = shown.astype(str).apply(lambda column: column.str.contains(text, case=False, regex=False))
        shown = shown[cells.any(axis=1)]
    if kind == "employees":
        label = _value_label()
        statuses = more[0].multiselect(
            column_label("status", lang()), ["active", "left"], format_func=label, placeholder=tr("choose"),
            key="org_employees_status",
        )  # fmt: skip
        teams = more[1].multiselect(
            column_label("team", lang()), sorted(frame["team"].dropna().unique()), placeholder=tr("choose"),
            key="org_employees_team",
        )  # fmt: skip
        if statuses:
            shown = shown[shown["status"].isin(statuses)]
        if teams:
            shown = shown[shown["team"].isin(teams)]
    if "status" in shown:
        shown = shown.assign(status=shown["status"].map(_value_label()))
    if shown.empty and not frame.empty:
        st.caption(tr("org_none_found"))
    table_with_downloads(
        readable(shown),
        f"org_{kind}",
        f"csdata-{kind.replace('_', '-')}",
        money=MONEY if kind == "pay_grades" else (),
    )


# -- the fields of a record ------------------------------------------------------------------------


def _references(wh: Warehouse, user: User) -> dict[str, list[str]]:
    """Field -> the records it may name within the scope (the import refuses any other, and says
    how to add it)."""
    scope = user.scope
    return {
        "client": lookups.clients(wh, scope),
        "department": lookups.departments(wh),
        "team": lookups.teams(wh, scope),
        "grade": list(lookups.records(wh, "pay_grades", scope)["grade"]),
        "supervisor_id": list(lookups.employees(wh, scope=scope)["employee_id"]),
    }


def _type(annotation) -> type:
    """A field's type without its `| None`; a Literal as itself."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is typing.Literal:
        return annotation
    return _type(args[0]) if args and typing.get_origin(annotation) is not None else annotation


def _fields(
    kind: str,
    refs: dict[str, list[str]],
    values: dict,
    key,
    fields: Fields,
    fixed: str | None = None,
    only: tuple[str, ...] | None = None,
) -> dict:
    """The kind's fields (or those named in `only`) in three columns, filled with `values` (a new
    record: the model's defaults); `fixed` is a field shown but not changed (the key of a record
    being changed). The values typed, blank as None."""
    model = KINDS[kind]
    label_of = _value_label()
    columns = st.columns(3)
    out: dict = {}
    shown = [(n, i) for n, i in model.model_fields.items() if only is None or n in only]
    for i, (name, info) in enumerate(shown):
        default = values.get(name, None if info.is_required() else info.default)
        label = column_label(name, lang())
        kind_of = _type(info.annotation)
        with columns[i % 3]:
            widget_key = key(name)
            if typing.get_origin(kind_of) is typing.Literal:
                options = list(typing.get_args(kind_of))
                index = options.index(default) if default in options else None
                out[name] = st.selectbox(label, options, index=index, format_func=label_of,
                                         placeholder=tr("choose"), key=widget_key)  # fmt: skip
            elif kind_of is bool:
                out[name] = st.checkbox(label, value=bool(default), key=widget_key)
            elif kind_of is dt.date:
                day = dt.date.fromisoformat(default) if isinstance(default, str) else default
                out[name] = st.date_input(
                    label, value=day, min_value=EARLIEST, max_value=LATEST, key=widget_key
                )
            elif kind_of in (float, Decimal):
                number = None if default is None else float(default)
                out[name] = st.number_input(label, value=number, step=1.0, key=widget_key)
            elif name in refs:
                options = list(refs[name])
                if default is not None and default not in options:
                    options.insert(0, default)
                out[name] = st.selectbox(
                    label, options, index=options.index(default) if default is not None else None,
                    accept_new_options=True, placeholder=tr("choose"), key=widget_key,
                )  # fmt: skip
            else:
                typed = st.text_input(
                    label,
                    value=default or "",
                    max_chars=200,
                    disabled=name == fixed,
                    placeholder=tr("auto_id") if kind == "employees" and name == key_of(kind) else "",
                    key=widget_key,
                )
                out[name] = (typed or "").strip() or None
            fields.slot(name)
    return out


# -- adding ----------------------------------------------------------------------------------------


def _add_form(wh: Warehouse, user: User, kind: str, refs: dict[str, list[str]]) -> None:
    form = f"org_add_{kind}"
    k = keys(form)
    last_saved(form, user)
    fields = Fields()
    values = _fields(kind, refs, {}, lambda name: k(f"oa_{kind}_{name}"), fields)
    if not st.button(tr("org_add_save"), type="primary", key=k(f"oa_{kind}_save")):
        return
    key = key_of(kind)
    row = dict(values)
    if kind == "employees" and not row[key]:  # a person without a 工号 gets one made
        row[key] = entry.new_id("E")
    save_once(
        form,
        values,
        lambda: _save(fields, lambda: master_data.add(wh, user.username, kind, row, user.scope), key),
        lambda _: Saved(row[key], tr("org_added", kind=tr(family_key("imp_kind_", kind)), id=row[key])),
    )
    fields.show()


# -- changing ------------------------------------------------------------------------------------


def _edit(wh: Warehouse, user: User, kind: str, frame: pd.DataFrame, refs: dict[str, list[str]]) -> None:
    form = f"org_edit_{kind}"
    key = key_of(kind)
    last_saved(form, user)
    names = dict(zip(frame[key], frame["name"], strict=True)) if kind == "employees" else {}
    chosen = st.selectbox(
        tr("org_choose"),
        list(frame[key]),
        index=None,
        format_func=lambda rid: f"{rid} · {names[rid]}" if rid in names else str(rid),
        placeholder=tr("choose"),
        key=f"oe_{kind}_choice",
    )
    if chosen is None:
        return
    record = master_data.current(wh, kind, chosen)
    if record is None:
        return
    left, right = st.columns(2)
    with right:
        _history(wh, user, kind, chosen)
    with left:
        _edit_form(wh, user, kind, refs, chosen, record)


def _edit_form(
    wh: Warehouse, user: User, kind: str, refs: dict[str, list[str]], chosen: str, record: dict
) -> None:
    form = f"org_edit_{kind}"
    k = keys(form)
    fields = Fields()
    # Each record its own widgets: choosing another shows its values, not the last one's.
    values = _fields(kind, refs, record, lambda name: k(f"oe_{kind}_{name}_{chosen}"), fields, key_of(kind))
    values[key_of(kind)] = chosen
    effective = None
    if kind == "employees":
        effective = st.date_input(
            tr("org_effective"), value=dt.date.today(), min_value=EARLIEST, max_value=LATEST,
            help=tr("org_effective_help"), key=k(f"oe_{kind}_effective_{chosen}"),
        )  # fmt: skip
        fields.slot("effective")
    reason = st.text_input(tr("org_reason"), max_chars=500, key=k(f"oe_{kind}_reason_{chosen}"))
    fields.slot("reason")
    if not st.button(tr("org_edit_save"), type="primary", key=k(f"oe_{kind}_save_{chosen}")):
        return
    submitted = {**values, "_reason": reason.strip(), "_effective": effective}

    def change():
        report = master_data.edit(wh, user.username, kind, values, reason, user.scope, effective)
        if report.rejects:
            fields.add_report(report)
            return None
        return report

    def refused(exc: Problem) -> None:
        fields.add("reason" if exc.key == "org_reason_required" else "", problem_text(exc))

    save_once(form, submitted, change, lambda _: Saved(chosen, tr("org_changed", id=chosen)), refused=refused)
    fields.show()


def _history(wh: Warehouse, user: User, kind: str, record_id: str) -> None:
    """A person's periods, then the record's versions: each change, before → after, and why."""
    language = lang()
    if kind == "employees":
        st.markdown(f"**{tr('org_periods')}**")
        periods = lookups.employee_history(wh, record_id, user.scope, full=True)
        periods = periods.assign(status=periods["status"].map(_value_label()))
        st.dataframe(
            readable(periods).rename(columns=lambda c: column_label(c, language)),
            hide_index=True,
            width="stretch",
        )
    st.markdown(f"**{tr('org_versions')}**")
    try:
        versions = history.versions(wh, kind, record_id, language)
    except Problem as exc:
        st.caption(problem_text(exc))
        return
    for version in reversed(versions):  # the latest first
        with st.container(border=True):
            action = tr(family_key("org_change_", version["change"]))
            st.markdown(f"**{literal(version['at'])}** · {literal(version['actor'])} · {action}")
            lines = [_change(c, before, after) for c, (before, after) in version["changes"].items()]
            st.markdown("  \n".join(literal(line) for line in lines))
            st.caption(tr("org_why", reason=version["reason"] or "–"))


def _change(column: str, before, after) -> str:
    """One column's change as a reader reads it: grade: G1 → G2 (a new value alone when created);
    a status or a course's kind in the reader's language."""
    word = _value_label()

    def shown(value) -> str:
        return "–" if value is None else word(value) if column in ("status", "kind") else str(value)

    label = column_label(column, lang())
    if before is None:
        return f"{label}: {shown(after)}"
    return f"{label}: {shown(before)} → {shown(after)}"
