"""The sections particular to one dashboard: the complaint funnel and ageing, QA criteria and
findings, training and appraisal panels, a client's scorecard, an agent's header."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.scope import Scope
from csdata.analytics import compiler, exports, lookups, page_queries, sampling
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG, meets
from csdata.policy import History
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    column_label,
    duration_unit,
    family_key,
    fmt_value,
    literal,
    text_key,
    unit_name,
)
from csdata.ui import charts, datatable
from csdata.ui.core import data_version, lang, policy, tr
from csdata.ui.datatable import download
from csdata.ui.firmness import INTERVAL_PARTS, interval_cell
from csdata.ui.kpi import card_target, cards
from csdata.ui.panels import control_note, empty, metric_units, table, trend, trend_view

# -- complaints ----------------------------------------------------------------------------------

STAGES = ("recorded", "routed", "fed_back", "accepted")
STATES = ("done", "open", "cancelled", "overdue")  # of a corrective action


def complaint_funnel(path: pd.DataFrame) -> None:
    """Complaints reaching each stage of the path (a complaint fed back was also routed)."""
    if empty(path) or path["tickets"].sum() == 0:
        return
    reached = [int(path.loc[path["stage"].isin(STAGES[i:]), "tickets"].sum()) for i in range(len(STAGES))]
    fig = charts.funnel([tr(family_key("stage_", s)) for s in STAGES], reached, tr("funnel_title"))
    st.plotly_chart(fig, width="stretch", key="funnel")
    reopened, reopens = (int(path[c].fillna(0).sum()) for c in ("reopened", "reopens"))
    st.caption(
        tr("reopened_count", n=reopened) + (tr("reopens_count", n=reopens) if reopens > reopened else "")
    )


def complaint_ageing(path: pd.DataFrame) -> None:
    """Complaints not yet accepted, by stage and by days open at the end of the period."""
    open_ = path[path["stage"] != "accepted"] if not path.empty else path
    if empty(open_):
        return
    fig = charts.stacked(
        open_, "age", "stage", "tickets", tr("ageing_title"), tr("age_days_axis"), tr("tickets_unit"),
        {s: tr(family_key("stage_", s)) for s in STAGES}, ["fed_back", "routed", "recorded"],
    )  # fmt: skip
    fig.update_xaxes(categoryorder="array", categoryarray=list(compiler.AGE_BUCKETS))
    st.plotly_chart(fig, width="stretch", key="ageing")


@st.cache_data(show_spinner=False, max_entries=8)
def _department_names(_wh: Warehouse, path: str, version: int, language: str) -> dict[str, str]:
    return lookups.department_names(_wh, language)


def by_department(wh: Warehouse, frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """The frame with its department codes as the org names them in the user's language (an
    unknown code as it is, a blank left blank). The names are read once until the next write:
    in English they include every code the tickets carry, which reads all the tickets."""
    names = _department_names(wh, wh.address, data_version(wh), lang())
    return frame.assign(**{column: [names.get(d, d) for d in frame[column]]}) if len(frame) else frame


def finding_names(wh: Warehouse, filters: Filters) -> dict[str, str]:
    """Finding and criterion keys -> their names in the scorecard in force (language of the user)."""
    card = policy(wh, filters.end).scorecard
    return {c.key: c.label(lang()) for c in [*card.criteria, *card.critical_errors]}


def by_finding(wh: Warehouse, frame: pd.DataFrame, filters: Filters, column: str) -> pd.DataFrame:
    """The frame with its finding keys named as the scorecard names them (unknown keys as they are)."""
    names = finding_names(wh, filters)
    if column not in frame or frame.empty:
        return frame
    return frame.assign(**{column: [names.get(k, k) if isinstance(k, str) else k for k in frame[column]]})


# -- quality -------------------------------------------------------------------------------------


def criteria(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Mean score per scorecard criterion, against the pass mark: where the points are lost."""
    if empty(frame, "criterion_score"):
        return
    pol = policy(wh, filters.end)
    language = lang()
    # A criterion the version in force has dropped keeps the name an older version gave it.
    labels = {c.key: c.label(language) for c in History.load(wh).items("audits")}
    labels.update({c.key: c.label(language) for c in pol.scorecard.criteria})
    shown = frame.assign(key=[labels.get(k, k) for k in frame["key"]]).sort_values("criterion_score")
    fig = charts.bars(shown, "key", {"criterion_score": CATALOG["criterion_score"].label(language)}, "points",
                      None, CATALOG["criterion_score"].label(language),
                      pol.scorecard.pass_mark, tr("pass_mark"), horizontal=True)  # fmt: skip
    fig.update_xaxes(range=[0, 100])  # a score's bar from 0: its length is the score
    st.plotly_chart(fig, width="stretch", key="criteria")


def findings(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Audits per finding category, named as the scorecard names its criteria and critical errors."""
    if empty(frame, "audits"):
        return
    names = finding_names(wh, filters)
    shown = frame.assign(key=[names.get(k, k) if k else tr("unspecified") for k in frame["key"].fillna("")])
    shown = shown.sort_values("audits", ascending=False)
    fig = charts.bars(shown, "key", {"audits": CATALOG["audits"].label(lang())}, "count", None,
                      CATALOG["audits"].label(lang()), horizontal=True)  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="findings")


def ranking(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Agents by QA score with its 95 % interval beside it, ranked only with at least the policy's
    minimum number of audits and an interval no wider than its `ranking_max_width`
    (`sampling.ranked`)."""
    pol = policy(wh, filters.end)
    least, widest = pol.min_audits_for_ranking, pol.statistics.ranking_max_width
    if empty(frame, "audits"):
        return
    found = sampling.ranked(frame, least, widest)
    st.caption(tr("ranking_caption", n=least, left_out=found.few))
    if found.wide:
        st.caption(tr("ranking_wide_caption", wide=found.wide, width=f"{widest:g}"))
    ranked = found.ranked
    names = lookups.employee_names(wh, list(ranked["key"]))
    ranked = ranked.rename(columns={"key": "employee_id"})
    ranked.insert(0, "place", range(1, len(ranked) + 1))
    ranked.insert(2, "name", [names.get(k, "") for k in ranked["employee_id"]])
    # No "few data" mark here: an agent's month rarely has the policy's min_n audits, and the
    # interval's width, which the ranking already requires, is the firmer test of a place.
    table(
        ranked, "agent-ranking", metric_units(ranked), agent="employee_id", filters=filters,
        intervals=("qa_score",),
    )  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=32)
def _plan(_wh: Warehouse, path: str, version: int, scope: Scope, end: dt.date):
    found = sampling.plan(_wh, end, scope)
    return found, sampling.below_plan(_wh, found, scope)


def sampling_plan(wh: Warehouse, scope: Scope, filters: Filters) -> None:
    """The QA sampling plan as of the period's end (σ, E and n, each with its sentence) and the
    agents below it in the month of the period's end, with a download."""
    found, below = _plan(wh, wh.address, data_version(wh), scope, filters.end)
    if found.n is None:
        st.info(tr("plan_none", start=found.start, end=found.end))
        return
    sd, margin = f"{found.sd:.2f}", f"{found.margin:g}"
    lines = [
        (tr("plan_sd"), tr("plan_points", value=sd),
         tr("plan_sd_text", audits=f"{found.audits:,}", start=found.start, end=found.end)),
        (tr("plan_margin"), tr("plan_points", value=f"±{margin}"), tr("plan_margin_text", margin=margin)),
        (tr("plan_n"), str(found.n), tr("plan_n_text", margin=margin, n=found.n, sd=sd)),
    ]  # fmt: skip
    st.markdown("\n".join(f"- **{label}: {value}.** {sentence}" for label, value, sentence in lines))
    start, end = sampling.month_of(found.end)
    st.markdown(f"**{tr('plan_below_title', start=start, end=end)}**")
    if below.empty:
        st.success(tr("plan_below_none", n=found.n, start=start, end=end))
        return
    st.caption(tr("plan_below_caption", start=start, end=end, count=len(below), n=found.n))
    datatable.table_with_downloads(
        below.rename(columns={"audits": "month_audits"}),
        "below_plan",
        f"csdata-below-plan-{start}_{end}",
        narrow=("employee_id", "month_audits", "shortfall"),
    )


def actions(frame: pd.DataFrame, filters: Filters) -> None:
    """Corrective actions of the period's audits by kind and by where they stood at its end."""
    if empty(frame):
        return
    overdue = int(frame.loc[frame["state"] == "overdue", "actions"].sum())
    (st.error if overdue else st.success)(tr("overdue_actions", n=overdue, end=filters.end))
    shown = frame.assign(kind=[tr(family_key("choice_", k)) for k in frame["kind"]])
    states = list(STATES)
    fig = charts.stacked(shown, "kind", "state", "actions", None, "", tr("actions_unit"),
                         {s: tr(family_key("state_", s)) for s in states}, states)  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="actions")


# -- people --------------------------------------------------------------------------------------


def training_by_team(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    if empty(frame, "training_hours"):
        return
    target = policy(wh, filters.end).target("training_hours", days=filters.days)
    label = CATALOG["training_hours"].label(lang())
    fig = charts.bars(
        frame, "key", {"training_hours": label}, "hours", None, tr("team"), target, tr("target")
    )
    st.plotly_chart(fig, width="stretch", key="training_by_team")
    min_n = policy(wh, filters.end).statistics.min_n
    table(frame, "training-by-team", metric_units(frame), key_label="team", filters=filters,
          intervals=("onboarding_pass_rate",), min_n=min_n)  # fmt: skip


def auditors(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    """Each auditor's audits, mean score given (with its interval: an auditor of few audits is
    marked few data) and spread, with their names."""
    if empty(frame, "audits"):
        return
    names = lookups.employee_names(wh, list(frame["key"]))
    shown = frame.rename(columns={"key": "auditor_id"})
    shown.insert(1, "name", [names.get(k, "") for k in shown["auditor_id"]])
    min_n = policy(wh, filters.end).statistics.min_n
    table(shown, "auditors", metric_units(shown), filters=filters, intervals=("qa_score",), min_n=min_n)


def go_live(frame: pd.DataFrame, filters: Filters) -> None:
    """Who went live in the period; those who handled tickets before passing onboarding stand out."""
    st.caption(tr("go_live_caption"))
    if empty(frame):
        return
    early = frame[frame["worked_before_passing"]]
    if len(early):
        st.error(tr("worked_before_passing_alert", n=len(early), ids=", ".join(early["employee_id"])))
    table(frame, "go-live", agent="employee_id", filters=filters)


def grades(wh: Warehouse, frame: pd.DataFrame, filters: Filters) -> None:
    if empty(frame):
        return
    grades = [b.grade for b in policy(wh, filters.end).appraisal.bands]  # best first
    fig = charts.stacked(frame, "period", "grade", "people", None, tr("period_axis"), tr("people_unit"),
                         order=grades + sorted(set(frame["grade"].dropna()) - set(grades)))  # fmt: skip
    st.plotly_chart(fig, width="stretch", key="grades")


def appraised(frame: pd.DataFrame, filters: Filters) -> None:
    """The latest period's best ten with their awards (表彰), and everyone below standard with their
    coaching record."""
    if frame.empty:
        st.info(tr("no_data"))
        return
    latest = frame["period"].max()
    st.subheader(tr("top_title", period=latest))
    top = frame[(frame["period"] == latest) & (frame["place"] <= 10)]
    table(top.drop(columns=["below_standard", "below_before", "coached"]), "top-performers", {"score": "points"},
          agent="employee_id", filters=filters)  # fmt: skip
    st.subheader(tr("below_title"))
    st.caption(tr("below_caption"))
    below = frame[frame["below_standard"]].drop(columns=["place", "below_standard", "awards"])
    missing = below[~below["coached"]]
    if len(missing):
        st.error(tr("below_without_coaching", n=len(missing), ids=", ".join(missing["employee_id"])))
    table(below, "below-standard", {"score": "points"}, agent="employee_id", filters=filters)


# -- clients and agents --------------------------------------------------------------------------


def only_client(filters: Filters, client: str) -> Filters:
    return Filters(filters.start, filters.end, (client,), filters.channels, filters.teams)


def scorecard(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters) -> None:
    """The client's numbers beside the targets of their contract, as a table to download (the
    download: value and target as numbers, each row's unit in a column of its own, and the value's
    95 % interval and n). On screen each value's interval, "few data" below the policy's n."""
    pol = policy(wh, filters.end)
    language = lang()
    shown, raw = [], []
    for card in cards(wh, frames, filters):
        metric = CATALOG[card.metric]
        target = card_target(pol, card, filters)
        status = meets(card.metric, card.value, target)
        met = "" if status is None else tr("target_met" if status else "target_missed")
        label = card.label(language)
        est = card.estimate
        duration = duration_unit(card.value) if metric.unit == "seconds" else None
        shown.append(
            {
                "metric": label,
                "value": fmt_value(card.value, metric.unit, language),
                "interval": interval_cell(
                    est.low, est.high, est.n, metric.unit, language, pol.statistics.min_n, duration
                ),
                "target": fmt_value(target, metric.unit, language) if target is not None else "",
                "met": met,
            }
        )
        scale = exports.DOWNLOAD_SCALE.get(metric.unit, 1.0)
        raw.append(
            {
                "metric": label,
                "unit": unit_name(metric.unit, language),
                "value": None if card.value is None else card.value * scale,
                "low": None if est.low is None else est.low * scale,
                "high": None if est.high is None else est.high * scale,
                "n": est.n,
                "target": None if target is None else target * scale,
                "met": met,
            }
        )
    parts = {"interval": text_key("ci_95"), **INTERVAL_PARTS}

    def heading(column: str) -> str:
        return tr(parts[column]) if column in parts else column_label(column, language)

    st.dataframe(pd.DataFrame(shown).rename(columns=heading), hide_index=True, width="stretch")
    download(pd.DataFrame(raw), {"n": "count"}, heading, "scorecard", filters, "dl_scorecard")


def small_trends(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, per_row: int = 3) -> None:
    metrics = [
        m for m in page_queries.CARDS["clients"] if any(m in f for k, f in frames.items() if "trend" in k)
    ]
    control = trend_view("trend_view_clients")
    for start in range(0, len(metrics), per_row):
        for column, metric in zip(st.columns(per_row), metrics[start : start + per_row], strict=False):
            with column:
                trend(wh, frames, metric, filters, f"small_{metric}", control=control)
    if control:
        control_note()


def pick_agent(names: dict[str, str]) -> str:
    """The agent of the URL (a click elsewhere), else the one chosen here; kept in the URL."""
    wanted = st.query_params.get("agent")
    if wanted and wanted != st.session_state.get("_agent_url"):
        st.session_state["_agent_url"] = wanted
        if wanted in names:
            st.session_state["agent_pick"] = wanted
        else:
            st.warning(tr("agent_unknown", agent=wanted))
    if st.session_state.get("agent_pick") not in names:
        st.session_state["agent_pick"] = next(iter(names))
    agent = st.selectbox(
        tr("agent"), list(names), format_func=lambda a: f"{a} · {names[a]}", key="agent_pick"
    )
    st.query_params["agent"] = agent
    st.session_state["_agent_url"] = agent
    return agent


def only_agent(filters: Filters, agent: str) -> Filters:
    return Filters(filters.start, filters.end, channels=filters.channels, agents=(agent,))


def agent_header(people: pd.DataFrame, agent: str) -> None:
    row = people[people["employee_id"] == agent].iloc[0]
    st.caption(" · ".join(literal(row[c] or "") for c in ("employee_id", "name", "team", "client")))
