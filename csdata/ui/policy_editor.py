"""The Policy page's editor: every table of the policy in the units people use, checked by the
policy's own rules before it is saved as a new version.

Targets are entered as `csdata.policy.to_tables` lays them out: a rate in percent (85 for 85 %),
with the metric's unit beside it, since one table mixes rates, seconds, points and ratings. The
ranges themselves are the policy model's (`csdata.policy.Policy`), so a file loaded here, the CLI
and this editor refuse the same numbers with the same field-named messages; the editor's column
limits only keep the browser from offering what the model would refuse.

A save reruns the page at once, so the caption and the tables show the new version; the
confirmation waits in session state for that run. While the tables differ from the stored
version a badge says so and Save is the primary button.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from csdata import policy as pol
from csdata.access.auth import User
from csdata.analytics import lookups
from csdata.analytics.metrics import CATALOG
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import Problem, channel_label, column_label, family_key, literal, md
from csdata.ui.core import lang, problem_text, tr

_FLASH = "policy_flash"  # the version just saved, for the confirmation on the next run
UNITS = ("rate", "seconds", "hours", "days", "points", "rating", "count", "money")


def _refusal(exc: ValidationError | Problem, body: dict | None, heading: str) -> md:
    """A refusal as a heading and one line per broken rule, each naming its field, in the reader's
    language."""
    if isinstance(exc, Problem):
        return md(tr(heading) + "\n\n- " + problem_text(exc))
    lines = pol.messages(exc, body, lang())
    return md(tr(heading) + "\n\n" + "\n".join(f"- {literal(m)}" for m in lines))


def _breaks_rules(exc: ValidationError) -> bool:
    """Whether a file that reads as a policy breaks one of its rules (rather than being no policy)."""
    return all(isinstance((e.get("ctx") or {}).get("error"), Problem) for e in exc.errors())


def _file_box(current: pol.Policy, version: int, loaded: pol.Policy | None) -> None:
    """Download the policy in force as JSON, or load a reviewed file into the tables."""
    with st.expander(tr("policy_file")):
        st.download_button(
            tr("policy_download"),
            current.model_dump_json(indent=2),
            file_name=f"policy-v{version}.json",
            mime="application/json",
            on_click="ignore",
        )
        upload = st.file_uploader(tr("policy_upload"), type=["json"], key="policy_upload")
        if upload is not None and st.session_state.get("policy_loaded_name") != upload.name:
            try:
                body = json.loads(upload.getvalue().decode("utf-8"))
                candidate = pol.Policy.model_validate(body)
            except ValidationError as exc:
                if _breaks_rules(exc):
                    st.error(_refusal(exc, body, "policy_file_breaks_rules"))
                else:
                    st.error(tr("policy_bad_file"))
            except (ValueError, UnicodeDecodeError):
                st.error(tr("policy_bad_file"))
            else:
                st.session_state["policy_loaded"] = candidate
                st.session_state["policy_loaded_name"] = upload.name
                st.rerun()
        if loaded is not None:
            st.info(tr("policy_loaded", name=st.session_state.get("policy_loaded_name")))


def _columns(wh: Warehouse, language: str) -> dict[str, object]:
    """How each column of the tables is shown and what it accepts."""
    metric_names = [m for m in CATALOG if m != "training_hours"]
    number = st.column_config.NumberColumn
    return {
        "channel": st.column_config.SelectboxColumn(
            column_label("channel", language),
            options=list(pol.CHANNELS),
            format_func=lambda c: channel_label(c, language),
        ),
        # A rate's name says "(%)" already in the list, so a new row is entered in percent too
        # (its unit column fills only once saved).
        "metric": st.column_config.SelectboxColumn(
            column_label("metric", language),
            options=metric_names,
            format_func=lambda m: CATALOG[m].label(language) + (" (%)" if CATALOG[m].unit == "rate" else ""),
        ),
        "client": st.column_config.SelectboxColumn(
            column_label("client", language), options=lookups.clients(wh)
        ),
        "target": number(column_label("target", language), help=tr("policy_target_help"), min_value=0),
        "unit": st.column_config.SelectboxColumn(
            tr("policy_unit"),
            options=list(UNITS),
            format_func=lambda u: tr(family_key("unit_", u)),
            disabled=True,
        ),
        "seconds": number(column_label("seconds", language), min_value=1, step=1),
        "weight": number(column_label("weight", language), min_value=0, max_value=100),
        "min_score": number(column_label("min_score", language), min_value=0, max_value=100),
        "coefficient": number(column_label("coefficient", language), min_value=0, max_value=5),
        "years": number(column_label("years", language), min_value=0, max_value=60, step=1),
        "amount": number(column_label("amount", language), min_value=0, help=tr("policy_seniority_help")),
        # The compliance rules: a fixed row per rule; the numbers a rule has not stay empty.
        "rule": st.column_config.SelectboxColumn(
            column_label("rule", language),
            options=list(pol.RULES),
            format_func=lambda r: tr(family_key("breach_rule_", r)),
            disabled=True,
        ),
        "on": st.column_config.CheckboxColumn(column_label("on", language)),
        "owner": st.column_config.SelectboxColumn(
            column_label("owner_role", language),
            options=list(pol.OWNER_ROLES),
            format_func=lambda r: tr(family_key("role_", r)),
            required=True,
        ),
        "days": number(column_label("days", language), min_value=0, max_value=365, step=1),
        "audits_per_agent_month": number(
            column_label("audits_per_agent_month", language), min_value=0, max_value=1000, step=1
        ),
        # A contract's price: one model, its numbers in yuan (`csdata.policy.Pricing`).
        "pricing": st.column_config.SelectboxColumn(
            column_label("pricing", language),
            options=list(pol.PRICING_MODELS),
            format_func=lambda m: tr(family_key("finance_model_", m)),
        ),
        **{
            name: number(column_label(name, language), min_value=0, format="%.2f")
            for name in pol.PRICE_COLUMNS[2:]
        },
    }


def _effects_box(effects: pol.EffectWindows) -> dict[str, int]:
    """How the effect of an action is measured: the windows' days and the fewest audits in each."""
    st.markdown(f"**{tr('policy_effects')}**")
    st.caption(tr("policy_effects_help"))
    before, after, least = st.columns(3)
    with before:
        days_before = st.number_input(tr("policy_effects_before"), 1, 365, int(effects.days_before), 1)
    with after:
        days_after = st.number_input(tr("policy_effects_after"), 1, 365, int(effects.days_after), 1)
    with least:
        min_audits = st.number_input(tr("policy_effects_min_audits"), 1, 100, int(effects.min_audits), 1)
    return {"days_before": int(days_before), "days_after": int(days_after), "min_audits": int(min_audits)}


def _statistics_box(stats: pol.Statistics) -> dict:
    """How sure a figure must be: the few-data mark, calibration's bar, the sampling plan."""
    st.markdown(f"**{tr('policy_statistics')}**")
    st.caption(tr("policy_statistics_help"))
    out: dict = {}
    cols = st.columns(3)
    numbers = [
        ("min_n", 1, 100000, 1),
        ("calibration_alpha", 0.0, 1.0, 0.001),
        ("calibration_tolerance", 0.5, 100.0, 0.5),
        ("sample_margin", 0.5, 100.0, 0.5),
        ("sample_days", 7, 730, 1),
        ("ranking_max_width", 1.0, 200.0, 1.0),
    ]
    for i, (name, low, high, step) in enumerate(numbers):
        value = getattr(stats, name)
        with cols[i % 3]:
            out[name] = st.number_input(
                tr(family_key("policy_statistics_", name)),
                low,
                high,
                type(low)(value),
                step,
                help=tr(family_key("policy_statistics_help_", name)),
            )
    out["plan_sets_audit_rule"] = st.checkbox(
        tr("policy_statistics_plan_sets_audit_rule"),
        value=stats.plan_sets_audit_rule,
        help=tr("policy_statistics_help_plan_sets_audit_rule"),
    )
    return out


def policy_editor(wh: Warehouse, me: User) -> None:
    """Every table of the policy, editable; saved as a new version only when every rule holds."""
    language = lang()
    saved = st.session_state.pop(_FLASH, None)
    if saved is not None:
        st.success(tr("policy_saved", version=saved))
    version, current = pol.load_policy(wh)
    loaded = st.session_state.get("policy_loaded")
    base = loaded or current
    st.caption(tr("policy_version", version=version, date=current.effective_from))
    unsaved = st.empty()  # filled once the tables have been read
    _file_box(current, version, loaded)

    tables = pol.to_tables(base)
    # The editors' keys must stay the same from one run to the next, or every edit (each one a
    # rerun) would meet a fresh editor and be lost, and Save would store the unedited tables.
    # They change only when the tables underneath do: a new version, a loaded file, or a save (of
    # a version that takes effect earlier than the one in force last, say).
    source = st.session_state.get("policy_loaded_name", "file") if loaded is not None else "current"
    source += f"_{st.session_state.get('policy_saves', 0)}"
    columns = _columns(wh, language)

    def editor(name: str, title: str, fixed: bool = False, empty: tuple[str, ...] = ()) -> list[dict]:
        st.markdown(f"**{tr(title)}**")
        frame = pd.DataFrame(tables[name], columns=list(empty) or None)  # `empty`: its columns, rows or none
        config = {c: columns.get(c, column_label(c, language)) for c in frame.columns}
        edited = st.data_editor(
            frame,
            column_config=config,
            num_rows="fixed" if fixed else "dynamic",
            hide_index=True,
            key=f"policy_{name}_{version}_{source}",
            width="stretch",
        )
        return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in edited.to_dict("records")]

    edited: dict[str, list[dict]] = {}
    c1, c2 = st.columns(2)
    with c1:
        edited["sla"] = editor("sla", "policy_sla", fixed=True)
        edited["targets"] = editor("targets", "policy_targets")
        edited["channel_targets"] = editor("channel_targets", "policy_channel_targets")
    with c2:
        edited["criteria"] = editor("criteria", "policy_scorecard")
        pass_mark = st.number_input(tr("policy_pass_mark"), 0.0, 100.0, float(base.scorecard.pass_mark), 1.0)
        edited["critical_errors"] = editor("critical_errors", "policy_critical")
    c3, c4 = st.columns(2)
    with c3:
        edited["indicators"] = editor("indicators", "policy_appraisal")
        edited["bands"] = editor("bands", "policy_bands")
    with c4:
        st.markdown(f"**{tr('policy_training')}**")
        scalars = {
            "onboarding_pass_mark": st.number_input(
                tr("policy_onboarding_pass"), 0.0, 100.0, float(base.onboarding_pass_mark), 1.0
            ),
            "training_hours_per_quarter": st.number_input(
                tr("policy_training_hours"), 0.0, 200.0, float(base.training_hours_per_quarter), 0.5
            ),
            "min_audits_for_ranking": st.number_input(
                tr("policy_min_audits"), 1, 100, int(base.min_audits_for_ranking), 1
            ),
            "client_metrics": st.multiselect(
                tr("policy_client_metrics"),
                pol.client_visible_metrics(),
                default=list(base.client_metrics),
                format_func=lambda m: CATALOG[m].label(language),
                help=tr("policy_client_metrics_help"),
                key=f"policy_client_metrics_{version}_{source}",
            ),
        }
        edited["seniority"] = editor("seniority", "policy_seniority")
    edited["contract_targets"] = editor("contract_targets", "policy_contract_targets")
    edited["contract_sla"] = editor("contract_sla", "policy_contract_sla")
    edited["contract_prices"] = editor("contract_prices", "finance_contract_prices", empty=pol.PRICE_COLUMNS)
    st.caption(tr("finance_contract_prices_help"))
    scalars["effects"] = _effects_box(base.effects)
    scalars["statistics"] = _statistics_box(base.statistics)
    edited["compliance"] = editor("compliance", "policy_compliance", fixed=True)
    st.caption(tr("policy_compliance_help"))
    scalars["effective_from"] = st.date_input(
        tr("policy_effective_from"), value=dt.date.today(), key="policy_from"
    )

    body = pol.tables_body(edited, pass_mark, scalars)
    try:
        candidate: pol.Policy | None = pol.Policy.model_validate(body)
        refusal: ValidationError | Problem | None = None
    except (ValidationError, Problem) as exc:
        candidate, refusal = None, exc
    if candidate is not None:
        changed = not pol.unchanged(candidate, current)
    else:  # unless they are its own numbers (a range checked only since it was saved), changes
        shown = pol.tables_body(tables, base.scorecard.pass_mark, {k: getattr(base, k) for k in pol.SCALARS})
        changed = {**body, "effective_from": None} != {**shown, "effective_from": None}
    if changed:
        unsaved.badge(tr("policy_unsaved"), icon=":material/edit:", color="orange")
    if not st.button(tr("save"), type="primary" if changed else "secondary", key="policy_save"):
        return
    if refusal is not None:
        st.error(_refusal(refusal, body, "policy_invalid"))
        return
    if not changed:  # a valid candidate: `changed` is `not pol.unchanged(candidate, current)`
        st.info(tr("policy_unchanged"))
        return
    new_version = pol.save_policy(wh, candidate, me.username)
    st.session_state.pop("policy_loaded", None)
    st.session_state["policy_saves"] = st.session_state.get("policy_saves", 0) + 1
    st.session_state[_FLASH] = new_version
    st.rerun()
