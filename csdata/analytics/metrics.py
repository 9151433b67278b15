"""The metric catalog: every KPI of the policy, defined once.

A *measure* is one SQL aggregate over one source relation (tickets, complaint rounds, audits,
onboarding, training, staff, appraisals; `csdata.analytics.compiler` defines those relations and their
columns). A *metric* is an SQL expression over measures, with its labels, unit, good direction
and formula text. Splitting the two lets one metric combine sources (training hours per head =
training hours ÷ headcount) and lets the query layer fetch each source once however many metrics
read it. The dashboard, `csdata kpi` and the tests all name metrics from here; the README
glossary is checked against it.

Measures may use the named parameters `$qa_pass_mark` and `$onboarding_pass_mark`, which the
query layer binds from the policy in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["count", "rate", "seconds", "hours", "points", "rating", "money"]


@dataclass(frozen=True)
class Measure:
    name: str
    source: str
    sql: str


@dataclass(frozen=True)
class Metric:
    name: str
    label_en: str
    label_zh: str
    unit: Unit
    direction: int  # +1 higher is better, -1 lower is better, 0 neither
    expr: str  # SQL over measure names
    measures: tuple[str, ...]
    formula_en: str
    formula_zh: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def short_label(self, lang: str) -> str:
        """The name on a KPI card, where a long name would be cut off."""
        return SHORT_LABELS.get(self.name, {}).get(lang) or self.label(lang)

    def formula(self, lang: str) -> str:
        return self.formula_zh if lang == "zh" else self.formula_en

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
        Measure("handle_mean", "tickets", f"avg(handle_seconds) FILTER (WHERE {_ANSWERED})"),
        # NULL, not 0, when no answered ticket records it (a call log without the column).
        Measure("resolved_n", "tickets", _recorded("resolved")),
        Measure("fcr_n", "tickets", _recorded("first_contact_resolved")),
        Measure("rated", "tickets", "count(csat)"),
        Measure("rated_answered", "tickets", f"count(csat) FILTER (WHERE {_ANSWERED})"),
        Measure("csat_good", "tickets", "count_if(csat >= 4)"),
        Measure("csat_mean", "tickets", "avg(csat)"),
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
        Measure("onboarding_attempts", "onboarding", "avg(attempts)"),
        Measure("audit_mean", "audits", "avg(score)"),
        Measure("audits_passed", "audits", "count_if(score >= $qa_pass_mark)"),
        Measure("audits_critical", "audits", "count_if(critical_error)"),
        Measure("onboarding_sat", "onboarding", "count(*)"),
        Measure("onboarding_passed", "onboarding", "count_if(passed)"),
        Measure("in_service_hours", "training", "coalesce(sum(hours) FILTER (WHERE kind = 'in_service'), 0)"),
        Measure("headcount", "staff", "count(*)"),
        Measure("appraisal_mean", "appraisals", "avg(score)"),
    ]
}


def _m(name, en, zh, unit, direction, expr, measures, f_en, f_zh) -> Metric:
    return Metric(name, en, zh, unit, direction, expr, tuple(measures), f_en, f_zh)


def _ratio(num: str, den: str) -> str:
    return f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)"


CATALOG: dict[str, Metric] = {
    m.name: m
    for m in [
        _m(
            "offered",
            "Offered",
            "来电/进线量",
            "count",
            0,
            "offered",
            ["offered"],
            "tickets opened",
            "期间内新建的工单数",
        ),
        _m(
            "answer_rate",
            "Answer rate",
            "接通率",
            "rate",
            +1,
            _ratio("answered", "offered"),
            ["answered", "offered"],
            "answered (has a first response) ÷ offered",
            "已应答(有首次响应)÷ 进线量",
        ),
        _m(
            "abandon_rate",
            "Abandon rate",
            "放弃率",
            "rate",
            -1,
            f"1 - {_ratio('answered', 'offered')}",
            ["answered", "offered"],
            "1 − answer rate",
            "1 − 接通率",
        ),
        _m(
            "service_level",
            "Service level",
            "服务水平",
            "rate",
            +1,
            _ratio("within_sla", "offered"),
            ["within_sla", "offered"],
            "answered within the channel's threshold (phone 20 s, chat 60 s, email 8 h by default) ÷ offered",
            "在渠道时限内应答(默认电话 20 秒、在线 60 秒、邮件 8 小时)÷ 进线量",
        ),
        _m(
            "asa",
            "Average speed of answer",
            "平均应答时长",
            "seconds",
            -1,
            "wait_mean",
            ["wait_mean"],
            "mean seconds to first response, answered tickets",
            "已应答工单的平均首次响应秒数",
        ),
        _m(
            "aht",
            "Average handle time",
            "平均处理时长",
            "seconds",
            -1,
            "handle_mean",
            ["handle_mean"],
            "mean handle seconds, answered tickets that have one",
            "有处理时长的已应答工单的平均处理秒数",
        ),
        _m(
            "resolution_rate",
            "Resolution rate",
            "解决率",
            "rate",
            +1,
            _ratio("resolved_n", "answered"),
            ["resolved_n", "answered"],
            "resolved ÷ answered",
            "已解决 ÷ 已应答",
        ),
        _m(
            "fcr_rate",
            "First-contact resolution",
            "一次解决率",
            "rate",
            +1,
            _ratio("fcr_n", "answered"),
            ["fcr_n", "answered"],
            "resolved at first contact ÷ answered",
            "首次接触即解决 ÷ 已应答",
        ),
        _m(
            "csat_pct",
            "CSAT (4–5)",
            "满意率",
            "rate",
            +1,
            _ratio("csat_good", "rated"),
            ["csat_good", "rated"],
            "ratings of 4 or 5 ÷ rated (1–5 scale)",
            "4 分或 5 分的评价 ÷ 参评数(1–5 分制)",
        ),
        _m(
            "csat_avg",
            "Average CSAT",
            "平均满意度",
            "rating",
            +1,
            "csat_mean",
            ["csat_mean"],
            "mean rating, rated tickets",
            "参评工单的平均评分",
        ),
        _m(
            "csat_response_rate",
            "CSAT response rate",
            "参评率",
            "rate",
            +1,
            _ratio("rated_answered", "answered"),
            ["rated_answered", "answered"],
            "rated ÷ answered",
            "参评的已应答工单 ÷ 已应答",
        ),
        _m(
            "wait_median",
            "Median first response",
            "首次响应时长中位数",
            "seconds",
            -1,
            "wait_quantiles[1]",
            ["wait_quantiles"],
            "median seconds to first response, answered tickets",
            "已应答工单首次响应秒数的中位数",
        ),
        _m(
            "wait_p90",
            "First response, 90th percentile",
            "首次响应时长 P90",
            "seconds",
            -1,
            "wait_quantiles[2]",
            ["wait_quantiles"],
            "seconds to first response within which 90 % of answered tickets were answered",
            "90% 的已应答工单在此秒数内得到首次响应",
        ),
        _m(
            "handle_median",
            "Median handle time",
            "处理时长中位数",
            "seconds",
            -1,
            "handle_quantiles[1]",
            ["handle_quantiles"],
            "median handle seconds, answered tickets that have one",
            "有处理时长的已应答工单处理秒数的中位数",
        ),
        _m(
            "handle_p90",
            "Handle time, 90th percentile",
            "处理时长 P90",
            "seconds",
            -1,
            "handle_quantiles[2]",
            ["handle_quantiles"],
            "handle seconds within which 90 % of answered tickets that have one were handled",
            "90% 的有处理时长的已应答工单在此秒数内处理完毕",
        ),
        _m(
            "callbacks_promised",
            "Callbacks promised",
            "承诺回电/回复数",
            "count",
            0,
            "callbacks_promised",
            ["callbacks_promised"],
            "tickets where the customer was told when they would hear back",
            "告知客户回复时间的工单数",
        ),
        _m(
            "callback_kept_rate",
            "Callbacks kept",
            "按时回复率",
            "rate",
            +1,
            _ratio("callbacks_kept", "callbacks_promised"),
            ["callbacks_kept", "callbacks_promised"],
            "callbacks made by the promised time ÷ callbacks promised",
            "在承诺时间前完成的回复 ÷ 承诺回复数",
        ),
        _m(
            "complaint_acceptance_rate",
            "Complaint acceptance",
            "投诉认可率",
            "rate",
            +1,
            _ratio("complaints_accepted", "complaints_fed_back"),
            ["complaints_accepted", "complaints_fed_back"],
            "complaints the customer accepted ÷ complaints with feedback given",
            "客户认可的投诉 ÷ 已反馈结果的投诉",
        ),
        _m(
            "complaint_feedback_hours",
            "Complaint feedback time",
            "投诉反馈时长",
            "hours",
            -1,
            "feedback_hours_median",
            ["feedback_hours_median"],
            "median hours from complaint opened to result fed back",
            "投诉从受理到反馈结果的小时数中位数",
        ),
        _m(
            "complaints",
            "Complaints",
            "投诉量",
            "count",
            0,
            "complaints_n",
            ["complaints_n"],
            "complaint tickets opened",
            "期间内受理的投诉工单数",
        ),
        _m(
            "complaint_first_accept_rate",
            "Accepted at first feedback",
            "首次反馈认可率",
            "rate",
            +1,
            _ratio("complaints_first_accepted", "complaints_with_rounds"),
            ["complaints_first_accepted", "complaints_with_rounds"],
            "complaints whose first feedback the customer accepted ÷ complaints with feedback given",
            "客户认可首次反馈的投诉 ÷ 已反馈结果的投诉",
        ),
        _m(
            "complaint_rounds_to_accept",
            "Rounds to acceptance",
            "认可所需反馈轮次",
            "points",
            -1,
            "accepted_round_mean",
            ["accepted_round_mean"],
            "mean number of feedback rounds of the complaints the customer accepted (1 = accepted at first feedback)",
            "客户认可的投诉平均经过的反馈轮次(1 = 首次反馈即认可)",
        ),
        _m(
            "suggestions",
            "Suggestions",
            "建议量",
            "count",
            0,
            "suggestions_n",
            ["suggestions_n"],
            "suggestion tickets opened",
            "期间内受理的建议工单数",
        ),
        _m(
            "suggestion_adoption_rate",
            "Suggestion adoption",
            "建议采纳率",
            "rate",
            0,
            _ratio("suggestions_adopted", "suggestions_decided"),
            ["suggestions_adopted", "suggestions_decided"],
            "suggestions adopted ÷ suggestions decided (adopted or not)",
            "已采纳的建议 ÷ 已作出决定的建议",
        ),
        _m(
            "suggestion_rewards",
            "Suggestion rewards",
            "建议奖励金额",
            "money",
            0,
            "rewards_sum",
            ["rewards_sum"],
            "rewards paid to customers for adopted suggestions",
            "向建议被采纳的客户发放的奖励合计",
        ),
        _m(
            "audits",
            "QA audits",
            "质检数",
            "count",
            0,
            "audits_n",
            ["audits_n"],
            "audits dated in the range",
            "期间内的质检次数",
        ),
        _m(
            "qa_score",
            "QA score",
            "质检平均分",
            "points",
            +1,
            "audit_mean",
            ["audit_mean"],
            "mean audit score; audit score = Σ(weight × score) ÷ Σ(weight) over criteria scored "
            "(blank = not applicable), 0 if a critical error",
            "质检平均分;单次得分 = Σ(权重 × 得分) ÷ Σ(权重),只计已评分项(空白 = 不适用),有致命错误记 0 分",
        ),
        _m(
            "qa_pass_rate",
            "QA pass rate",
            "质检合格率",
            "rate",
            +1,
            _ratio("audits_passed", "audits_n"),
            ["audits_passed", "audits_n"],
            "audits scoring at least the pass mark (85) ÷ audits",
            "得分不低于合格线(85)的质检 ÷ 质检数",
        ),
        _m(
            "qa_critical_rate",
            "Critical error rate",
            "致命错误率",
            "rate",
            -1,
            _ratio("audits_critical", "audits_n"),
            ["audits_critical", "audits_n"],
            "audits with a critical error ÷ audits",
            "有致命错误的质检 ÷ 质检数",
        ),
        _m(
            "qa_score_spread",
            "QA score spread",
            "质检得分离散度",
            "points",
            0,
            "audit_sd",
            ["audit_sd"],
            "standard deviation of audit scores (how far scores given lie from their mean)",
            "质检得分的标准差(得分偏离均值的程度)",
        ),
        _m(
            "criterion_score",
            "Criterion score",
            "分项得分",
            "points",
            +1,
            "criterion_mean",
            ["criterion_mean"],
            "mean score of a scorecard criterion over the audits that scored it",
            "评分项在已评该项的质检中的平均分",
        ),
        _m(
            "onboarding_attempts",
            "Onboarding exam attempts",
            "岗前考核次数",
            "points",
            -1,
            "onboarding_attempts",
            ["onboarding_attempts"],
            "mean number of onboarding exam sittings per new hire",
            "新员工人均岗前考核参考次数",
        ),
        _m(
            "onboarding_pass_rate",
            "Onboarding pass rate",
            "岗前考核通过率",
            "rate",
            +1,
            _ratio("onboarding_passed", "onboarding_sat"),
            ["onboarding_passed", "onboarding_sat"],
            "new hires who passed the onboarding exam (any attempt at or above 80) ÷ new hires who sat it; "
            "a new hire counts in the period of their first attempt",
            "通过岗前考核(任一次不低于 80 分)的新员工 ÷ 参加考核的新员工;按首次参考日期计入期间",
        ),
        _m(
            "training_hours",
            "Training hours per head",
            "在职培训时长",
            "hours",
            +1,
            _ratio("in_service_hours", "headcount"),
            ["in_service_hours", "headcount"],
            "in-service training hours of staff in a team ÷ headcount (staff in a team employed during the period)",
            "团队员工的在职培训小时数 ÷ 人数(期间内在职且属于某团队的员工)",
        ),
        _m(
            "appraisal_score",
            "Appraisal score",
            "绩效得分",
            "points",
            +1,
            "appraisal_mean",
            ["appraisal_mean"],
            "mean of Σ(indicator weight × indicator score) ÷ 100, appraisals whose period ends in the range",
            "考核期结束于所选期间的绩效得分均值;得分 = Σ(指标权重 × 指标得分) ÷ 100",
        ),
    ]
}

# Card names for the metrics whose full name does not fit a card (the full name is in its tooltip).
SHORT_LABELS: dict[str, dict[str, str]] = {
    "asa": {"en": "ASA"},
    "aht": {"en": "AHT"},
    "fcr_rate": {"en": "FCR"},
    "complaint_acceptance_rate": {"en": "Compl. accepted"},
}

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
    assert set(HEADLINE) <= set(CATALOG)
