"""The management policy as data: SLA thresholds, targets, QA scorecard, training, appraisal, pay
(the grade coefficients of performance pay and the seniority steps added to base pay), and each
client's contract: its targets and thresholds, its price and its monthly cost budget.

Every number the policy fixes lives here as a validated pydantic model, stored in the warehouse
as a dated version (`policy_versions`). A period is measured under the version in force on its
last day, and audits and appraisals keep the version they were scored under. The scoring rules
(audit score, appraisal score, grade, pay coefficient) are methods of the models that hold their
parameters, so a rule and its numbers cannot drift apart.

Every threshold and target is checked against the range of its metric's unit (a rate is a
fraction 0–1, a time above 0 seconds, a score 0–100 points), with messages that name the field,
so the editor, a loaded file and code all meet the same rules. The tables an editor works on
(`to_tables`) show a rate in percent, as people enter it; `from_tables` stores the fraction.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails

from csdata.store.sql import literal
from csdata.text.i18n import Phrase, Problem, family_key, t, validation_messages

Channel = Literal["phone", "chat", "email"]
CHANNELS: tuple[str, ...] = ("phone", "chat", "email")


# A broken policy rule; `key` names the message in `csdata.text.i18n`.
PolicyError = Problem


class Label(BaseModel):
    """Something the policy names, in both languages."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    label_en: str = Field(min_length=1, max_length=80)
    label_zh: str = Field(min_length=1, max_length=80)

    def label(self, lang: str) -> str:
        return getattr(self, f"label_{lang}", self.label_en)  # a language it has no field for: English


class Item(Label):
    """A weighted line of a scorecard or appraisal scheme."""

    weight: float = Field(gt=0, le=100)


# The columns an audit or appraisal record has besides its criteria or indicators: an item's key
# is a column of the record (a form field, a file heading, an export column), so it may not be
# one of these, nor end in "_v" (the import's typed columns) or start with "model_" (pydantic's).
RECORD_COLUMNS = {
    "policy_field_criteria": frozenset(
        {"audit_id", "audited_at", "agent_id", "auditor_id", "ticket_id", "client", "channel", "source",
         "critical_error", "finding_category", "comment", "score", "policy_version"}
    ),
    "policy_field_indicators": frozenset(
        {"period", "employee_id", "reviewer", "comment", "score", "grade", "policy_version",
         "confirmed_by", "confirmed_at"}
    ),
}  # fmt: skip


def _reserved(key: str, field: str) -> bool:
    return (
        key in RECORD_COLUMNS[field]
        or key.endswith("_v")
        or key.startswith("model_")
        or key in dir(BaseModel)
    )


def _check_weights(items: list[Item], field: str) -> list[Item]:
    """Each key once and no record column's name, and the weights adding up to 100; `field` names
    the list in messages."""
    keys = [i.key for i in items]
    if len(set(keys)) != len(keys):
        raise PolicyError("policy_duplicate_keys")
    taken = [k for k in keys if _reserved(k, field)]
    if taken:
        raise PolicyError("policy_reserved_key", field=Phrase.of(field), names=", ".join(taken))
    total = sum(i.weight for i in items)
    if abs(total - 100) > 1e-9:
        raise PolicyError("policy_weights_sum", field=Phrase.of(field), total=round(total, 4))
    return items


class Scorecard(BaseModel):
    criteria: list[Item]
    pass_mark: float = Field(85, ge=0, le=100)
    critical_errors: list[Label] = Field(default_factory=list, description="kinds of critical error")

    @field_validator("criteria")
    @classmethod
    def _weights(cls, items: list[Item]) -> list[Item]:
        return _check_weights(items, "policy_field_criteria")

    def score(self, scores: dict[str, float | None], critical_error: bool = False) -> float | None:
        """Σ(weight × score) ÷ Σ(weight) over scored criteria; 0 on a critical error.

        None when no criterion was scored (every one not applicable) and there is no critical error.
        """
        if critical_error:
            return 0.0
        scored = [(c.weight, scores[c.key]) for c in self.criteria if scores.get(c.key) is not None]
        if not scored:
            return None
        return sum(w * s for w, s in scored) / sum(w for w, _ in scored)

    def score_sql(self, column: dict[str, str], critical: str) -> str:
        """`score` as SQL over one row: `column` maps each criterion to its SQL expression."""
        num = " + ".join(f"coalesce({float(c.weight)} * {column[c.key]}, 0)" for c in self.criteria)
        den = " + ".join(
            f"(CASE WHEN {column[c.key]} IS NOT NULL THEN {float(c.weight)} ELSE 0 END)"
            for c in self.criteria
        )
        return f"(CASE WHEN {critical} THEN 0.0 ELSE ({num}) / NULLIF({den}, 0) END)"


class Band(BaseModel):
    grade: str
    min_score: float = Field(ge=0, le=100)
    coefficient: float = Field(ge=0, le=5, description="performance-pay coefficient")


class AppraisalScheme(BaseModel):
    indicators: list[Item]
    bands: list[Band]

    @field_validator("indicators")
    @classmethod
    def _weights(cls, items: list[Item]) -> list[Item]:
        return _check_weights(items, "policy_field_indicators")

    @field_validator("bands")
    @classmethod
    def _bands_descend(cls, bands: list[Band]) -> list[Band]:
        mins = [b.min_score for b in bands]
        if not bands or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise PolicyError("policy_bands_order")
        if mins[-1] != 0:
            raise PolicyError("policy_bands_floor")
        return bands

    def score(self, values: dict[str, float]) -> float:
        """Σ(indicator weight × indicator score) ÷ 100."""
        return sum(i.weight * values[i.key] for i in self.indicators) / 100

    def band(self, score: float) -> Band:
        return next(b for b in self.bands if score >= b.min_score)

    def score_sql(self, column: dict[str, str]) -> str:
        """`score` as SQL over one row."""
        return "(" + " + ".join(f"{float(i.weight)} * {column[i.key]}" for i in self.indicators) + ") / 100.0"

    def grade_sql(self, score: str) -> str:
        """`band(score).grade` as SQL; grades are bound as literals of the validated bands."""
        cases = " ".join(f"WHEN {score} >= {float(b.min_score)} THEN {literal(b.grade)}" for b in self.bands)
        return f"(CASE {cases} END)"


class SeniorityStep(BaseModel):
    """A step of the seniority table: from `years` completed years of service, `amount` a month
    added to the base pay of the grade (policy 六: base pay by grade and experience)."""

    years: int = Field(ge=0, le=60)
    amount: float = Field(ge=0, le=1_000_000)


# The steps a new warehouse starts with: the company edits them on the Policy page.
DEFAULT_SENIORITY = {1: 100.0, 3: 300.0, 5: 500.0}


def _default_seniority() -> list[SeniorityStep]:
    return [SeniorityStep(years=y, amount=a) for y, a in DEFAULT_SENIORITY.items()]


# How a client pays (`Pricing.model`): per handled ticket (a price per channel), per agent-hour
# (handled seconds ÷ 3600), or a fixed fee a month. `csdata.analytics.finance` bills by it.
PricingModel = Literal["per_ticket", "per_hour", "monthly_fee"]
PRICING_MODELS: tuple[str, ...] = ("per_ticket", "per_hour", "monthly_fee")
MAX_MONEY = 1_000_000_000  # no price, fee or budget is a billion or more


def _money_amount(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and 0 <= value < MAX_MONEY):
        raise PolicyError("finance_range_money", value=value)
    return value


class Pricing(BaseModel):
    """A client's price: one model, and only that model's numbers. `ticket_prices`: per handled
    ticket of each channel (a channel without a price earns nothing); `hour_price`: per agent-hour;
    `monthly_fee`: a month's fee, whatever the volume."""

    model: PricingModel
    ticket_prices: dict[Channel, float] = Field(default_factory=dict)
    hour_price: float | None = None
    monthly_fee: float | None = None

    @field_validator("ticket_prices")
    @classmethod
    def _prices_in_range(cls, prices: dict[str, float]) -> dict[str, float]:
        for value in prices.values():
            _money_amount(value)
        return prices

    @field_validator("hour_price", "monthly_fee")
    @classmethod
    def _amount_in_range(cls, value: float | None) -> float | None:
        return _money_amount(value)

    @model_validator(mode="after")
    def _one_model(self) -> Pricing:
        """The chosen model has its numbers and no other model's (a price left over from a
        former model would be read as still agreed)."""
        given = {
            "per_ticket": bool(self.ticket_prices),
            "per_hour": self.hour_price is not None,
            "monthly_fee": self.monthly_fee is not None,
        }
        if not given[self.model]:
            raise PolicyError(
                "finance_price_missing", model=Phrase.of(family_key("finance_model_", self.model))
            )
        others = [m for m, on in given.items() if on and m != self.model]
        if others:
            raise PolicyError(
                "finance_price_other_model",
                model=Phrase.of(family_key("finance_model_", self.model)),
                other=Phrase.of(family_key("finance_model_", others[0])),
            )
        return self


class Contract(BaseModel):
    """A client's contracted targets and SLA thresholds, which override the company defaults, and
    what the client pays (`pricing`) and may cost a month (`monthly_budget`), both optional."""

    client: str
    targets: dict[str, float] = Field(default_factory=dict)
    channel_targets: dict[Channel, dict[str, float]] = Field(default_factory=dict)
    sla_seconds: dict[Channel, int] = Field(default_factory=dict)
    pricing: Pricing | None = None
    monthly_budget: float | None = None

    @field_validator("monthly_budget")
    @classmethod
    def _budget_in_range(cls, value: float | None) -> float | None:
        return _money_amount(value)


# What a client company's own account may be shown: its service, complaints and QA, never the
# company's internal HR figures (onboarding, training, headcount, appraisals) or pay.
CLIENT_SOURCES = frozenset({"tickets", "rounds", "audits", "criteria"})


def _client_visible(metric: str) -> bool:
    from csdata.analytics.metrics import CATALOG

    return CATALOG[metric].sources <= CLIENT_SOURCES


def client_visible_metrics() -> list[str]:
    from csdata.analytics.metrics import CATALOG

    return [m for m in CATALOG if _client_visible(m)]


# -- the range of every number, by the unit of its metric ------------------------------------------

# Whether a stored value is possible, per unit. Rates are stored as fractions (0.85 = 85 %), so an
# 85 where a rate belongs reads as 8500 % and is refused, however it came in (editor, file, code).
_IN_RANGE = {
    "rate": lambda v: 0 <= v <= 1,
    "seconds": lambda v: v > 0,
    "hours": lambda v: v >= 0,
    "points": lambda v: 0 <= v <= 100,
    "rating": lambda v: 1 <= v <= 5,
    "count": lambda v: v >= 0,
    "money": lambda v: v >= 0,
}


def unit_of(metric: str | None) -> str | None:
    """The unit of a metric of the catalog (None for a name it does not know)."""
    from csdata.analytics.metrics import CATALOG

    known = CATALOG.get(metric) if isinstance(metric, str) else None
    return known.unit if known else None


def as_entered(metric: str | None, value: float | None) -> float | None:
    """A stored target as a person enters it: a rate in percent (0.85 -> 85), the rest as stored."""
    if value is None or unit_of(metric) != "rate":
        return value
    return round(value * 100, 9)  # 0.07 * 100 is 7.000000000000001


def as_stored(metric: str | None, value: float | None) -> float | None:
    """The inverse of `as_entered`: a rate entered in percent as the fraction stored (85 -> 0.85)."""
    if value is None or unit_of(metric) != "rate" or not isinstance(value, int | float):
        return value
    return round(value / 100, 12)


def _out_of_range(field: Phrase, unit: str, value: float) -> Problem | None:
    if math.isfinite(value) and _IN_RANGE[unit](value):
        return None
    shown = value * 100 if unit == "rate" else value
    return PolicyError(family_key("policy_range_", unit), field=field, value=shown)


class EffectWindows(BaseModel):
    """How the effect of a corrective action or coaching session is measured
    (`csdata.analytics.effects`): the days of audits (and rated tickets) before and after its
    effect date, and the fewest audits the agent and the team's control group each need in each
    window for the effect to be measured. The defaults are the policy's 30 days and 3 audits, so
    a version stored before these numbers existed loads with them."""

    days_before: int = Field(30, ge=1, le=365)
    days_after: int = Field(30, ge=1, le=365)
    min_audits: int = Field(3, ge=1, le=100)


class Statistics(BaseModel):
    """How sure a figure must be before csdata leans on it (`csdata.analytics.stats`,
    `csdata.analytics.calibration`, `csdata.analytics.sampling`). Every interval is at 95 %.

    - `min_n`: below this many cases (tickets, ratings, audits...) a figure is marked "few data".
    - `calibration_alpha`: the Krippendorff's alpha a calibration criterion should reach (0.667 is
      the customary lowest acceptable level for tentative conclusions).
    - `calibration_tolerance`: points an auditor's mean deviation from the other auditors of the
      same calibration set may be before it is flagged (when its whole interval lies beyond it).
    - `sample_margin`: the margin (± points) an agent's monthly QA score should be measured to;
      the sampling plan's audits per agent per month follow from it and the spread of the last
      `sample_days` days of audits.
    - `ranking_max_width`: an agent is ranked by QA score only when the width of their score's
      interval (high − low, points) is at most this.
    - `plan_sets_audit_rule`: the compliance rule `audits_below_plan` takes its number from the
      sampling plan instead of its own `audits_per_agent_month`.

    A version stored before these numbers existed loads with the defaults."""

    min_n: int = Field(30, ge=1, le=100000)
    calibration_alpha: float = Field(0.667, ge=0, le=1)
    calibration_tolerance: float = Field(5.0, gt=0, le=100)
    sample_margin: float = Field(5.0, gt=0, le=100)
    sample_days: int = Field(90, ge=7, le=730)
    ranking_max_width: float = Field(20.0, gt=0, le=200)
    plan_sets_audit_rule: bool = False


# -- the compliance rules: the loops the policy closes, each breach owned by a role ---------------

# The rules, in the order the policy's loops run: onboarding, complaints and callbacks, corrective
# actions, appraisal and coaching, training, QA sampling. `csdata.analytics.compliance` evaluates
# each one as SQL; these names are its keys everywhere (the queue, the CLI, the JSON).
RULES: tuple[str, ...] = (
    "went_live_before_passing",
    "handled_before_passing",
    "complaint_unaccepted",
    "callback_overdue",
    "action_overdue",
    "below_standard_without_coaching",
    "below_standard_twice",
    "training_hours_short",
    "audits_below_plan",
)
# The roles that may own a rule's breaches (a client company's account owns none; finance none).
OwnerRole = Literal["admin", "exec", "supervisor", "qa", "hr"]
OWNER_ROLES: tuple[str, ...] = ("admin", "exec", "supervisor", "qa", "hr")


class BreachRule(BaseModel):
    """One rule of the compliance queue: whether it is evaluated, and the role owning its breaches."""

    on: bool = True
    owner: OwnerRole


class DaysRule(BreachRule):
    """A rule with a number of days of grace (a complaint's, the coaching after an appraisal)."""

    days: int = Field(ge=0, le=365)


class AuditsRule(BreachRule):
    """The QA sampling plan: the audits each agent has in a complete month."""

    audits_per_agent_month: int = Field(4, ge=0, le=1000)


class ComplianceRules(BaseModel):
    """Every rule of the compliance queue with its numbers. The in-service training target is the
    policy's `training_hours_per_quarter`, the pass marks those of the courses (else the policy's
    onboarding pass mark), so no number is kept twice."""

    went_live_before_passing: BreachRule = BreachRule(owner="hr")
    handled_before_passing: BreachRule = BreachRule(owner="supervisor")
    complaint_unaccepted: DaysRule = DaysRule(owner="supervisor", days=7)
    callback_overdue: BreachRule = BreachRule(owner="supervisor")
    action_overdue: BreachRule = BreachRule(owner="qa")
    below_standard_without_coaching: DaysRule = DaysRule(owner="supervisor", days=14)
    below_standard_twice: BreachRule = BreachRule(owner="hr")
    training_hours_short: BreachRule = BreachRule(owner="hr")
    audits_below_plan: AuditsRule = AuditsRule(owner="qa")

    def rule(self, name: str) -> BreachRule:
        return getattr(self, name)

    def active(self) -> list[str]:
        """The rules switched on, in order."""
        return [r for r in RULES if self.rule(r).on]


class Policy(BaseModel):
    effective_from: dt.date = dt.date(2020, 1, 1)
    sla_seconds: dict[Channel, int] = Field(
        default_factory=lambda: {"phone": 20, "chat": 60, "email": 8 * 3600},
        description="a ticket is within service level if first response comes within this many seconds",
    )
    targets: dict[str, float] = Field(default_factory=dict)
    channel_targets: dict[Channel, dict[str, float]] = Field(default_factory=dict)
    contracts: list[Contract] = Field(default_factory=list)
    scorecard: Scorecard
    onboarding_pass_mark: float = Field(80, ge=0, le=100)
    training_hours_per_quarter: float = Field(8, ge=0)
    min_audits_for_ranking: int = Field(5, ge=1)
    appraisal: AppraisalScheme
    client_metrics: list[str] = Field(
        default_factory=client_visible_metrics,
        description="the metrics a client company's own account may see (service, complaints, QA)",
    )
    effects: EffectWindows = Field(default_factory=EffectWindows)
    # A version stored before the table existed reads with the defaults.
    seniority: list[SeniorityStep] = Field(
        default_factory=_default_seniority,
        description="monthly amount added to base pay from N completed years of service",
    )
    compliance: ComplianceRules = Field(default_factory=ComplianceRules)
    statistics: Statistics = Field(default_factory=Statistics)

    @field_validator("seniority")
    @classmethod
    def _seniority_steps(cls, steps: list[SeniorityStep]) -> list[SeniorityStep]:
        """Each number of years once; kept sorted by years, as the editor shows them."""
        years = [s.years for s in steps]
        if len(set(years)) != len(years):
            dupes = sorted({y for y in years if years.count(y) > 1})
            raise PolicyError("policy_seniority_years_twice", years=", ".join(str(y) for y in dupes))
        return sorted(steps, key=lambda s: s.years)

    def seniority_pay(self, years: int) -> float:
        """The monthly seniority amount after `years` completed years: the step with the most
        years not above them (0 before the first step)."""
        return next((s.amount for s in reversed(self.seniority) if years >= s.years), 0.0)

    def seniority_sql(self, years: str) -> str:
        """`seniority_pay(years)` as SQL (a DECIMAL); the amounts are the validated numbers."""
        cases = " ".join(
            f"WHEN {years} >= {int(s.years)} THEN {float(s.amount)!r}" for s in reversed(self.seniority)
        )
        body = f"CASE {cases} ELSE 0 END" if cases else "0"
        return f"CAST(({body}) AS DECIMAL(18, 2))"

    @model_validator(mode="after")
    def _known_metrics(self) -> Policy:
        from csdata.analytics.metrics import CATALOG

        named = list(self.targets) + [m for c in self.contracts for m in c.targets]
        named += [m for t in self.channel_targets.values() for m in t]
        named += [m for c in self.contracts for t in c.channel_targets.values() for m in t]
        unknown = sorted(set(named + self.client_metrics) - set(CATALOG))
        if unknown:
            raise PolicyError("policy_unknown_metric", names=", ".join(unknown))
        internal = [m for m in self.client_metrics if not _client_visible(m)]
        if internal:
            raise PolicyError("policy_internal_metric", names=", ".join(internal))
        return self

    @model_validator(mode="after")
    def _ranges(self, info: ValidationInfo) -> Policy:
        """Every threshold and target within the range of its unit, each breach named by its field.

        A version already stored is read as it was saved (see `_stored`): an older one may break
        a range checked only since, and must still show, so that it can be corrected.
        """
        from csdata.analytics.metrics import CATALOG

        if (info.context or {}).get("stored"):
            return self
        company = [(Phrase.of("policy_targets"), self.targets)]
        company += [
            (Phrase.of("policy_channel_targets", family_key("channel_", c)), t)
            for c, t in self.channel_targets.items()
        ]
        layers = [(Phrase.of("policy_field_sla"), self.sla_seconds, company)]
        for k in self.contracts:
            where = Phrase.of("policy_field_contracts") + k.client
            targets = [(where, k.targets)]
            targets += [
                (where + Phrase.of(family_key("channel_", c)), t) for c, t in k.channel_targets.items()
            ]
            layers.append((where + Phrase.of("policy_field_sla"), k.sla_seconds, targets))
        found = []
        for sla_field, sla, targets in layers:
            found += [
                _out_of_range(sla_field + Phrase.of(family_key("channel_", c)), "seconds", v)
                for c, v in sla.items()
            ]
            for field, values in targets:
                found += [
                    _out_of_range(field + CATALOG[m], CATALOG[m].unit, v)
                    for m, v in values.items()
                    if m in CATALOG  # an unknown name is `_known_metrics`' to report
                ]
        found = [p for p in found if p is not None]
        if found:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [
                    InitErrorDetails(type="value_error", loc=(), input=p.params["value"], ctx={"error": p})
                    for p in found
                ],
            )
        return self

    def contract(self, client: str | None) -> Contract | None:
        return next((c for c in self.contracts if c.client == client), None)

    def sla(self, client: str | None, channel: str) -> int:
        contract = self.contract(client)
        if contract and channel in contract.sla_seconds:
            return contract.sla_seconds[channel]
        return self.sla_seconds[channel]

    def target(
        self, metric: str, client: str | None = None, channel: str | None = None, days: int | None = None
    ) -> float | None:
        """The target that applies, most specific first: client+channel, client, channel, company.

        Training hours are set per quarter; over `days` days the target is scaled to that length.
        """
        if metric == "training_hours":
            per_quarter = self.training_hours_per_quarter
            return per_quarter if days is None else per_quarter * days / (365.25 / 4)
        contract = self.contract(client)
        layers = []
        if contract is not None:
            if channel:
                layers.append(contract.channel_targets.get(channel, {}))  # type: ignore[arg-type]
            layers.append(contract.targets)
        if channel:
            layers.append(self.channel_targets.get(channel, {}))  # type: ignore[arg-type]
        layers.append(self.targets)
        return next((layer[metric] for layer in layers if metric in layer), None)


def _label(key: str) -> dict[str, str]:
    """A default label's fields, from the text catalogs (`policy_label_<key>`)."""
    text = family_key("policy_label_", key)
    return {"key": key, "label_en": t(text, "en"), "label_zh": t(text, "zh")}


def _item(key: str, weight: float) -> Item:
    return Item(**_label(key), weight=weight)


# The default scorecard's criteria and appraisal indicators, key -> weight (%).
DEFAULT_CRITERIA = {
    "attitude": 25,
    "responsiveness": 20,
    "accuracy": 30,
    "communication": 15,
    "compliance": 10,
}
DEFAULT_INDICATORS = {"satisfaction": 30, "quality": 30, "efficiency": 25, "teamwork": 15}


def default_policy() -> Policy:
    """The defaults of the design notes: what a new warehouse starts with."""
    return Policy(
        targets={
            "answer_rate": 0.95,
            "abandon_rate": 0.05,
            "service_level": 0.80,
            "resolution_rate": 0.90,
            "fcr_rate": 0.75,
            "csat_pct": 0.85,
            "csat_avg": 4.3,
            "csat_response_rate": 0.30,
            "complaint_acceptance_rate": 0.85,
            "complaint_feedback_hours": 24,
            "qa_score": 85,
            "qa_pass_rate": 0.90,
            "qa_critical_rate": 0.02,
            "onboarding_pass_rate": 0.85,
            "appraisal_score": 80,
        },
        channel_targets={
            "phone": {"asa": 20, "aht": 300},
            "chat": {"asa": 45, "aht": 480},
            "email": {"asa": 4 * 3600, "aht": 900},
        },
        scorecard=Scorecard(
            criteria=[_item(key, weight) for key, weight in DEFAULT_CRITERIA.items()],
            pass_mark=85,
            critical_errors=[
                Label(**_label("abusive_language")),
                Label(**_label("privacy_breach")),
                Label(**_label("false_promise")),
            ],
        ),
        appraisal=AppraisalScheme(
            indicators=[_item(key, weight) for key, weight in DEFAULT_INDICATORS.items()],
            bands=[
                Band(grade="A", min_score=90, coefficient=1.2),
                Band(grade="B", min_score=80, coefficient=1.0),
                Band(grade="C", min_score=70, coefficient=0.8),
                Band(grade="D", min_score=0, coefficient=0.5),
            ],
        ),
    )


# -- as tables, for editing ------------------------------------------------------------------------

# The scalar settings an editor shows beside the tables.
SCALARS = (
    "effective_from",
    "onboarding_pass_mark",
    "training_hours_per_quarter",
    "min_audits_for_ranking",
    "client_metrics",
    "effects",
    "statistics",
)


def _target(metric: str, value: float) -> dict:
    """A target row's metric, its target as entered (rates in percent) and the metric's unit."""
    return {"metric": metric, "target": as_entered(metric, value), "unit": unit_of(metric)}


def to_tables(policy: Policy) -> dict[str, list[dict]]:
    """The policy as flat tables (lists of rows), the shape a table editor works on.

    Targets are as a person enters them: a rate in percent (85 for 85 %), with the unit beside it.
    """
    return {
        "sla": [{"channel": c, "seconds": policy.sla_seconds[c]} for c in CHANNELS],
        "targets": [_target(m, v) for m, v in policy.targets.items()],
        "channel_targets": [
            {"channel": c, **_target(m, v)} for c, t in policy.channel_targets.items() for m, v in t.items()
        ],
        "criteria": [i.model_dump() for i in policy.scorecard.criteria],
        "critical_errors": [i.model_dump() for i in policy.scorecard.critical_errors],
        "indicators": [i.model_dump() for i in policy.appraisal.indicators],
        "bands": [b.model_dump() for b in policy.appraisal.bands],
        "contract_targets": [
            {"client": k.client, "channel": None, **_target(m, v)}
            for k in policy.contracts
            for m, v in k.targets.items()
        ]
        + [
            {"client": k.client, "channel": c, **_target(m, v)}
            for k in policy.contracts
            for c, t in k.channel_targets.items()
            for m, v in t.items()
        ],
        "contract_sla": [
            {"client": k.client, "channel": c, "seconds": sec}
            for k in policy.contracts
            for c, sec in k.sla_seconds.items()
        ],
        "contract_prices": price_rows(policy.contracts),
        "seniority": [s.model_dump() for s in policy.seniority],
        "compliance": compliance_rows(policy.compliance),
    }


# The columns of the contracts' prices table: a row per client with a price or a budget.
PRICE_COLUMNS = (
    "client", "pricing", "price_phone", "price_chat", "price_email", "hour_price", "monthly_fee",
    "monthly_budget",
)  # fmt: skip


def price_rows(contracts: list[Contract]) -> list[dict]:
    """Each contract's pricing model, its prices and its monthly budget as one row."""
    out = []
    for k in contracts:
        if k.pricing is None and k.monthly_budget is None:
            continue
        p = k.pricing
        row = dict.fromkeys(PRICE_COLUMNS) | {"client": k.client, "monthly_budget": k.monthly_budget}
        if p is not None:
            row |= {"pricing": p.model, "hour_price": p.hour_price, "monthly_fee": p.monthly_fee}
            row |= {f"price_{c}": v for c, v in p.ticket_prices.items()}
        out.append(row)
    return out


def _price_fields(row: dict) -> dict:
    """A prices row as the contract's fields (a row with no model but some price is refused by
    `Pricing`: its model is required)."""
    prices = {c: row.get(f"price_{c}") for c in CHANNELS if row.get(f"price_{c}") is not None}
    amounts = {n: row.get(n) for n in ("hour_price", "monthly_fee") if row.get(n) is not None}
    fields: dict = {"monthly_budget": row.get("monthly_budget")}
    if row.get("pricing") or prices or amounts:
        fields["pricing"] = {"model": row.get("pricing"), "ticket_prices": prices, **amounts}
    return fields


# The numbers a compliance rule may have, as the columns of its table (None: the rule has none).
RULE_NUMBERS = ("days", "audits_per_agent_month")


def compliance_rows(rules: ComplianceRules) -> list[dict]:
    """The compliance rules as one table, a row per rule in `RULES` order."""
    out = []
    for name in RULES:
        dumped = rules.rule(name).model_dump()
        out.append({"rule": name, "on": dumped["on"], "owner": dumped["owner"]}
                   | {n: dumped.get(n) for n in RULE_NUMBERS})  # fmt: skip
    return out


def from_tables(tables: dict[str, list[dict]], pass_mark: float, scalars: dict) -> Policy:
    """The inverse of `to_tables` (a rate's target entered in percent is stored as a fraction);
    raises pydantic's ValidationError on bad input."""
    return Policy.model_validate(tables_body(tables, pass_mark, scalars))


def tables_body(tables: dict[str, list[dict]], pass_mark: float, scalars: dict) -> dict:
    """What `from_tables` validates: the tables as the policy's fields, rates as fractions.

    Blank rows (all cells empty, the unit aside: it follows the metric), as a table editor leaves
    them, are skipped.
    """

    def rows(name: str) -> list[dict]:
        return [
            r for r in tables.get(name, []) if any(v not in (None, "") for k, v in r.items() if k != "unit")
        ]

    def target(r: dict) -> float | None:
        return as_stored(r["metric"], r["target"])

    channel_targets: dict[str, dict[str, float]] = {}
    for r in rows("channel_targets"):
        channel_targets.setdefault(r["channel"], {})[r["metric"]] = target(r)
    contracts: dict[str, dict] = {}
    for r in rows("contract_targets"):
        k = contracts.setdefault(r["client"], {"client": r["client"]})
        if r.get("channel"):
            k.setdefault("channel_targets", {}).setdefault(r["channel"], {})[r["metric"]] = target(r)
        else:
            k.setdefault("targets", {})[r["metric"]] = target(r)
    for r in rows("contract_sla"):
        contracts.setdefault(r["client"], {"client": r["client"]}).setdefault("sla_seconds", {})[
            r["channel"]
        ] = r["seconds"]
    for r in rows("contract_prices"):
        contracts.setdefault(r["client"], {"client": r["client"]}).update(_price_fields(r))
    return {
        **{k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in scalars.items()},
        "sla_seconds": {r["channel"]: r["seconds"] for r in rows("sla")},
        "targets": {r["metric"]: target(r) for r in rows("targets")},
        "channel_targets": channel_targets,
        "contracts": list(contracts.values()),
        "scorecard": {
            "criteria": rows("criteria"),
            "pass_mark": pass_mark,
            "critical_errors": rows("critical_errors"),
        },
        "appraisal": {"indicators": rows("indicators"), "bands": rows("bands")},
        **({"seniority": rows("seniority")} if "seniority" in tables else {}),
        **_compliance_body(tables),
    }


def _compliance_body(tables: dict[str, list[dict]]) -> dict:
    """The compliance table as the policy's field: each row's rule with its switch, owner and the
    numbers that rule has (a table without it, or an older file, keeps the defaults)."""
    if "compliance" not in tables:
        return {}
    body: dict[str, dict] = {}
    for r in tables["compliance"]:
        if r.get("rule") not in RULES:
            continue
        fields = {"on": bool(r.get("on")), "owner": r.get("owner")}
        fields |= {
            n: r.get(n)
            for n in RULE_NUMBERS
            if n in ComplianceRules.model_fields[r["rule"]].annotation.model_fields
        }
        body[r["rule"]] = fields
    return {"compliance": body}


# -- where a rule is broken, as the editor names it ----------------------------------------------

# A contract's money fields, named inside a contract (its targets are named by their metrics).
_FINANCE_FIELDS = ("pricing", "model", "ticket_prices", "hour_price", "monthly_fee", "monthly_budget")

# A part of the model -> the name of the table or field that shows it.
_PLACES = {
    "sla_seconds": "policy_field_sla",
    "targets": "policy_targets",
    "channel_targets": "policy_channel_targets",
    "contracts": "policy_field_contracts",
    "criteria": "policy_field_criteria",
    "critical_errors": "policy_field_critical",
    "indicators": "policy_field_indicators",
    "bands": "policy_field_bands",
    "pass_mark": "policy_pass_mark",
    "onboarding_pass_mark": "policy_onboarding_pass",
    "training_hours_per_quarter": "policy_training_hours",
    "min_audits_for_ranking": "policy_min_audits",
    "client_metrics": "policy_client_metrics",
    "effective_from": "policy_effective_from",
    "effects": "policy_effects",
    "days_before": "policy_effects_before",
    "days_after": "policy_effects_after",
    "min_audits": "policy_effects_min_audits",
    "statistics": "policy_statistics",
    **{name: family_key("policy_statistics_", name) for name in Statistics.model_fields},
    "seniority": "policy_field_seniority",
    "compliance": "policy_compliance",
    **{rule: family_key("breach_rule_", rule) for rule in RULES},
    "owner": "policy_rule_owner",
    "days": "policy_rule_days",
    "audits_per_agent_month": "policy_rule_audits",
    **{name: family_key("finance_field_", name) for name in _FINANCE_FIELDS},
}


def field_name(loc: tuple, body: dict | None = None) -> Phrase | None:
    """Where a validation error of `Policy` is, as the editor names it: ("appraisal", "bands", 3,
    "coefficient") -> "Grade bands › row 4 › Coefficient". A contract is named by its client when
    `body`, the input that was validated, says which one."""
    from csdata.analytics.metrics import CATALOG

    parts: list[object] = []
    for i, part in enumerate(loc):
        inside_contract = i > 0 and loc[0] == "contracts"
        if isinstance(part, int) and i == 1 and inside_contract and _client_at(body, part):
            parts.append(_client_at(body, part))
        elif isinstance(part, int):
            parts.append(Phrase.of("policy_row", n=part + 1))
        elif part in ("scorecard", "appraisal") or (
            inside_contract and part in ("targets", "channel_targets")
        ):
            continue
        elif part in _PLACES and not (inside_contract and part not in ("sla_seconds", *_FINANCE_FIELDS)):
            parts.append(Phrase.of(_PLACES[part]))
        elif part in CHANNELS:
            parts.append(Phrase.of(family_key("channel_", part)))
        elif part in CATALOG:
            parts.append(CATALOG[part])
        else:
            parts.append(Phrase.column(str(part)))
    return Phrase(*parts) if parts else None


def _client_at(body: dict | None, index: int) -> str | None:
    try:
        client = body["contracts"][index]["client"]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None
    return client if isinstance(client, str) and client else None


def messages(exc: ValidationError, body: dict | None, lang: str) -> list[str]:
    """Why `body` is not a policy, a line per broken rule, each naming its field as the editor does."""
    return validation_messages(exc, lang, lambda loc: field_name(loc, body))


# -- what changed between two versions --------------------------------------------------------------

MAX_CHANGES = 40  # lines an audit-log entry lists; the rest are counted


def _flat(value: object, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    """Every number and text of a dumped policy by its path; list items by their key (a criterion's
    `key`, a band's `grade`, a contract's `client`), so a reordered list is no change."""
    if isinstance(value, dict):
        return {p: v for k, item in value.items() for p, v in _flat(item, (*path, str(k))).items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        ident = next((f for f in ("key", "grade", "client", "years") if all(f in v for v in value)), None)
        if ident is not None:
            return {
                p: x
                for v in value
                for p, x in _flat({k: x for k, x in v.items() if k != ident}, (*path, str(v[ident]))).items()
            }
    return {path: value}


def _shown(path: tuple[str, ...], value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    if "targets" in path and unit_of(path[-1]) == "rate" and isinstance(value, int | float):
        return f"{value * 100:g} %"
    return f"{value:g}" if isinstance(value, float) else str(value)


def policy_changes(old: Policy, new: Policy) -> list[str]:
    """What `new` changes of `old`, a line per value: "targets.csat_pct: 85 % → 90 %" (rate
    targets in percent, as entered; "–" for a value added or removed)."""
    before, after = _flat(old.model_dump(mode="json")), _flat(new.model_dump(mode="json"))
    paths = list(after) + [p for p in before if p not in after]
    pairs = [(p, _shown(p, before.get(p)), _shown(p, after.get(p))) for p in paths]
    lines = [f"{'.'.join(p)}: {old} → {new}" for p, old, new in pairs if old != new]
    if len(lines) > MAX_CHANGES:
        lines = [*lines[:MAX_CHANGES], f"… +{len(lines) - MAX_CHANGES}"]
    return lines


# -- storage: versions in the warehouse ------------------------------------------------------

_VERSIONS = "SELECT version, body FROM policy_versions"
_NEWEST_ORDER = " ORDER BY effective_from DESC, version DESC LIMIT 1"


def _stored(body: str) -> Policy:
    """A version as saved (its ranges are not checked again: see `Policy._ranges`)."""
    return Policy.model_validate(json.loads(body), context={"stored": True})


def save_policy(wh, policy: Policy, actor: str) -> int:
    """Store `policy` as the next version; returns its number. The audit-log entry says what it
    changes of the version the editor showed (the one in force last), one line per value.

    Checked again first, so a policy put together in code breaks no rule either."""
    policy = Policy.model_validate(policy.model_dump())
    with wh.transaction(actor, "policy.save", "policy_versions") as w:
        version = (w.scalar("SELECT coalesce(max(version), 0) FROM policy_versions") or 0) + 1
        previous = w.scalar("SELECT body FROM policy_versions" + _NEWEST_ORDER)
        w.execute(
            "INSERT INTO policy_versions (version, effective_from, body, created_by) VALUES (?, ?, ?, ?)",
            [version, policy.effective_from, policy.model_dump_json(), actor],
        )
        w.detail["version"] = version
        if previous is not None:
            w.detail["changes"] = policy_changes(_stored(previous), policy)
    return version


def unchanged(candidate: Policy, current: Policy) -> bool:
    """Whether saving `candidate` would change nothing of `current` (a new effective date alone
    changes no rule): the Policy page and `csdata policy load` then save no version."""
    return candidate.model_dump(exclude={"effective_from"}) == current.model_dump(exclude={"effective_from"})


def load_policy(wh, on: dt.date | None = None) -> tuple[int, Policy]:
    """The version in force on `on` (default: the newest), as (version number, policy)."""
    sql = _VERSIONS
    params: list = []
    if on is not None:
        sql += " WHERE effective_from <= ?"
        params.append(on)
    row = wh.rows(sql + _NEWEST_ORDER, params)
    if not row and on is not None:
        # Nothing in force that early: the oldest rules are the best guess.
        row = wh.rows("SELECT version, body FROM policy_versions ORDER BY effective_from, version LIMIT 1")
    if not row:
        return 0, default_policy()
    version, body = row[0]
    return version, _stored(body)


def versions(wh) -> list[dict]:
    """Every stored version, oldest first: version, effective date, saved at, saved by, and what it
    changed of the version saved before it (as the audit log's entry says)."""
    rows = wh.rows(
        "SELECT version, effective_from, created_at, created_by, body FROM policy_versions ORDER BY version"
    )
    out, before = [], None
    for version, effective, created_at, created_by, body in rows:
        policy = _stored(body)
        out.append(
            {
                "version": version,
                "effective_from": effective,
                "saved_at": created_at,
                "saved_by": created_by,
                "changes": [] if before is None else policy_changes(before, policy),
            }
        )
        before = policy
    return out


# -- which version a record is scored under ------------------------------------------------------


def _score_items(policy: Policy, kind: str) -> list[Item]:
    return policy.scorecard.criteria if kind == "audits" else policy.appraisal.indicators


class History:
    """Every stored version at once, for records of many dates: a record is scored under the
    version in force on its own date (an audit's day, an appraisal period's last day), the rule of
    `load_policy`, which this mirrors in Python (`in_force`) and in SQL (`version_sql`)."""

    def __init__(self, stored: list[tuple[int, dt.date, Policy]]) -> None:
        if not stored:
            stored = [(0, default_policy().effective_from, default_policy())]
        # In force on a day: the latest effective date on or before it, the highest version of
        # that date; before every effective date, the oldest (as `load_policy` guesses).
        self.ordered = sorted(stored, key=lambda v: (v[1], v[0]))
        self.by_version = {v: p for v, _, p in stored}
        starts: dict[dt.date, int] = {}
        for version, effective, _ in self.ordered:
            starts[effective] = version
        self.windows = sorted(starts.items())  # (first day, version in force from it)
        self.fallback = self.ordered[0][0]

    @classmethod
    def load(cls, wh) -> History:
        rows = wh.rows("SELECT version, effective_from, body FROM policy_versions")
        return cls([(v, e, _stored(b)) for v, e, b in rows])

    @classmethod
    def of(cls, policy: Policy, version: int = 0) -> History:
        return cls([(version, policy.effective_from, policy)])

    def in_force(self, on: dt.date | None = None) -> tuple[int, Policy]:
        version = self.fallback
        for start, v in self.windows:
            if on is None or start <= on:
                version = v
        return version, self.by_version[version]

    def version_sql(self, day: str) -> str:
        """The version in force on the date `day` (SQL), as an INTEGER expression."""
        if len(self.by_version) == 1:
            return str(int(self.fallback))
        cases = [f"WHEN {day} < DATE '{self.windows[0][0]}' THEN {int(self.fallback)}"]
        cases += [
            f"WHEN {day} < DATE '{nxt}' THEN {int(v)}"
            for (_, v), (nxt, _) in zip(self.windows, self.windows[1:], strict=False)
        ]
        return f"(CASE {' '.join(cases)} ELSE {int(self.windows[-1][1])} END)"

    def in_use(self) -> list[int]:
        """The versions some day falls under (a version overtaken on its own date never is)."""
        return sorted({self.fallback, *(v for _, v in self.windows)})

    def items(self, kind: str, among: list[int] | None = None) -> list[Item]:
        """The criteria (`audits`) or indicators (`appraisals`) of the versions `among` (default:
        every version a day can fall under): those of the newest in force first, in its order,
        then those only earlier versions have, newest first."""
        chosen = self.in_use() if among is None else [v for v in among if v in self.by_version]
        ranked = [v for _, v in reversed(self.windows) if v in chosen]
        ranked += sorted((v for v in chosen if v not in ranked), reverse=True)
        out: dict[str, Item] = {}
        for v in ranked:
            for item in _score_items(self.by_version[v], kind):
                out.setdefault(item.key, item)
        return list(out.values())

    def in_use_policies(self) -> list[Policy]:
        return [self.by_version[v] for v in self.in_use()]

    def holding(self, kind: str, key: str) -> list[int]:
        """The versions (of those a day can fall under) whose criteria or indicators include `key`."""
        return [v for v in self.in_use() if key in {i.key for i in _score_items(self.by_version[v], kind)}]
