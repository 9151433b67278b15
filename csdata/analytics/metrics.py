"""The metric catalog: every KPI of the policy, defined once.

A *measure* is one SQL aggregate over one source relation (tickets, complaint rounds, audits,
onboarding, training, staff, appraisals; `csdata.analytics.compiler` defines those relations and their
columns). A *metric* is an SQL expression over measures, with its unit and good direction; its name
and formula in words are in the text catalogs (`metric_<name>`, `metric_formula_<name>`).
Splitting the two lets one metric combine sources (training hours per head = training hours ÷
headcount) and lets the query layer fetch each source once however many metrics read it. The dashboard, `csdata kpi` and the tests all name metrics from here; the README
glossary is checked against it.

Measures may use the named parameters `$qa_pass_mark` and `$onboarding_pass_mark`, which the
query layer binds from the policy in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from csdata.text.i18n import family_key, t

Unit = Literal["count", "rate", "seconds", "hours", "days", "points", "rating", "money"]


def csat_top_box(column: str = "csat") -> str:
    """A rating in the top two boxes of the 1–5 scale, as SQL: what `csat_pct` counts as satisfied
    (and the effect of an action measures, `csdata.analytics.effects`)."""
    return f"{column} >= 4"


@dataclass(frozen=True)
class Measure:
    name: str
    source: str
    sql: str


@dataclass(frozen=True)
class Sample:
    """What a metric's value rests on, by measure name, for its 95 % interval
    (`csdata.analytics.stats`): `n` the cases (tickets, ratings, audits...); for a rate `hits`, the
    cases counted (a Wilson interval; `complement`: the rate is 1 − hits/n); for a mean `sd`, the
    cases' sample standard deviation (a t interval). Neither: the figure has no interval (a
    percentile), only its n."""

    n: str
    hits: str | None = None
    sd: str | None = None
    complement: bool = False

    @property
    def kind(self) -> Literal["wilson", "t"] | None:
        return "wilson" if self.hits else "t" if self.sd else None

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m in (self.n, self.hits, self.sd) if m)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: Unit
    direction: int  # +1 higher is better, -1 lower is better, 0 neither
    expr: str  # SQL over measure names
    measures: tuple[str, ...]
    sample: Sample | None = None  # None: no interval and no n (a count, a sum, a ratio of sources)

    def label(self, lang: str) -> str:
        """Its name (`metric_<name>` in the text catalogs)."""
        return t(family_key("metric_", self.name), lang)

    def short_label(self, lang: str) -> str:
        """The name on a KPI card, where a long name would be cut off."""
        if self.name in SHORT_LABELS:
            return t(family_key("metric_short_", self.name), lang)
        return self.label(lang)

    def formula(self, lang: str) -> str:
        """How it is worked out, in words (`metric_formula_<name>`)."""
        return t(family_key("metric_formula_", self.name), lang)

    @property
    def sources(self) -> set[str]:
        return {MEASURES[m].source for m in self.measures}


_ANSWERED = "wait_s IS NOT NULL"


def _recorded(flag: str) -> str:
    """Answered tickets with `flag` true; NULL when none of them records the flag at all."""
    return f"CASE WHEN count({flag}) FILTER (WHERE {_ANSWERED}) > 0 THEN count_if({flag} AND {_ANSWERED}) END"


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        Measure("offered", "tickets", "count(*)"),
        Measure("answered", "tickets", "count(wait_s)"),
        Measure("within_sla", "tickets", "count_if(wait_s <= sla_s)"),
        Measure("wait_mean", "tickets", "avg(wait_s)"),
        Measure("wait_sd", "tickets", "stddev_samp(wait_s)"),
        Measure("handle_mean", "tickets", f"avg(handle_seconds) FILTER (WHERE {_ANSWERED})"),
        Measure("handle_n", "tickets", f"count(handle_seconds) FILTER (WHERE {_ANSWERED})"),
        Measure("handle_sd", "tickets", f"stddev_samp(handle_seconds) FILTER (WHERE {_ANSWERED})"),
        # NULL, not 0, when no answered ticket records it (a call log without the column).
        Measure("resolved_n", "tickets", _recorded("resolved")),
        Measure("fcr_n", "tickets", _recorded("first_contact_resolved")),
        Measure("rated", "tickets", "count(csat)"),
        Measure("rated_answered", "tickets", f"count(csat) FILTER (WHERE {_ANSWERED})"),
        Measure("csat_good", "tickets", f"count_if({csat_top_box()})"),
        Measure("csat_mean", "tickets", "avg(csat)"),
        Measure("csat_sd", "tickets", "stddev_samp(csat)"),
        Measure("complaints_fed_back", "tickets", "count_if(type = 'complaint' AND feedback_at IS NOT NULL)"),
        Measure(
            "complaints_accepted",
            "tickets",
            "count_if(type = 'complaint' AND feedback_at IS NOT NULL AND customer_accepted)",
        ),
        Measure(
            "feedback_hours_median",
            "tickets",
            "median(epoch(feedback_at - opened_at) / 3600.0)"
            " FILTER (WHERE type = 'complaint' AND feedback_at IS NOT NULL)",
        ),
        # Median and 90th percentile from one sort each ([1] and [2] of the list).
        Measure("wait_quantiles", "tickets", "quantile_cont(wait_s, [0.5, 0.9])"),
        Measure(
            "handle_quantiles",
            "tickets",
            f"quantile_cont(handle_seconds, [0.5, 0.9]) FILTER (WHERE {_ANSWERED})",
        ),
        Measure("callbacks_promised", "tickets", "count(callback_promised_at)"),
        Measure("callbacks_kept", "tickets", "count_if(callback_done_at <= callback_promised_at)"),
        Measure("complaints_n", "tickets", "count(*) FILTER (WHERE type = 'complaint')"),
        # Over rounds: a complaint fed back has one round 1, and at most one accepted round.
        Measure("complaints_with_rounds", "rounds", "count_if(round = 1)"),
        Measure("complaints_first_accepted", "rounds", "count_if(round = 1 AND answer = 'accepted')"),
        Measure("accepted_round_mean", "rounds", "avg(round) FILTER (WHERE answer = 'accepted')"),
        Measure("suggestions_n", "tickets", "count(*) FILTER (WHERE type = 'suggestion')"),
        Measure(
            "suggestions_decided", "tickets", "count(suggestion_adopted) FILTER (WHERE type = 'suggestion')"
        ),
        Measure("suggestions_adopted", "tickets", "count_if(type = 'suggestion' AND suggestion_adopted)"),
        Measure("rewards_sum", "tickets", "coalesce(sum(reward) FILTER (WHERE type = 'suggestion'), 0)"),
        Measure("audits_n", "audits", "count(*)"),
        Measure("audit_sd", "audits", "stddev_samp(score)"),
        Measure("criterion_mean", "criteria", "avg(score)"),
        Measure("criterion_n", "criteria", "count(score)"),
        Measure("criterion_sd", "criteria", "stddev_samp(score)"),
        Measure("onboarding_attempts", "onboarding", "avg(attempts)"),
        Measure("audit_mean", "audits", "avg(score)"),
        Measure("audits_passed", "audits", "count_if(score >= $qa_pass_mark)"),
        Measure("audits_critical", "audits", "count_if(critical_error)"),
        Measure("onboarding_sat", "onboarding", "count(*)"),
        Measure("onboarding_passed", "onboarding", "count_if(passed)"),
        Measure("in_service_hours", "training", "coalesce(sum(hours) FILTER (WHERE kind = 'in_service'), 0)"),
        Measure("headcount", "staff", "count(*)"),
        Measure("appraisal_mean", "appraisals", "avg(score)"),
        Measure("appraisal_n", "appraisals", "count(score)"),
        Measure("appraisal_sd", "appraisals", "stddev_samp(score)"),
        # Recruitment: the funnel of the period's applicants, stage by stage (each stage counts
        # those who passed it; a written test counts when taken, an offer when made).
        Measure("seats_open", "requisitions", "coalesce(sum(greatest(headcount - hired, 0)), 0)"),
        Measure("applicants", "candidates", "count(*)"),
        Measure("screens_passed", "candidates", "count(*) FILTER (WHERE screen_passed)"),
        Measure("interviews_passed", "candidates", "count(*) FILTER (WHERE interview_passed)"),
        Measure("tests_taken", "candidates", "count(test_score)"),
        Measure("checks_passed", "candidates", "count(*) FILTER (WHERE check_passed)"),
        Measure("offers_made", "candidates", "count(offered_on)"),
        Measure("offers_decided", "candidates", "count(offer_accepted)"),
        Measure("offers_accepted", "candidates", "count(*) FILTER (WHERE offer_accepted)"),
        Measure("applicants_hired", "candidates", "count(hired_on)"),
        Measure("hires_n", "hires", "count(*)"),
        Measure("fill_quantiles", "hires", "quantile_cont(fill_days, [0.5, 0.9])"),
        Measure("first_attempts", "hires", "count(first_passed)"),
        Measure("first_attempts_passed", "hires", "count_if(first_passed)"),
        Measure("retention_known", "hires", "count(retained)"),
        Measure("retained_n", "hires", "count_if(retained)"),
        Measure("hire_audit_mean", "hire_audits", "avg(score)"),
        Measure("hire_audits_n", "hire_audits", "count(score)"),
        Measure("hire_audit_sd", "hire_audits", "stddev_samp(score)"),
        Measure("hire_rated", "hire_ratings", "count(csat)"),
        Measure("hire_csat_good", "hire_ratings", f"count_if({csat_top_box()})"),
    ]
}


def _m(name, unit, direction, expr, measures, sample: Sample | None = None) -> Metric:
    return Metric(name, unit, direction, expr, tuple(measures), sample)


def _mean(name: str, unit: Unit, direction: int, mean: str, n: str, sd: str) -> Metric:
    """A mean of cases, with the count and standard deviation its t interval needs."""
    return _m(name, unit, direction, mean, [mean], Sample(n, sd=sd))


def _ratio(num: str, den: str) -> str:
    return f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)"


def _rate(name: str, direction: int, num: str, den: str) -> Metric:
    """A rate: one measure over another (undefined where the second is 0), with its Wilson interval."""
    return _m(name, "rate", direction, _ratio(num, den), [num, den], Sample(den, hits=num))


# The recruitment funnel's stages in order, each with the measure counting the candidates who
# reached it (`recruit_<stage>` metrics).
FUNNEL: tuple[tuple[str, str], ...] = (
    ("applied", "applicants"),
    ("screened", "screens_passed"),
    ("interviewed", "interviews_passed"),
    ("tested", "tests_taken"),
    ("checked", "checks_passed"),
    ("offered", "offers_made"),
    ("accepted", "offers_accepted"),
    ("hired", "applicants_hired"),
)


CATALOG: dict[str, Metric] = {
    m.name: m
    for m in [
        _m("offered", "count", 0, "offered", ["offered"]),
        _rate("answer_rate", +1, "answered", "offered"),
        _m(
            "abandon_rate",
            "rate",
            -1,
            f"1 - {_ratio('answered', 'offered')}",
            ["answered", "offered"],
            Sample("offered", hits="answered", complement=True),
        ),
        _rate("service_level", +1, "within_sla", "offered"),
        _mean("asa", "seconds", -1, "wait_mean", "answered", "wait_sd"),
        _mean("aht", "seconds", -1, "handle_mean", "handle_n", "handle_sd"),
        _rate("resolution_rate", +1, "resolved_n", "answered"),
        _rate("fcr_rate", +1, "fcr_n", "answered"),
        _rate("csat_pct", +1, "csat_good", "rated"),
        _mean("csat_avg", "rating", +1, "csat_mean", "rated", "csat_sd"),
        _rate("csat_response_rate", +1, "rated_answered", "answered"),
        _m("wait_median", "seconds", -1, "wait_quantiles[1]", ["wait_quantiles"], Sample("answered")),
        _m("wait_p90", "seconds", -1, "wait_quantiles[2]", ["wait_quantiles"], Sample("answered")),
        _m("handle_median", "seconds", -1, "handle_quantiles[1]", ["handle_quantiles"], Sample("handle_n")),
        _m("handle_p90", "seconds", -1, "handle_quantiles[2]", ["handle_quantiles"], Sample("handle_n")),
        _m("callbacks_promised", "count", 0, "callbacks_promised", ["callbacks_promised"]),
        _rate("callback_kept_rate", +1, "callbacks_kept", "callbacks_promised"),
        _rate("complaint_acceptance_rate", +1, "complaints_accepted", "complaints_fed_back"),
        _m(
            "complaint_feedback_hours",
            "hours",
            -1,
            "feedback_hours_median",
            ["feedback_hours_median"],
            Sample("complaints_fed_back"),
        ),
        _m("complaints", "count", 0, "complaints_n", ["complaints_n"]),
        _rate("complaint_first_accept_rate", +1, "complaints_first_accepted", "complaints_with_rounds"),
        _m("complaint_rounds_to_accept", "points", -1, "accepted_round_mean", ["accepted_round_mean"]),
        _m("suggestions", "count", 0, "suggestions_n", ["suggestions_n"]),
        _rate("suggestion_adoption_rate", 0, "suggestions_adopted", "suggestions_decided"),
        _m("suggestion_rewards", "money", 0, "rewards_sum", ["rewards_sum"]),
        _m("audits", "count", 0, "audits_n", ["audits_n"]),
        _mean("qa_score", "points", +1, "audit_mean", "audits_n", "audit_sd"),
        _rate("qa_pass_rate", +1, "audits_passed", "audits_n"),
        _rate("qa_critical_rate", -1, "audits_critical", "audits_n"),
        _m("qa_score_spread", "points", 0, "audit_sd", ["audit_sd"]),
        _mean("criterion_score", "points", +1, "criterion_mean", "criterion_n", "criterion_sd"),
        _m("onboarding_attempts", "points", -1, "onboarding_attempts", ["onboarding_attempts"]),
        _rate("onboarding_pass_rate", +1, "onboarding_passed", "onboarding_sat"),
        _m(
            "training_hours",
            "hours",
            +1,
            _ratio("in_service_hours", "headcount"),
            ["in_service_hours", "headcount"],
        ),
        _mean("appraisal_score", "points", +1, "appraisal_mean", "appraisal_n", "appraisal_sd"),
        _m("recruit_open_seats", "count", -1, "seats_open", ["seats_open"]),
        *(_m(f"recruit_{stage}", "count", 0, measure, [measure]) for stage, measure in FUNNEL),
        _rate("recruit_hire_rate", +1, "applicants_hired", "applicants"),
        _rate("recruit_offer_acceptance", +1, "offers_accepted", "offers_decided"),
        _m("recruit_hires", "count", 0, "hires_n", ["hires_n"]),
        _m(
            "recruit_fill_days_median", "days", -1, "fill_quantiles[1]", ["fill_quantiles"], Sample("hires_n")
        ),
        _m("recruit_fill_days_p90", "days", -1, "fill_quantiles[2]", ["fill_quantiles"], Sample("hires_n")),
        _rate("recruit_first_pass_rate", +1, "first_attempts_passed", "first_attempts"),
        _mean("recruit_qa_score", "points", +1, "hire_audit_mean", "hire_audits_n", "hire_audit_sd"),
        _rate("recruit_csat_pct", +1, "hire_csat_good", "hire_rated"),
        _rate("recruit_retention_180", +1, "retained_n", "retention_known"),
    ]
}

# The metrics whose full name does not fit a card: their card shows `metric_short_<name>` (the full
# name is in its tooltip).
SHORT_LABELS: tuple[str, ...] = ("asa", "aht", "fcr_rate", "complaint_acceptance_rate")

# The cards on the overview, in order.
HEADLINE: tuple[str, ...] = (
    "offered",
    "service_level",
    "answer_rate",
    "asa",
    "aht",
    "fcr_rate",
    "csat_pct",
    "qa_score",
    "complaint_acceptance_rate",
)


def meets(metric: str, value: float | None, target: float | None) -> bool | None:
    """Whether a value meets its target in the metric's good direction; None when undecidable."""
    direction = CATALOG[metric].direction
    if value is None or target is None or direction == 0:
        return None
    return value >= target if direction > 0 else value <= target


def check_catalog() -> None:
    """Small rules the catalog must keep (run by the tests)."""
    for metric in CATALOG.values():
        for name in metric.measures:
            assert name in MEASURES, f"{metric.name}: unknown measure {name}"
            assert name in metric.expr, f"{metric.name}: declares {name} but does not use it"
        assert metric.direction in (-1, 0, 1)
        if metric.sample is not None:
            for name in metric.sample.measures:
                assert name in MEASURES, f"{metric.name}: unknown sample measure {name}"
                assert MEASURES[name].source in metric.sources, f"{metric.name}: {name} is of another source"
    assert set(HEADLINE) <= set(CATALOG)
