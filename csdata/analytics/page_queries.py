"""What each dashboard page shows, as a list of named requests to the query layer.

A page's numbers are declared here once, as data: `requests(page, filters)` names every metric
table and listing the page draws. The page renders them (through the result cache), and
`csdata bench` times the very same requests cold and against their bare SQL, so the benchmark
measures what a user waits for and cannot drift from the pages. Nothing here writes SQL (that is
`csdata.analytics.compiler`) or draws (that is `csdata.ui`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import compiler
from csdata.analytics.compiler import Filters
from csdata.analytics.funnel import FUNNEL_METRICS
from csdata.pages import DASHBOARDS, PAGES
from csdata.policy import Policy, load_policy


@dataclass(frozen=True)
class Request:
    """One query of a page: metrics (split `by` groupings) or a named listing."""

    filters: Filters
    metrics: tuple[str, ...] = ()
    by: str | tuple[str, ...] | None = None
    listing: str | None = None
    detail: bool = False  # with each metric's sample, for its interval (`csdata.analytics.stats`)

    def sql(self, scope: Scope, policy: Policy) -> tuple[str, dict]:
        if self.listing is not None:
            return compiler.listing_sql(self.listing, self.filters, scope, policy)
        return compiler.build_sql(list(self.metrics), self.filters, self.by, scope, policy, self.detail)


# The cards at the top of each dashboard, in order (from the page table).
CARDS: dict[str, tuple[str, ...]] = {k: PAGES[k].cards for k in DASHBOARDS}
# Waits and handle times whose targets are set per channel: seconds on the phone and hours by email
# do not average into one number worth reading, so a card shows each channel on its own unless
# one channel is chosen.
PER_CHANNEL = ("asa", "aht")
SPREAD = ("asa", "wait_median", "wait_p90", "aht", "handle_median", "handle_p90")
QUALITY_TREND = ("qa_score", "qa_pass_rate", "qa_critical_rate")
AGENT_RANKING = ("audits", "qa_score", "qa_pass_rate", "qa_critical_rate")
AUDITORS = ("audits", "qa_score", "qa_score_spread")
DEPARTMENTS = ("complaints", "suggestions", "suggestion_adoption_rate", "suggestion_rewards")
AGENT_TREND = ("aht", "csat_pct", "qa_score")
# Each recruitment channel: its funnel from application to hire, and how its hires did afterwards.
RECRUIT_BY_CHANNEL = (
    *FUNNEL_METRICS,
    "recruit_hire_rate",
    "recruit_offer_acceptance",
    "recruit_hires",
    "recruit_fill_days_median",
    "recruit_first_pass_rate",
    "recruit_qa_score",
    "recruit_csat_pct",
    "recruit_retention_180",
)


def drill_level(filters: Filters, agents_visible: bool = True) -> str:
    """Company -> client -> team -> agent: the split below what the filters already pin down (by
    client only, for an account that may not see teams and agents)."""
    if not agents_visible:
        return "client"
    if len(filters.teams) == 1:
        return "agent"
    if len(filters.clients) == 1:
        return "team"
    return "client"


def cards(page: str, filters: Filters) -> dict[str, Request]:
    """A page's cards, now and in the period before, with each metric's sample: a card shows its
    interval and says whether its change is clear."""
    metrics = CARDS[page]
    found = {
        "cards": Request(filters, metrics, detail=True),
        "cards_before": Request(filters.previous(), metrics, detail=True),
    }
    per_channel = tuple(m for m in metrics if m in PER_CHANNEL)
    if per_channel and len(filters.channels) != 1:
        found["by_channel"] = Request(filters, per_channel, "channel", detail=True)
        found["by_channel_before"] = Request(filters.previous(), per_channel, "channel", detail=True)
    return found


def requests(
    page: str,
    filters: Filters,
    choice: str | None = None,
    scope: Scope = EVERYTHING,
    policy: Policy | None = None,
) -> dict[str, Request]:
    """Everything `page` shows for these filters. `choice` is the page's one option: the metric of
    the overview's trend, or what the service trends are split by (channel or client).

    Metrics the scope may not see (a client account's, per the policy) are left out of the page's
    tables; a request of only such metrics is kept, and the query layer answers it empty."""
    found = _requests(page, filters, choice, scope.agents_visible)
    if not scope.external or policy is None:
        return found
    for name, r in found.items():
        kept = tuple(m for m in r.metrics if scope.allows(m, policy))
        if kept and kept != r.metrics:
            found[name] = replace(r, metrics=kept)
    return found


def split_by_channel(filters: Filters) -> bool:
    """Whether waits and handle times are shown per channel (unless one channel is chosen)."""
    return len(filters.channels) != 1


def _weekly(filters: Filters, metrics: tuple[str, ...]) -> dict[str, Request]:
    """A weekly trend of `metrics`, with each week's sample (its interval's band, its control
    chart); waits and handle times per channel where they are split."""
    per_channel = tuple(m for m in metrics if m in PER_CHANNEL) if split_by_channel(filters) else ()
    rest = tuple(m for m in metrics if m not in per_channel)
    found = {"trend": Request(filters, rest, "week", detail=True)} if rest else {}
    if per_channel:
        found["trend_by_channel"] = Request(filters, per_channel, ("week", "channel"), detail=True)
    return found


def _requests(page: str, filters: Filters, choice: str | None, agents_visible: bool) -> dict[str, Request]:
    found = cards(page, filters)
    # The table one level down: waits and handle times only when one channel is chosen (a client's
    # blend of phone seconds and email hours means nothing).
    shown = tuple(m for m in CARDS["overview"] if m not in PER_CHANNEL or not split_by_channel(filters))
    drill = Request(filters, shown, drill_level(filters, agents_visible), detail=True)
    if page == "overview":
        found.update(_weekly(filters, (choice or "service_level",)))
        found["drill"] = drill
    elif page == "service":  # the cards' figures per channel come with the distributions
        found["by_channel"] = Request(filters, SPREAD, "channel", detail=True)
        found["heatmap"] = Request(filters, ("offered",), ("weekday", "hour"))
        found["trend"] = Request(filters, ("answer_rate", "service_level"), ("week", choice or "channel"))
        found["drill"] = drill
    elif page == "complaints":
        found["path"] = Request(filters, listing="complaint_path")
        found["open"] = Request(filters, listing="open_complaints")
        found["departments"] = Request(filters, DEPARTMENTS, "department")
    elif page == "quality":
        found["trend"] = Request(filters, QUALITY_TREND, "week", detail=True)
        found["criteria"] = Request(filters, ("criterion_score",), "criterion")
        found["findings"] = Request(filters, ("audits",), "finding")
        if agents_visible:
            found["agents"] = Request(filters, AGENT_RANKING, "agent", detail=True)  # with intervals
            found["auditors"] = Request(filters, AUDITORS, "auditor", detail=True)
        found["actions"] = Request(filters, listing="actions")
    elif page == "people":
        found["by_team"] = Request(filters, ("training_hours", "onboarding_pass_rate"), "team", detail=True)
        found["go_live"] = Request(filters, listing="go_live")
        found["grades"] = Request(filters, listing="grades")
        found["appraised"] = Request(filters, listing="appraised")
    elif page == "clients":
        found.update(_weekly(filters, CARDS["clients"]))
    elif page == "recruitment":
        found["funnel"] = Request(filters, FUNNEL_METRICS)
        found["by_channel"] = Request(filters, RECRUIT_BY_CHANNEL, "recruit_channel", detail=True)
        found["stage_days"] = Request(filters, listing="recruit_stage_days")
        found["seats"] = Request(filters, ("recruit_open_seats",), ("client", "team"))
        found["requisitions"] = Request(filters, listing="recruit_requisitions")
    elif page == "agent":
        found.update(_weekly(filters, AGENT_TREND))
        found["audits"] = Request(filters, listing="agent_audits")
        found["training"] = Request(filters, listing="agent_training")
        found["appraisals"] = Request(filters, listing="agent_appraisals")
    return found


def fetch(wh, request: Request, scope: Scope = EVERYTHING, policy: Policy | None = None) -> pd.DataFrame:
    if policy is None:
        policy = load_policy(wh, on=request.filters.end)[1]
    sql, params = request.sql(scope, policy)
    return wh.df(sql, params)


def page_data(
    wh, page: str, filters: Filters, scope: Scope = EVERYTHING, policy: Policy | None = None
) -> dict[str, pd.DataFrame]:
    """Every frame the page draws, uncached (what `csdata bench` times)."""
    if policy is None:
        policy = load_policy(wh, on=filters.end)[1]
    return {
        name: fetch(wh, r, scope, policy)
        for name, r in requests(page, filters, scope=scope, policy=policy).items()
    }


def bare_seconds(wh, page: str, filters: Filters, scope: Scope, policy: Policy) -> float:
    """The time DuckDB alone takes for the page's statements, results fetched as Python rows."""
    statements = [r.sql(scope, policy) for r in requests(page, filters, scope=scope, policy=policy).values()]
    started = time.perf_counter()
    for sql, params in statements:
        wh.rows(sql, params)
    return time.perf_counter() - started
