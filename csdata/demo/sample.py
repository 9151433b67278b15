"""Deterministic, realistic demo data at any scale: the demo company and the benchmark generator.

`build_sample(wh)` fills an empty, migrated warehouse with twelve months of a fictional
customer-service outsourcing company (客服外包公司) ending the day before `as_of`: eight clients in different
industries, each with its own contract; five departments; fourteen client teams of agents with
their supervisors; QA staff, trainers and back-office staff; tickets on three channels; QA audits
and their corrective actions; onboarding and in-service training; quarterly appraisals; bonuses;
and the policy (company defaults plus one `Contract` per client) as version 1.

Why it is shaped so:

* **Every metric has something to say.** Volumes follow an hourly curve (mid-morning and
  afternoon peaks, quiet nights), a weekly one (weekends lower, except for the games company) and
  client events (Double-11 and 618 for the e-commerce retailer, travel peaks for the airline, a
  recall for the car maker, Spring-Festival dips). Busy hours and event days raise a *pressure*
  that lengthens waits, raises abandonment and complaints and lowers CSAT, so service level,
  ASA and CSAT move together the way they do on a real floor, and some clients miss their
  contracted targets while others meet them. A ticket is offered to the queue of one of its
  client's teams (the team of the agent drawn for it) and keeps that team when nobody answers, so
  a team's answer rate and service level count its abandoned tickets. CSAT falls with waiting time and rises with the
  agent's skill; QA scores, handle times and appraisal indicators come from the same agent traits,
  so a weak agent is weak everywhere.
* **Ids and the roster layout are fixed; only values are random.** The employee table is laid out
  in a fixed order (office staff, QA, trainers, supervisors, then each team's agents, then the
  year's new hires cohort by cohort), so the planted cases below have the same employee ids for
  every seed, `end` and ticket count. Names, dates, skills and every ticket come from numpy
  generators seeded with `(seed, stream)`, so the same seed gives byte-identical tables (apart from
  the wall-clock `created_at` / `at_time` that `save_policy` and the audit log stamp).
* **It scales.** Tickets are generated vectorised in chronological chunks of about a million rows,
  each from its own generator; fields only a few tickets have (a complaint's workflow, a callback,
  a rating) are drawn for those rows only. A chunk holds only small integer codes and epoch
  seconds; one `INSERT ... SELECT` per chunk turns them into ticket ids, names and timestamps
  inside DuckDB, and commits (one transaction per chunk, see `_insert_tickets`). Ticket ids are in
  order of `opened_at`. Python-side memory is bounded by one chunk; the ticket count changes
  neither the roster nor the audits nor the training. Most of the time at scale is DuckDB
  maintaining the `tickets` primary-key index (about 2.5 s per million rows on two cores, with
  the commit). Generating the next chunk on a worker thread was measured and was slower: DuckDB
  already keeps both cores busy. 10 million tickets take about 45 s and 1.2 GB resident.
* **Scores are the policy's.** `audits.score` is computed once in SQL from `audit_scores` and the
  scorecard weights stored in `policy_versions` (Σ weight × score ÷ Σ weight over the criteria
  present, 0 on a critical error); `appraisals.score` and `grade` come from
  `AppraisalScheme.score` / `.band`, with indicators derived from each agent's own tickets and
  audits in that quarter.

Planted policy breaches (deterministic; the ids are the module constants below):

1. Onboarding (制度 三(二)1, "only those who pass go live"):
   `EARLY_GO_LIVE` = E00176 and E00183 failed their first onboarding attempt, went live and handled
   tickets anyway, and passed only on attempt 2, after their first tickets. `NEVER_PASSED` =
   E00179 failed attempts 1 and 2, never passed, yet has a go-live date and handles tickets.
   (`FAILED_ONBOARDING_LEFT` = E00188 failed three attempts and left without going live: that is
   the policy working, not a breach.) Every other agent, supervisor, QA and trainer passed
   onboarding before their go-live date. Find them with
   ``SELECT employee_id FROM employees e WHERE go_live_date < coalesce((SELECT min(taken_on) FROM
   training_results r WHERE r.employee_id = e.employee_id AND kind = 'onboarding' AND score >= 80),
   DATE '9999-12-31')``.
2. Complaints (四(二)): about 2 % of complaints were never fed back to the customer
   (`feedback_at IS NULL` although opened weeks before `end`); complaints opened in the last days
   may still legitimately await feedback, or the customer's answer. Every round of feedback is
   kept (`complaint_rounds`): about 13 % of first feedbacks were reopened; three in four of those
   were fed back again about a day later and most of those accepted in round 2 or 3, so
   acceptance at first feedback is below acceptance; the rest stay open (`customer_accepted =
   false`, `reopened`).
3. Corrective actions (五(一), "track the effect"): exactly `OVERDUE_OPEN_ACTIONS` (5) actions are
   still `open` with `due_on` more than 30 days before `end`; every other action due more than a
   week before `end` is done or cancelled (a few due in the last week are still open).
4. Appraisal (五(二)): `TWO_QUARTERS_D` = E00084 is graded D in the last two closed quarters (and
   has low CSAT and QA scores and coaching actions behind it); no other agent has two D grades in a
   row.

Planted effect (五(一)3, "track the effect"): the `COACHED` agents (E00046, E00070, E00090,
E00112, E00129, E00159, one in each of six teams, audited six times a month) score
`COACHING_LIFT` (8) points lower in the `SLUMP_DAYS` (45) days before a coaching session with
their supervisor (`coaching_day`: 50, 56, … 80 days before `end`) and as before after it; their
teams do not. Measured against the team (`csdata.analytics.effects`), the sessions' mean effect
is about +9.5 points, its 95 % interval holding 8.

Calibration aids: `HARSH_AUDITOR` (E00013) scores about 6 points low, `LENIENT_AUDITOR` (E00016)
about 5 points high. One team (Skyline 3) trains well below the 8 hours per quarter target.

Planted calibration (`csdata.analytics.calibration`): `CALIBRATION_SETS` (12) tickets of the last
twelve weeks, one a week, each scored by the QA auditors in a calibration session (source
`calibration`; a few sets miss one auditor who is neither of the two above), each a ticket near
the pass mark. Each auditor keeps the lean they audit with, and the auditors of a set differ
otherwise by little (2 points per criterion), so the harsh auditor's mean deviation from the
others (about −6 to −7) and the lenient one's (about +6) lie, with their whole 95 % intervals,
beyond the policy's 5-point tolerance: both are flagged, no one else is (so for the seeds 3, 7,
8 and 11 and several days and sizes tried; another seed draws the other auditors' leans anew). These audits are written last, in their own transaction and
from their own random stream, and no QA figure counts them, so every other figure of the demo is
what it was without them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csdata.policy import Contract, Policy, default_policy, save_policy
from csdata.store.sql import literal, literal_list

ACTOR = "sample"
CHUNK = 1_000_000  # tickets per generated chunk: bounds memory, keeps numpy vectorised
DAYS = 365

CHANNELS = ("phone", "chat", "email")
TYPES = ("consultation", "complaint", "suggestion")
PHONE, CHAT, EMAIL = 0, 1, 2
CONSULT, COMPLAINT, SUGGESTION = 0, 1, 2


# -- the company -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientSpec:
    name: str
    short: str  # team names: "<short> 1", "<short> 2"
    industry: str
    share: float  # of ticket volume
    mix: tuple[float, float, float]  # phone, chat, email
    teams: tuple[int, ...]  # agents per team at the start of the year
    pressure: float  # staffing tightness: >1 waits longer than the company norm
    handle: float  # handle-time factor of the business (insurance is slow, games fast)
    complaint_rate: float
    feedback_speed: float  # multiplies the client's departments' time to feed a complaint back
    accept_adj: float  # added to the chance a complaint's result is accepted
    contract: dict


CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec(
        "Harbor Trust Bank", "Harbor", "banking", 0.17, (0.62, 0.28, 0.10), (12, 12), 0.86, 1.05,
        0.055, 0.8, 0.03,
        {"targets": {"service_level": 0.85, "csat_pct": 0.90, "answer_rate": 0.97, "qa_score": 88},
         "channel_targets": {"phone": {"asa": 12}, "chat": {"asa": 30}},
         "sla_seconds": {"phone": 15, "chat": 40}},
    ),
    ClientSpec(
        "Skyline Mobile", "Skyline", "telecom", 0.22, (0.55, 0.35, 0.10), (11, 11, 10), 1.13, 1.10,
        0.075, 1.2, -0.04,
        {"targets": {"service_level": 0.80, "csat_pct": 0.82, "fcr_rate": 0.72},
         "channel_targets": {"phone": {"asa": 25, "aht": 330}}},
    ),
    ClientSpec(
        "Cartwell Online", "Cartwell", "e-commerce", 0.20, (0.22, 0.63, 0.15), (10, 10, 10), 1.0, 0.9,
        0.065, 1.0, 0.0,
        {"targets": {"service_level": 0.80, "csat_pct": 0.85, "complaint_feedback_hours": 12},
         "channel_targets": {"chat": {"asa": 30, "aht": 420}},
         "sla_seconds": {"chat": 45}},
    ),
    ClientSpec(
        "Aurora Airways", "Aurora", "airline", 0.12, (0.55, 0.25, 0.20), (9, 9), 1.07, 1.10,
        0.07, 1.3, -0.02,
        {"targets": {"service_level": 0.75, "csat_pct": 0.83},
         "channel_targets": {"phone": {"asa": 30}, "email": {"asa": 6 * 3600}},
         "sla_seconds": {"phone": 30, "email": 12 * 3600}},
    ),
    ClientSpec(
        "Evergreen Mutual", "Evergreen", "insurance", 0.08, (0.50, 0.20, 0.30), (10,), 0.95, 1.18,
        0.06, 1.4, 0.01,
        {"targets": {"service_level": 0.80, "csat_pct": 0.88, "resolution_rate": 0.92},
         "sla_seconds": {"email": 24 * 3600}},
    ),
    ClientSpec(
        "Brightline Power", "Brightline", "utility", 0.08, (0.68, 0.14, 0.18), (9,), 1.0, 0.95,
        0.06, 1.0, 0.0,
        {"targets": {"service_level": 0.80, "csat_pct": 0.80, "abandon_rate": 0.06},
         "channel_targets": {"phone": {"asa": 25}}},
    ),
    ClientSpec(
        "Nebula Games", "Nebula", "gaming", 0.07, (0.05, 0.65, 0.30), (8,), 1.10, 0.85,
        0.05, 0.9, -0.01,
        {"targets": {"service_level": 0.85, "csat_pct": 0.86},
         "channel_targets": {"chat": {"asa": 40}},
         "sla_seconds": {"chat": 90}},
    ),
    ClientSpec(
        "Velocar Motors", "Velocar", "automotive", 0.06, (0.48, 0.22, 0.30), (8,), 0.92, 1.05,
        0.055, 1.1, 0.02,
        {"targets": {"csat_pct": 0.90, "fcr_rate": 0.78},
         "channel_targets": {"phone": {"asa": 20, "aht": 360}}},
    ),
)  # fmt: skip

DEPARTMENTS = (
    ("customer_service", "客服部"),
    ("gm_office", "总经理办公室"),
    ("technical", "技术部"),
    ("hr", "人力资源部"),
    ("finance", "财务部"),
)
# The clients' departments that complaints and suggestions are routed to, with their Chinese names
# (the dashboards show a department by the name the org gives it).
ROUTED_DEPARTMENTS = (
    ("billing", "账务部"),
    ("operations", "运营部"),
    ("risk", "风控部"),
    ("network", "网络部"),
    ("sales", "销售部"),
    ("logistics", "物流部"),
    ("product", "产品部"),
    ("ground_services", "地面服务部"),
    ("it", "信息技术部"),
    ("claims", "理赔部"),
    ("trust_safety", "安全与信任部"),
    ("aftersales", "售后服务部"),
)

PAY_GRADES = (
    ("G1", 4500, 1200),
    ("G2", 5200, 1500),
    ("G3", 6000, 1800),
    ("G4", 7200, 2200),
    ("G5", 9000, 3000),
    ("G6", 12000, 4500),
)

# Office and floor staff outside the teams: department, position, grade, how many.
OFFICE = (
    ("gm_office", "manager", "G6", 1),
    ("gm_office", "staff", "G4", 1),
    ("hr", "manager", "G5", 1),
    ("hr", "staff", "G3", 2),
    ("finance", "manager", "G5", 1),
    ("finance", "staff", "G3", 1),
    ("technical", "manager", "G5", 1),
    ("technical", "staff", "G4", 2),
    ("customer_service", "manager", "G5", 1),
    ("customer_service", "qa", "G3", 6),
    ("customer_service", "trainer", "G4", 2),
)

# The year's new-hire classes: (day of the year they start, teams by index), in id order.
COHORTS = (
    (20, (5, 6, 2)),
    (75, (0, 8, 3)),
    (130, (4, 10, 11, 7)),
    (190, (9, 12, 1)),
    (250, (13, 2, 5)),
    (300, (0, 6)),
)
# Agents who leave during the year: (team index, position in the team).
LEAVERS = ((0, 5), (2, 3), (3, 7), (5, 2), (6, 8), (8, 4), (10, 6), (11, 1), (13, 3))
WEAK_AGENT = (4, 4)  # team index, position: the agent graded D twice
# Agents in a slump that a coaching session ends (team index, position): each scores
# `COACHING_LIFT` points lower for `SLUMP_DAYS` days before the session, and as before after it.
COACHED_SLOTS = ((1, 0), (3, 1), (5, 0), (7, 2), (9, 0), (12, 2))
COACHING_LIFT = 8.0
SLUMP_DAYS = 45
SLOW_TRAINING_TEAM = 4  # Skyline 3

ONBOARDING = "New-hire onboarding"
ONBOARDING_PASS = 80.0
# Evergreen in-service courses: name, hours, has a quiz.
IN_SERVICE = (
    ("Complaint handling and de-escalation", 3.0, True),
    ("Active listening and empathy", 2.0, True),
    ("Data privacy and PIPL basics", 2.0, True),
    ("Written communication for chat and email", 2.5, True),
    ("Handling abusive customers", 2.0, True),
    ("CRM and ticketing system refresher", 1.5, True),
    ("Service recovery and callbacks", 2.0, True),
    ("Compliance and recording rules", 1.5, True),
    ("Accurate answers: knowledge-base search", 2.0, True),
    ("Avoiding false promises", 2.0, True),
    ("Stress management workshop", 2.0, False),
    ("Quality findings huddle", 1.0, False),
    ("Time management on the floor", 1.5, False),
    ("Peer coaching workshop", 3.0, False),
)

# Categories per industry and type: (category, weight, department a complaint/suggestion goes to).
_CONSULT = {
    "banking": (("account", 25), ("card", 22), ("transfer", 15), ("loan", 12), ("online_banking", 14),
                ("fees", 8), ("fraud", 4)),
    "telecom": (("billing", 30), ("plan", 22), ("network", 15), ("device", 8), ("roaming", 7),
                ("broadband", 12), ("number_transfer", 6)),
    "e-commerce": (("order_status", 26), ("delivery", 22), ("returns", 18), ("refund", 14),
                   ("payment", 8), ("product_info", 8), ("account", 4)),
    "airline": (("booking", 25), ("change_cancel", 22), ("baggage", 14), ("check_in", 12),
                ("refund", 10), ("loyalty", 10), ("special_assistance", 7)),
    "insurance": (("policy_info", 25), ("claims", 30), ("premium", 15), ("renewal", 15), ("coverage", 15)),
    "utility": (("billing", 35), ("meter_reading", 15), ("outage", 20), ("move_in_out", 15), ("payment", 15)),
    "gaming": (("account", 25), ("payment", 20), ("bug_report", 20), ("gameplay", 20), ("ban_appeal", 15)),
    "automotive": (("service_booking", 25), ("warranty", 20), ("recall", 10), ("parts", 15),
                   ("financing", 10), ("connected_car", 20)),
}  # fmt: skip
_OWN = (("service_attitude", 12, "customer_service"), ("wait_time", 12, "customer_service"))
_COMPLAINT = {
    "banking": (("fees", 25, "billing"), ("transaction_error", 20, "operations"), ("card", 15, "operations"),
                ("fraud", 10, "risk")),
    "telecom": (("billing_error", 35, "billing"), ("network", 25, "network"),
                ("plan_misselling", 15, "sales")),
    "e-commerce": (("delivery_delay", 35, "logistics"), ("damaged_item", 15, "logistics"),
                   ("refund_delay", 20, "finance"), ("product_quality", 15, "product")),
    "airline": (("delay_cancellation", 30, "operations"), ("baggage", 20, "ground_services"),
                ("refund_delay", 20, "finance"), ("booking_error", 10, "it")),
    "insurance": (("claim_delay", 35, "claims"), ("claim_denied", 25, "claims"), ("premium", 15, "billing")),
    "utility": (("billing_error", 35, "billing"), ("outage", 30, "operations"), ("meter", 10, "operations")),
    "gaming": (("payment_issue", 30, "billing"), ("ban", 20, "trust_safety"), ("bug", 30, "product")),
    "automotive": (("repair_quality", 30, "aftersales"), ("parts_delay", 25, "logistics"),
                   ("warranty_denied", 20, "aftersales")),
}  # fmt: skip
_SUGGESTION = (
    ("product_idea", 35, "product"),
    ("app_website", 30, "it"),
    ("service_process", 20, "customer_service"),
    ("pricing", 15, "billing"),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN_1 = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉玲鹏华飞婷慧琳颖欣晨浩宇鑫博雪倩莉斌凯琪悦"
GIVEN_2 = (
    "秀英", "桂英", "秀兰", "玉兰", "建华", "建国", "志强", "海燕", "晓东", "子涵",
    "欣怡", "梓萱", "浩然", "宇轩", "思远", "雨桐", "佳怡", "俊杰", "晓明", "丽娟",
    "文静", "晓燕", "春梅", "志伟", "家豪", "天宇", "嘉怡", "一鸣", "若曦", "诗涵",
    "明轩", "子墨", "雅婷", "晓丽", "国强", "海涛", "丹丹", "慧敏", "立新", "佳琪",
)  # fmt: skip

CRITERION_COMMENTS = {
    "attitude": ("语气生硬,缺少礼貌用语", "未安抚客户情绪"),
    "responsiveness": ("响应不及时,客户等待过久", "超时未回复客户"),
    "accuracy": ("业务解答错误,未核实信息", "答复不完整,遗漏关键信息"),
    "communication": ("表达不清晰,重复确认过多", "未确认客户问题即结束会话"),
    "compliance": ("未按规范核验客户身份", "未按流程记录工单"),
}
CRITICAL_COMMENTS = {
    "abusive_language": "对客户使用不当言辞",
    "privacy_breach": "未核验身份即透露账户信息",
    "false_promise": "承诺了无法兑现的补偿",
}
ACTION_NOTES = {
    "coaching": "主管一对一辅导并复听录音",
    "training": "安排专项复训",
    "script_change": "修订相关话术并组织学习",
}


# -- the fixed layout (no randomness: these ids hold for every seed) ---------------------------


def _team_names() -> list[tuple[str, int]]:
    """(team name, client index) in team-index order."""
    return [(f"{c.short} {i + 1}", ci) for ci, c in enumerate(CLIENTS) for i in range(len(c.teams))]


def _layout() -> list[dict]:
    """Every employee in id order with their fixed attributes (role, team, cohort, planted role)."""
    rows: list[dict] = []
    for dept, position, grade, n in OFFICE:
        rows += [{"department": dept, "position": position, "grade": grade, "team": None} for _ in range(n)]
    teams = _team_names()
    for ti, _ in enumerate(teams):
        rows.append({"department": "customer_service", "position": "supervisor", "grade": "G4", "team": ti})
    sizes = [n for c in CLIENTS for n in c.teams]
    for ti, size in enumerate(sizes):
        for k in range(size):
            rows.append(
                {"department": "customer_service", "position": "agent", "grade": None, "team": ti,
                 "slot": (ti, k), "cohort": None}
            )  # fmt: skip
    for ci, (_, cohort_teams) in enumerate(COHORTS):
        for k, ti in enumerate(cohort_teams):
            rows.append(
                {"department": "customer_service", "position": "agent", "grade": "G1", "team": ti,
                 "slot": None, "cohort": (ci, k)}
            )  # fmt: skip
    for i, row in enumerate(rows):
        row["number"] = i + 1
        row["employee_id"] = f"E{i + 1:05d}"
        row["planted"] = None
        if row.get("slot") in LEAVERS:
            row["planted"] = "leaver"
        if row.get("slot") == WEAK_AGENT:
            row["planted"] = "weak"
        if row.get("cohort") in ((1, 0), (3, 0)):
            row["planted"] = "early_go_live"
        if row.get("cohort") == (2, 0):
            row["planted"] = "never_passed"
        if row.get("cohort") == (4, 2):
            row["planted"] = "failed_left"
        if row.get("slot") in COACHED_SLOTS:
            row["planted"] = "coached"
    return rows


def _ids(kind: str) -> tuple[str, ...]:
    return tuple(r["employee_id"] for r in _layout() if r["planted"] == kind)


EARLY_GO_LIVE: tuple[str, ...] = _ids("early_go_live")
NEVER_PASSED: str = _ids("never_passed")[0]
FAILED_ONBOARDING_LEFT: str = _ids("failed_left")[0]
TWO_QUARTERS_D: str = _ids("weak")[0]
_QA_IDS: tuple[str, ...] = tuple(r["employee_id"] for r in _layout() if r["position"] == "qa")
HARSH_AUDITOR: str = _QA_IDS[1]
LENIENT_AUDITOR: str = _QA_IDS[4]
OVERDUE_OPEN_ACTIONS = 5
CALIBRATION_SETS = 12
CALIBRATION_NOISE = 2.0  # points: how far the auditors of a calibration set differ, lean aside
COACHED: tuple[str, ...] = _ids("coached")


def coaching_day(end: dt.date, employee_id: str) -> dt.date:
    """The day the coaching session of a `COACHED` agent is held: the i-th 50 + 6·i days before
    `end`, so the 30 days after it are within the data."""
    return end - dt.timedelta(days=50 + 6 * COACHED.index(employee_id))


# -- the policy ----------------------------------------------------------------------------------


DEMO_PASSWORD = "demo"


def _demo_accounts(wh) -> None:
    """One account per role, password `demo`; the supervisor has the first client's teams and
    the client account sees that client alone; the QA, supervisor and HR accounts are linked to
    an employee of that position."""
    from csdata.access.auth import ROLES, add_user

    client = CLIENTS[0].name
    teams = tuple(wh.column("SELECT name FROM teams WHERE client = ? ORDER BY name", [client]))
    # The person behind each internal account: the QA lead audits, the first team's supervisor
    # supervises, an HR clerk reviews.
    people = {
        "qa": _QA_IDS[0],
        "supervisor": wh.scalar("SELECT supervisor_id FROM teams WHERE name = ?", [teams[0]]),
        "hr": wh.scalar(
            "SELECT min(employee_id) FROM employees WHERE department = 'hr' AND position = 'manager'"
        ),
    }
    for role in ROLES:
        add_user(
            wh,
            ACTOR,
            role,
            role,
            DEMO_PASSWORD,
            clients=(client,) if role == "client" else (),
            teams=teams if role == "supervisor" else (),
            employee_id=people.get(role),
            check=False,  # the demo password is short on purpose
        )


# What each client pays (per handled ticket by channel, per agent-hour, or a monthly fee; yuan)
# and its monthly cost budget: prices that earn the demo's clients 15–30 % over the pay of the
# people on their tickets, and a budget Skyline Mobile's cost passes in its busiest months.
PRICES: dict[str, dict] = {
    "Harbor Trust Bank": {"pricing": {"model": "per_ticket", "ticket_prices": {"phone": 64, "chat": 52, "email": 58}},
                          "monthly_budget": 200_000},
    "Skyline Mobile": {"pricing": {"model": "per_hour", "hour_price": 460}, "monthly_budget": 240_000},
    "Cartwell Online": {"pricing": {"model": "per_ticket", "ticket_prices": {"phone": 58, "chat": 56, "email": 52}},
                        "monthly_budget": 250_000},
    "Aurora Airways": {"pricing": {"model": "per_hour", "hour_price": 450}, "monthly_budget": 155_000},
    "Evergreen Mutual": {"pricing": {"model": "monthly_fee", "monthly_fee": 98_000}, "monthly_budget": 85_000},
    "Brightline Power": {"pricing": {"model": "per_ticket", "ticket_prices": {"phone": 44, "chat": 40, "email": 42}},
                         "monthly_budget": 72_000},
    "Nebula Games": {"pricing": {"model": "monthly_fee", "monthly_fee": 82_000}, "monthly_budget": 72_000},
    "Velocar Motors": {"pricing": {"model": "per_hour", "hour_price": 320}, "monthly_budget": 65_000},
}  # fmt: skip


def sample_policy(start: dt.date) -> Policy:
    """The default policy plus each client's contract (targets, thresholds, `PRICES`), in force
    from before the data starts."""
    policy = default_policy()
    policy.effective_from = dt.date(start.year - 1, 1, 1)
    policy.contracts = [Contract(client=c.name, **c.contract, **PRICES[c.name]) for c in CLIENTS]
    return Policy.model_validate(policy.model_dump())


# -- helpers -------------------------------------------------------------------------------------


def _epoch(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days * 86400


def _quarters(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    y, q = start.year, (start.month - 1) // 3 + 1
    while True:
        q_start = dt.date(y, 3 * q - 2, 1)
        if q_start > end:
            return out
        q_end = (dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)) - dt.timedelta(days=1)
        out.append((f"{y}-Q{q}", q_start, q_end))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)


def _lognormal(rng: np.random.Generator, median, sigma, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


_CNY = {
    2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10), 2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6), 2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
}  # fmt: skip


# -- the roster ----------------------------------------------------------------------------------


def _names(rng: np.random.Generator, n: int) -> list[str]:
    weights = np.linspace(3.0, 0.4, len(SURNAMES))
    weights /= weights.sum()
    seen: set[str] = set()
    out = []
    while len(out) < n:
        surname = SURNAMES[rng.choice(len(SURNAMES), p=weights)]
        given = (
            GIVEN_2[rng.integers(len(GIVEN_2))]
            if rng.random() < 0.55
            else GIVEN_1[rng.integers(len(GIVEN_1))]
        )
        name = surname + given
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


@dataclass
class _Roster:
    employees: pd.DataFrame  # the employees table
    rows: list[dict]  # the same, as dicts (None stays None)
    onboarding: pd.DataFrame  # training_results rows of kind onboarding
    skill: np.ndarray  # by employee number: general ability, standard normal
    speed: np.ndarray  # by employee number: handle-time factor
    weight: np.ndarray  # by employee number: share of the team's contacts
    live_from: np.ndarray  # by employee number: first day (index in the year) on tickets
    live_to: np.ndarray  # by employee number: first day no longer on tickets
    team_of: np.ndarray  # by employee number: team index, -1 none
    teams: pd.DataFrame


def _roster(rng: np.random.Generator, start: dt.date, end: dt.date) -> _Roster:
    layout = _layout()
    n = len(layout)
    names = _names(rng, n)
    team_names = _team_names()
    supervisors = {r["team"]: r["employee_id"] for r in layout if r["position"] == "supervisor"}
    size = n + 1
    skill = np.zeros(size)
    speed = np.ones(size)
    weight = np.zeros(size, dtype=np.int64)
    live_from = np.full(size, DAYS + 1, dtype=np.int64)
    live_to = np.zeros(size, dtype=np.int64)
    team_of = np.full(size, -1, dtype=np.int64)
    rows, onboarding = [], []

    def sat(eid: str, day: dt.date, score: float, attempt: int) -> None:
        onboarding.append(
            {"employee_id": eid, "course": ONBOARDING, "kind": "onboarding", "taken_on": day,
             "score": float(score), "hours": 40.0 if attempt == 1 else 8.0, "attempt": attempt}
        )  # fmt: skip

    def passing() -> float:
        return float(min(99, max(ONBOARDING_PASS, round(rng.normal(87, 5)))))

    def failing(lo: int = 60) -> float:
        return float(rng.integers(lo, int(ONBOARDING_PASS)))

    for r, name in zip(layout, names, strict=True):
        eid, num, pos, ti = r["employee_id"], r["number"], r["position"], r["team"]
        client = CLIENTS[team_names[ti][1]].name if ti is not None else None
        status, left_on, go_live = "active", None, None
        cohort = r.get("cohort")
        if cohort is not None:
            hire = start + dt.timedelta(days=COHORTS[cohort[0]][0])
        elif pos == "agent":
            hire = start - dt.timedelta(days=int(30 + min(rng.exponential(650), 3300)))
        elif pos in ("supervisor", "manager", "trainer"):
            hire = start - dt.timedelta(days=int(rng.integers(900, 3600)))
        else:
            hire = start - dt.timedelta(days=int(rng.integers(300, 3000)))
        grade = r["grade"]
        if grade is None:
            tenure = (start - hire).days
            grade = "G1" if tenure < 365 else "G2" if tenure < 3 * 365 else "G3"

        if r["department"] == "customer_service":
            first = hire + dt.timedelta(days=int(rng.integers(9, 13)))
            planted = r["planted"]
            if planted == "early_go_live":
                sat(eid, first, failing(70), 1)
                go_live = hire + dt.timedelta(days=14)
                sat(eid, go_live + dt.timedelta(days=int(rng.integers(18, 26))), passing(), 2)
            elif planted == "never_passed":
                sat(eid, first, failing(64), 1)
                sat(eid, first + dt.timedelta(days=7), failing(72), 2)
                go_live = first + dt.timedelta(days=9)
            elif planted == "failed_left":
                for attempt in (1, 2, 3):
                    sat(eid, first + dt.timedelta(days=6 * (attempt - 1)), failing(), attempt)
                status, left_on = "left", first + dt.timedelta(days=14)
            else:
                attempt, day = 1, first
                while rng.random() < (0.2 if cohort is not None else 0.1) and attempt < 3:
                    sat(eid, day, failing(), attempt)
                    attempt, day = attempt + 1, day + dt.timedelta(days=int(rng.integers(4, 8)))
                sat(eid, day, passing(), attempt)
                go_live = day + dt.timedelta(days=int(rng.integers(1, 4)))
        if r["planted"] == "leaver":
            status, left_on = "left", start + dt.timedelta(days=int(rng.integers(30, 340)))

        if pos == "agent":
            skill[num] = rng.normal(-0.3, 0.9) if cohort is not None else rng.normal(0, 1)
            if r["planted"] == "weak":
                skill[num] = -2.6
            speed[num] = math.exp(rng.normal(0, 0.12) - 0.03 * skill[num])
            weight[num] = rng.choice([2, 3, 3, 4])
            team_of[num] = ti
            if go_live is not None:
                live_from[num] = max(0, (go_live - start).days)
                live_to[num] = DAYS if left_on is None else min(DAYS, (left_on - start).days)
        elif ti is not None:
            team_of[num] = ti
        rows.append(
            {"employee_id": eid, "name": name, "department": r["department"],
             "team": team_names[ti][0] if ti is not None else None, "client": client,
             "position": pos, "grade": grade, "hire_date": hire, "go_live_date": go_live,
             "status": status, "left_on": left_on}
        )  # fmt: skip

    teams = pd.DataFrame(
        [
            {
                "name": tn,
                "department": "customer_service",
                "client": CLIENTS[ci].name,
                "supervisor_id": supervisors[ti],
            }
            for ti, (tn, ci) in enumerate(team_names)
        ]
    )
    employees = pd.DataFrame(rows)
    return _Roster(
        employees=employees,
        rows=rows,
        onboarding=pd.DataFrame(onboarding),
        skill=skill,
        speed=speed,
        weight=weight,
        live_from=live_from,
        live_to=live_to,
        team_of=team_of,
        teams=teams,
    )


# -- the ticket model ----------------------------------------------------------------------------

# Arrivals by hour of day (phone, chat, email); normalised below.
_HOURS = np.array(
    [
        [.15, .08, .05, .04, .04, .08, .25, .6, 1.3, 2.2, 2.6, 2.5, 1.8, 1.7, 2.3, 2.4, 2.2, 1.8, 1.3, 1.1, .95, .75, .5, .3],
        [.3, .15, .08, .06, .06, .1, .25, .55, 1.1, 1.9, 2.3, 2.3, 1.9, 1.8, 2.1, 2.2, 2.0, 1.8, 1.6, 1.6, 1.5, 1.2, .9, .55],
        [.4, .3, .25, .2, .2, .3, .5, .8, 1.3, 1.6, 1.6, 1.5, 1.3, 1.3, 1.4, 1.4, 1.3, 1.2, 1.0, .9, .8, .7, .6, .5],
    ]
)  # fmt: skip
_WEEK = np.array([1.12, 1.05, 1.0, 1.0, 0.98, 0.72, 0.65])  # Monday first
_WAIT_MEDIAN = np.array([6.5, 20.0, 2.2 * 3600])  # seconds, at pressure 1
_WAIT_SIGMA = np.array([1.0, 0.9, 0.75])
_ABANDON = np.array([0.032, 0.028, 0.004])
_HANDLE_MEDIAN = np.array([250.0, 410.0, 730.0])
_RESOLVE = np.array([0.95, 0.94, 0.92])
_FCR = np.array([0.86, 0.84, 0.75])
_CSAT_RESPONSE = np.array([0.30, 0.42, 0.20])
_TYPE_HANDLE = np.array([1.0, 1.55, 0.85])
_WAIT_EXP = 2.2  # how steeply waits and abandonment grow with pressure
_SLA = np.array([20.0, 60.0, 8 * 3600.0])  # the default thresholds: CSAT falls beyond them


def _daily(start: dt.date, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Volume factor and pressure factor per client and day of the year."""
    dates = [start + dt.timedelta(days=d) for d in range(DAYS)]
    weekday = np.array([d.weekday() for d in dates])
    month = np.array([d.month for d in dates])
    dom = np.array([d.day for d in dates])
    trend = 1 + 0.08 * np.arange(DAYS) / DAYS

    def md(m: int, d: int) -> np.ndarray:
        return (month == m) & (dom == d)

    def around(day: dt.date, before: int, after: int) -> np.ndarray:
        off = np.array([(x - day).days for x in dates])
        return (off >= -before) & (off <= after)

    cny = np.zeros(DAYS, dtype=bool)
    cny_travel = np.zeros(DAYS, dtype=bool)
    for year in {d.year for d in dates}:
        if year in _CNY:
            cny |= around(_CNY[year], 3, 6)
            cny_travel |= around(_CNY[year], 20, 8)
    golden_week = (month == 10) & (dom <= 7)

    volume = np.empty((len(CLIENTS), DAYS))
    event = np.ones((len(CLIENTS), DAYS))
    for ci, c in enumerate(CLIENTS):
        week = _WEEK.copy()
        e = np.ones(DAYS)
        if c.industry == "gaming":
            week = np.array([0.9, 0.9, 0.9, 0.95, 1.05, 1.3, 1.3])
            e[md(7, 15)] = 2.2
            e[md(7, 16)] = 1.6
            e[(month == 12) & (dom >= 24) | (month == 1) & (dom <= 2)] = 1.3
        elif c.industry == "e-commerce":
            week = np.array([1.05, 1.0, 1.0, 1.0, 1.0, 0.92, 0.9])
            e[(month == 11) & (dom >= 13) & (dom <= 20)] = 1.4
            e[md(11, 10)], e[md(11, 11)], e[md(11, 12)] = 2.0, 4.5, 2.8
            e[md(6, 17)], e[md(6, 18)], e[md(6, 19)] = 1.8, 2.6, 1.6
            e[md(12, 12)] = 1.6
        elif c.industry == "airline":
            e[cny_travel] = 1.35
            e[(month == 7) | (month == 8)] = 1.2
            e[golden_week | (month == 9) & (dom >= 28)] = 1.3
        elif c.industry == "utility":
            e[(month == 12) | (month <= 2)] = 1.2
            e[(month == 7) | (month == 8)] = 1.15
        elif c.industry == "banking":
            e[(dom <= 3) | (dom >= 28)] = 1.15
        elif c.industry == "telecom":
            e[dom <= 5] = 1.2
        elif c.industry == "insurance":
            e[(month == 8) | (month == 9)] = 1.15
        elif c.industry == "automotive":
            e[(month == 3) | (month == 4)] = 1.1
            e[(month == 4) & (dom >= 20)] = 1.6  # a recall campaign
        quiet = np.ones(DAYS)
        if c.industry not in ("airline", "gaming"):
            quiet[cny] = 0.55
        if c.industry in ("banking", "insurance", "utility", "telecom", "automotive"):
            quiet[golden_week] = 0.7
        # A few bad days per client: a system outage or an unplanned surge.
        incident = np.ones(DAYS)
        incident[rng.choice(DAYS, 3, replace=False)] = rng.uniform(1.3, 1.7, 3)
        volume[ci] = c.share * week[weekday] * trend * e * quiet * incident
        event[ci] = c.pressure * np.maximum(e * incident, 1.0) ** 0.45 * rng.lognormal(0, 0.04, DAYS)
    return volume, event


@dataclass
class _Model:
    """Everything a ticket chunk needs, computed once per build."""

    seed: int
    start_s: int  # epoch seconds of the first day
    end_s: int  # epoch seconds just after the last day
    counts: np.ndarray  # (hours, 24 cells = client x channel) tickets per cell
    pressure: np.ndarray  # same shape
    slots: np.ndarray  # (client, day, k) employee numbers (int64), repeated by weight
    slot_n: np.ndarray  # (client, day)
    skill: np.ndarray
    speed: np.ndarray
    live_from: np.ndarray
    team_of: np.ndarray  # by employee number: team index, -1 none
    teams: list[str]  # team names by index
    handle: np.ndarray  # per client
    complaint: np.ndarray  # per client
    feedback_speed: np.ndarray
    accept_adj: np.ndarray
    cat_cdf: np.ndarray  # flat: (client * 3 + type) + cumulative share, ascending
    cat_code: np.ndarray  # flat, same positions -> index into categories
    categories: list[str]
    cat_dept: np.ndarray  # category index -> department index, -1 none
    departments: list[str]
    csat_base: float


def _model(seed: int, tickets: int, start: dt.date, end: dt.date, roster: _Roster) -> _Model:
    rng = np.random.default_rng([seed, 2])
    volume, event = _daily(start, rng)
    nc = len(CLIENTS)
    hours = np.tile(_HOURS, (nc, 1, 1))  # client, channel, hour of day
    gaming = [i for i, c in enumerate(CLIENTS) if c.industry == "gaming"]
    hours[gaming, :, 19:24] *= 1.8
    hours[gaming, :, 0:2] *= 1.5
    hours /= hours.mean(axis=2, keepdims=True)
    mix = np.array([c.mix for c in CLIENTS])
    # weights[day, hour, client, channel]
    w = volume.T[:, None, :, None] * hours.transpose(2, 0, 1)[None, :, :, :] * mix[None, None, :, :]
    w = w.reshape(DAYS * 24, nc * 3)
    counts = rng.multinomial(tickets, (w / w.sum()).ravel()).reshape(w.shape)
    # Staffing follows the forecast, but not all the way: peaks and events still stretch the floor.
    open_mean = np.array([[h[h >= 0.5].mean() for h in ch] for ch in hours])
    hour_p = np.clip((hours / open_mean[:, :, None]) ** 0.3, 0.75, None)  # client, channel, hour
    pressure = event.T[:, None, :, None] * hour_p.transpose(2, 0, 1)[None, :, :, :]
    pressure = pressure.reshape(DAYS * 24, nc * 3)

    # Who answers: each client's live agents, each repeated by their weight.
    client_of_team = np.array([ci for _, ci in _team_names()])
    agents = np.nonzero(roster.weight)[0]
    per_day: list[list[np.ndarray]] = []
    width = 1
    for ci in range(nc):
        mine = agents[client_of_team[roster.team_of[agents]] == ci]
        days = []
        for d in range(DAYS):
            live = mine[(roster.live_from[mine] <= d) & (d < roster.live_to[mine])]
            if live.size == 0:
                raise RuntimeError(f"no live agent for {CLIENTS[ci].name} on day {d}")
            days.append(np.repeat(live, roster.weight[live]))
            width = max(width, days[-1].size)
        per_day.append(days)
    slots = np.zeros((nc, DAYS, width), dtype=np.int64)
    slot_n = np.zeros((nc, DAYS), dtype=np.int64)
    for ci in range(nc):
        for d in range(DAYS):
            s = per_day[ci][d]
            slots[ci, d, : s.size] = s
            slot_n[ci, d] = s.size

    categories: list[str] = []
    departments: list[str] = []
    cat_dept: dict[str, int] = {}

    def code(cat: str, dept: str | None) -> int:
        if cat not in categories:
            categories.append(cat)
        if dept is not None:
            if dept not in departments:
                departments.append(dept)
            cat_dept.setdefault(cat, departments.index(dept))
        return categories.index(cat)

    k = 10
    cat_cdf = np.ones((nc, 3, k))
    cat_code = np.zeros((nc, 3, k), dtype=np.int64)
    for ci, c in enumerate(CLIENTS):
        lists = (
            [(cat, wgt, None) for cat, wgt in _CONSULT[c.industry]],
            list(_COMPLAINT[c.industry]) + list(_OWN),
            list(_SUGGESTION),
        )
        for ty, items in enumerate(lists):
            weights = np.array([x[1] for x in items], dtype=float)
            cat_cdf[ci, ty, : len(items)] = np.cumsum(weights) / weights.sum()
            cat_cdf[ci, ty, len(items) - 1 :] = 1.0
            for j, (cat, _, dept) in enumerate(items):
                cat_code[ci, ty, j] = code(cat, dept)
            cat_code[ci, ty, len(items) :] = cat_code[ci, ty, len(items) - 1]
    dept_of = np.full(len(categories), -1, dtype=np.int64)
    for cat, di in cat_dept.items():
        dept_of[categories.index(cat)] = di

    return _Model(
        seed=seed,
        start_s=_epoch(start),
        end_s=_epoch(end) + 86400,
        counts=counts,
        pressure=pressure,
        slots=slots,
        slot_n=slot_n,
        skill=roster.skill,
        speed=roster.speed,
        live_from=roster.live_from,
        team_of=roster.team_of,
        teams=[name for name, _ in _team_names()],
        handle=np.array([c.handle for c in CLIENTS]),
        complaint=np.array([c.complaint_rate for c in CLIENTS]),
        feedback_speed=np.array([c.feedback_speed for c in CLIENTS]),
        accept_adj=np.array([c.accept_adj for c in CLIENTS]),
        cat_cdf=(cat_cdf + np.arange(nc * 3).reshape(nc, 3, 1)).ravel(),
        cat_code=cat_code.ravel(),
        categories=categories,
        cat_dept=dept_of,
        departments=departments,
        csat_base=4.75,
    )


def _chunk(m: _Model, k: int, h0: int, h1: int, id0: int):
    """Tickets opened in hours [h0, h1) as a frame of codes and epoch seconds, plus audit picks.

    Times are seconds since the first day until the frame is built. Fields only some tickets have
    (a complaint's workflow, a callback, a rating, a later resolution) are drawn for those
    tickets only, which keeps a million-row chunk well under a second.
    """
    rng = np.random.default_rng([m.seed, 3, k])

    def uniform(size: int) -> np.ndarray:
        return rng.random(size, dtype=np.float32)

    def normal(size: int) -> np.ndarray:
        return rng.standard_normal(size, dtype=np.float32)

    last = m.end_s - m.start_s  # nothing happens at or after this second
    counts = m.counts[h0:h1].ravel()
    cell = np.repeat(np.arange(counts.size, dtype=np.int32), counts)
    n = cell.size
    local = (cell // 24) * 3600 + rng.integers(0, 3600, n, dtype=np.int32)
    order = np.argsort(local, kind="stable")  # ticket ids follow opening time
    cell, local = cell[order], local[order]
    opened = h0 * 3600 + local.astype(np.int64)
    day = opened // 86400
    cl = (cell % 24) // 3
    ch = cell % 3
    press = m.pressure[h0:h1].ravel()[cell]
    strain = press**_WAIT_EXP
    email = ch == EMAIL

    # Type, and whether anyone answered (abandonment grows with pressure; emails nearly never).
    u = uniform(n)
    p_complaint = m.complaint[cl] * np.minimum(press, 2.0) ** 0.8
    ty = np.where(u < p_complaint, COMPLAINT, np.where(u < p_complaint + 0.02, SUGGESTION, CONSULT))
    answered = uniform(n) >= np.minimum(_ABANDON[ch] * np.where(email, 1.0, strain), 0.45)

    # Waiting time: lognormal, stretched by pressure; an email that arrives out of hours waits for
    # the morning shift.
    wait = _WAIT_MEDIAN[ch] * np.where(email, press, strain) * np.exp(_WAIT_SIGMA[ch] * normal(n))
    e = np.flatnonzero(email)
    secs = opened[e] % 86400
    night = (secs < 8 * 3600) | (secs >= 21 * 3600)
    to_morning = np.where(secs < 8 * 3600, 8 * 3600 - secs, 86400 - secs + 8 * 3600)
    wait[e] = np.where(night, to_morning + 0.4 * wait[e], wait[e])
    wait = np.maximum(np.rint(wait), np.where(ch == PHONE, 2, 3)).astype(np.int64)
    first = opened + wait
    answered &= first < last  # a reply due after the last day has not happened yet
    ty[~answered] = CONSULT  # an abandoned contact is never classified
    consult, complaint, suggestion = ty == CONSULT, ty == COMPLAINT, ty == SUGGESTION
    a = np.flatnonzero(answered)

    # The agent: one of the client's agents live that day, by weight. The ticket was offered to
    # that agent's team's queue, answered or not: an abandoned ticket keeps the team, not the agent.
    ag = m.slots[cl, day, (uniform(n) * m.slot_n[cl, day]).astype(np.int64)]
    team = m.team_of[ag]
    ag[~answered] = 0
    skill = m.skill[ag]
    ramp = 1 + 0.35 * np.exp(-np.maximum(day - m.live_from[ag], 0) / 25)
    handle = (
        _HANDLE_MEDIAN[ch] * m.handle[cl] * m.speed[ag] * _TYPE_HANDLE[ty] * ramp * np.exp(0.45 * normal(n))
    )
    handle = np.maximum(np.rint(handle), 15).astype(np.int64)
    handled = first + handle

    # Consultations and suggestions: resolved, at first contact or after a follow-up.
    p_res = np.where(suggestion, 0.98, np.clip(_RESOLVE[ch] + 0.025 * skill, 0.5, 0.995))
    resolved = answered & ~complaint & (uniform(n) < p_res)
    p_fcr = np.where(suggestion, 0.9, np.clip(_FCR[ch] + 0.03 * skill, 0.3, 0.97))
    fcr = resolved & (uniform(n) < p_fcr)
    resolved_at = handled.copy()
    later = np.flatnonzero(resolved & ~fcr)
    resolved_at[later] += _lognormal(rng, 20 * 3600, 1.0, later.size).astype(np.int64)

    # A callback promised for about half the consultations not settled at first contact.
    promised = np.full(n, -1, dtype=np.int64)
    done = np.full(n, -1, dtype=np.int64)
    cb = np.flatnonzero(answered & consult & ~fcr)
    cb = cb[uniform(cb.size) < 0.55]
    base = handled[cb]
    lead = rng.choice(np.array([2, 4, 24, 48]) * 3600, cb.size, p=[0.3, 0.25, 0.3, 0.15])
    prom = (base + lead + 3599) // 3600 * 3600
    outcome = uniform(cb.size)
    back = np.where(
        outcome < 0.86,  # on time; then late; 5 % never called back
        base + ((prom - base) * rng.uniform(0.2, 0.95, cb.size)).astype(np.int64),
        prom + _lognormal(rng, 3 * 3600, 0.8, cb.size).astype(np.int64),
    )
    kept = (outcome < 0.95) & (back < last)
    promised[cb] = prom
    done[cb[kept]] = back[kept]
    settled = cb[kept & resolved[cb]]
    resolved_at[settled] = done[settled]

    # Complaints and suggestions go to a department; complaints come back with a result.
    routed = np.full(n, -1, dtype=np.int64)
    feedback = np.full(n, -1, dtype=np.int64)
    accepted = np.full(n, -1, dtype=np.int8)
    reopened = np.full(n, -1, dtype=np.int8)
    adopted = np.full(n, -1, dtype=np.int8)
    reward = np.zeros(n, dtype=np.int32)
    reopened[answered & complaint] = 0
    cs = np.flatnonzero(answered & ~consult)
    at = handled[cs] + np.minimum(_lognormal(rng, 15 * 60, 1.0, cs.size), 3 * 86400).astype(np.int64)
    cs, at = cs[at < last], at[at < last]
    routed[cs] = at
    is_c = complaint[cs]
    c, c_at = cs[is_c], at[is_c]
    fb = c_at + _lognormal(rng, 16 * 3600 * m.feedback_speed[cl[c]], 0.85, c.size).astype(np.int64)
    fed = (uniform(c.size) >= 0.02) & (fb < last)  # 2 %: never fed back (planted breach)
    acc = fed & (uniform(c.size) < np.clip(0.87 + 0.03 * skill[c] + m.accept_adj[cl[c]], 0.5, 0.98))
    again = uniform(c.size)
    rounds = _rounds(m, k, last, cl, c[fed], fb[fed], acc[fed], again[fed])
    for idx, _, fed_at, _, answer in rounds:  # the ticket's summary: its latest round
        feedback[idx] = fed_at
        accepted[idx] = answer
        reopened[idx[answer == 0]] = 1
        resolved[idx[answer == 1]] = True
        resolved_at[idx[answer == 1]] = fed_at[answer == 1]
    s = cs[~is_c][at[~is_c] < last - 14 * 86400]  # suggestions decided by now
    yes = uniform(s.size) < 0.15
    adopted[s] = yes
    reward[s[yes]] = rng.choice(np.array([100, 200, 300, 500]), int(yes.sum()), p=[0.35, 0.35, 0.2, 0.1])
    resolved &= resolved_at < last  # nothing is resolved after the last day
    fcr &= resolved

    # Category from the client's industry; its department for complaints and suggestions.
    cat = np.full(n, -1, dtype=np.int16)
    j = np.searchsorted(m.cat_cdf, cl[a] * 3 + ty[a] + rng.random(a.size), side="right")
    cat[a] = m.cat_code[np.minimum(j, m.cat_code.size - 1)]
    dept = np.full(n, -1, dtype=np.int16)
    dept[cs] = m.cat_dept[cat[cs]]

    # CSAT: a third or so answer the survey; longer waits and unsettled contacts rate lower.
    r = np.flatnonzero(answered & (uniform(n) < _CSAT_RESPONSE[ch] * np.where(complaint, 1.3, 1.0)))
    rc, rres = complaint[r], resolved[r]
    latent = (
        m.csat_base
        + 0.3 * skill[r]
        - 0.5 * np.maximum(np.log(wait[r] / _SLA[ch[r]]), 0)
        - 1.0 * rc
        - 1.3 * (~rc & ~rres)
        - 0.3 * (rres & ~fcr[r])
        + 0.8 * normal(r.size)
    )
    stars = np.clip(np.rint(latent), 1, 5)
    stars[(stars == 2) & (uniform(r.size) < 0.45)] = 1  # the angry tail: more ones than twos
    csat = np.zeros(n, dtype=np.int8)
    csat[r] = stars

    def ts(rel: np.ndarray) -> np.ndarray:
        return np.where(rel >= 0, rel + m.start_s, -1)

    ids = np.arange(id0 + 1, id0 + n + 1, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "id": ids,
            "cl": cl.astype(np.int8),
            "ch": ch.astype(np.int8),
            "ty": ty.astype(np.int8),
            "ag": ag,
            "opened": opened + m.start_s,
            "fr": np.where(answered, first + m.start_s, -1),
            "ra": np.where(resolved, resolved_at + m.start_s, -1),
            "h": np.where(answered, handle, 0).astype(np.int32),
            "res": np.where(answered, resolved, -1).astype(np.int8),
            "fcr": np.where(answered, fcr, -1).astype(np.int8),
            "csat": csat,
            "cat": cat,
            "dept": dept,
            "routed": ts(routed),
            "fb": ts(feedback),
            "acc": accepted,
            "reop": reopened,
            "cbp": ts(promised),
            "cbd": ts(done),
            "adopt": adopted,
            "reward": reward,
            "tm": team.astype(np.int8),
        }
    )
    rounds_frame = pd.DataFrame(
        {
            "id": np.concatenate([id0 + 1 + r[0] for r in rounds]).astype(np.int64),
            "n": np.concatenate([np.full(r[0].size, r[1], dtype=np.int8) for r in rounds]),
            "fb": np.concatenate([r[2] for r in rounds]) + m.start_s,
            "ans": np.concatenate([ts(r[3]) for r in rounds]),
            "answer": np.concatenate([r[4] for r in rounds]),
        }
    )
    # For the audits: a pseudo-random answered ticket per agent and day (the smallest hash of its
    # id), and one rated 1 or 2; the channel rides along in the packed value.
    key = ((ids[a].astype(np.uint64) + np.uint64(m.seed)) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(37)
    packed = (key.astype(np.int64) << 36) | (ch[a].astype(np.int64) << 34) | ids[a]
    cells = ag[a].astype(np.int64) * DAYS + day[a]
    low = (csat[a] > 0) & (csat[a] <= 2)
    return frame, rounds_frame, (cells, packed, cells[low], packed[low])


# After a reopen: the chance that the department feeds back again (after round 1, after round 2),
# and that the customer accepts that later round. A complaint has at most len(_AGAIN) + 1 rounds.
_AGAIN = (0.75, 0.7)
_LATER_ACCEPT = (0.6, 0.55)


def _rounds(m: _Model, k: int, last: int, cl, idx, fed_at, accepted, again) -> list[tuple]:
    """A complaint's rounds of feedback, each as (ticket indices, round, fed back at, answered at or
    -1, answer: 1 accepted, 0 reopened, -1 awaiting) over the complaints reaching that round.

    Round 1 is the first feedback, whose acceptance (`accepted`) and whether a reopen is fed back
    again (`again`) are drawn with the chunk's other fields; the customer's answer takes hours,
    and a reopened complaint is fed back again about a day later, up to a third round. The later
    rounds draw from a stream of their own, so the rest of the chunk stays as it was."""
    rng = np.random.default_rng([m.seed, 3, k, 1])
    out = []
    for n in range(1, len(_AGAIN) + 2):
        answered_at = fed_at + _lognormal(rng, 3 * 3600, 1.0, idx.size).astype(np.int64)
        answered = answered_at < last
        answer = np.where(answered, accepted, -1).astype(np.int8)
        out.append((idx, n, fed_at, np.where(answered, answered_at, -1), answer))
        if n > len(_AGAIN):
            break
        go = (answer == 0) & (again < _AGAIN[n - 1])
        idx, answered_at = idx[go], answered_at[go]
        fed_at = answered_at + _lognormal(rng, 20 * 3600 * m.feedback_speed[cl[idx]], 0.8, idx.size).astype(
            np.int64
        )
        keep = fed_at < last
        idx, fed_at = idx[keep], fed_at[keep]
        accepted = rng.random(idx.size) < _LATER_ACCEPT[n - 1]
        again = rng.random(idx.size)
    return out


_TS = "CASE WHEN {c} >= 0 THEN make_timestamp({c} * 1000000) END"


def _padded(prefix: str, digits: int, column: str) -> str:
    """The id `prefix` + the number zero-padded to `digits` (which it fits), in SQL both engines speak."""
    return f"'{prefix}' || lpad(CAST({column} AS VARCHAR), {digits}, '0')"


_BOOL = "CASE {c} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END"


def _ticket_insert_sql(m: _Model) -> str:
    return f"""
        INSERT INTO tickets
        SELECT {_padded("T", 9, "id")}, {literal_list(c.name for c in CLIENTS)}[cl + 1],
               {literal_list(CHANNELS)}[ch + 1], {literal_list(TYPES)}[ty + 1],
               CASE WHEN ag > 0 THEN {_padded("E", 5, "ag")} END,
               make_timestamp(opened * 1000000), {_TS.format(c="fr")}, {_TS.format(c="ra")},
               CAST(nullif(h, 0) AS DOUBLE), {_BOOL.format(c="res")}, {_BOOL.format(c="fcr")},
               nullif(csat, 0),
               CASE WHEN cat >= 0 THEN {literal_list(m.categories)}[cat + 1] END,
               CASE WHEN dept >= 0 THEN {literal_list(m.departments)}[dept + 1] END,
               {_TS.format(c="routed")}, {_TS.format(c="fb")}, {_BOOL.format(c="acc")},
               {_BOOL.format(c="reop")}, {_TS.format(c="cbp")}, {_TS.format(c="cbd")},
               {_BOOL.format(c="adopt")}, CAST(nullif(reward, 0) AS DECIMAL(12, 2)),
               CASE WHEN tm >= 0 THEN {literal_list(m.teams)}[tm + 1] END,
               NULL  -- import_id: the demo's tickets come from no import
        FROM _sample_tickets"""


_EPOCH_DAY = dt.date(1970, 1, 1)  # `opened` counts seconds from its midnight
_ROUNDS_INSERT_SQL = f"""
    INSERT INTO complaint_rounds
    SELECT {_padded("T", 9, "id")}, n, make_timestamp(fb * 1000000),
           CASE answer WHEN 1 THEN 'accepted' WHEN 0 THEN 'reopened' END, {_TS.format(c="ans")}, '{ACTOR}'
    FROM _sample_rounds"""


def _insert_tickets(wh, m: _Model, tickets: int, say: Callable[[str], None]) -> tuple[np.ndarray, np.ndarray]:
    """Generate and store the tickets chunk by chunk; return the audit picks.

    One transaction per chunk, not one for the whole table: DuckDB holds an uncommitted append and
    its primary-key index in memory, so a single 10-million-row transaction peaked at 3.4 GB
    resident against 1.2 GB this way, for about 10 % more time. A build that fails half-way leaves
    a warehouse `build_sample` refuses to fill again (and `csdata init` builds into a side file).
    """
    per_hour = m.counts.sum(axis=1).cumsum()
    cuts = np.searchsorted(per_hour, np.arange(CHUNK, tickets, CHUNK), side="left") + 1
    edges = sorted({0, *cuts.tolist(), len(per_hour)})
    bounds = list(zip(edges[:-1], edges[1:], strict=True))
    first_id = [0] + [int(per_hour[h1 - 1]) for _, h1 in bounds[:-1]]
    best = np.full(len(m.skill) * DAYS, np.iinfo(np.int64).max, dtype=np.int64)
    best_low = best.copy()
    sql = _ticket_insert_sql(m)
    done = 0
    for k, (h0, h1) in enumerate(bounds):
        frame, rounds, (cells, packed, low_cells, low_packed) = _chunk(m, k, h0, h1, first_id[k])
        np.minimum.at(best, cells, packed)
        np.minimum.at(best_low, low_cells, low_packed)
        detail = {"tickets": tickets, "chunk": k + 1, "chunks": len(bounds), "rows": len(frame)}
        with wh.transaction(ACTOR, "sample.tickets", "tickets", detail) as w:
            w.execute(
                "CREATE TEMP TABLE _sample_tickets (id BIGINT, cl TINYINT, ch TINYINT, ty TINYINT,"
                " ag INTEGER, opened BIGINT, fr BIGINT, ra BIGINT, h INTEGER, res TINYINT, fcr TINYINT,"
                " csat TINYINT, cat SMALLINT, dept SMALLINT, routed BIGINT, fb BIGINT, acc TINYINT,"
                " reop TINYINT, cbp BIGINT, cbd BIGINT, adopt TINYINT, reward INTEGER, tm TINYINT)"
            )
            w.insert_df("_sample_tickets", frame)
            w.rolled_up(
                days=(_EPOCH_DAY + dt.timedelta(days=int(d)) for d in np.unique(frame["opened"] // 86400))
            )
            w.execute(sql)
            w.execute("DROP TABLE _sample_tickets")
            w.execute(
                "CREATE TEMP TABLE _sample_rounds (id BIGINT, n TINYINT, fb BIGINT, ans BIGINT, answer TINYINT)"
            )
            w.insert_df("_sample_rounds", rounds)
            w.execute(_ROUNDS_INSERT_SQL)
            w.execute("DROP TABLE _sample_rounds")
        done += len(frame)
        del frame
        say(f"tickets {done:,} / {tickets:,}")
    return best, best_low


# -- training ------------------------------------------------------------------------------------


def _training(rng: np.random.Generator, start: dt.date, end: dt.date, roster: _Roster) -> pd.DataFrame:
    """In-service courses: a quarterly product update per client and evergreen courses, to roughly
    6–10 hours per head per quarter depending on the team."""
    team_names = _team_names()
    factor = rng.uniform(0.85, 1.3, len(team_names))
    factor[SLOW_TRAINING_TEAM] = 0.55
    rows = []
    for r in roster.rows:
        if r["team"] is None or r["position"] not in ("agent", "supervisor") or r["go_live_date"] is None:
            continue
        ti = next(i for i, (tn, _) in enumerate(team_names) if tn == r["team"])
        short = CLIENTS[team_names[ti][1]].short
        first = max(start, r["go_live_date"])
        last = min(end, (r["left_on"] - dt.timedelta(days=1)) if r["left_on"] else end)
        if first > last:
            continue
        eid = r["employee_id"]
        num = int(eid[1:])
        taken: set[str] = set()
        for period, q_start, q_end in _quarters(start, end):
            lo, hi = max(first, q_start), min(last, q_end)
            if lo > hi:
                continue
            span = (hi - lo).days + 1
            frac = span / ((q_end - q_start).days + 1)
            target = 8.0 * factor[ti] * frac * rng.uniform(0.8, 1.2)

            def on() -> dt.date:
                return lo + dt.timedelta(days=int(rng.integers(0, span)))  # noqa: B023

            def quiz() -> float:
                return float(np.clip(round(rng.normal(85 + 3 * roster.skill[num], 7)), 45, 100))  # noqa: B023

            hours = 0.0
            if frac > 0.3:
                course = f"{short} product update {period}"
                h = 2.0 if rng.random() < 0.5 else 3.0
                rows.append((eid, course, on(), quiz(), h))
                hours += h
            for i in rng.permutation(len(IN_SERVICE)):
                if hours >= target - 0.75:
                    break
                name, h, has_quiz = IN_SERVICE[i]
                if name in taken:
                    continue
                taken.add(name)
                rows.append((eid, name, on(), quiz() if has_quiz else None, h))
                hours += h
    frame = pd.DataFrame(rows, columns=["employee_id", "course", "taken_on", "score", "hours"])
    frame["kind"] = "in_service"
    frame["attempt"] = 1
    return frame


def _courses(training: pd.DataFrame) -> pd.DataFrame:
    quiz = {name: has for name, _, has in IN_SERVICE}
    # A course's hours: those its sittings most often record (a first onboarding sitting: 40).
    hours = training.groupby("course")["hours"].agg(lambda h: float(h.mode().iloc[0])).to_dict()
    rows = [{"course": ONBOARDING, "kind": "onboarding", "pass_mark": ONBOARDING_PASS, "hours": 40.0}]
    for course in sorted(training["course"].unique()):
        rows.append(
            {"course": course, "kind": "in_service", "pass_mark": 60.0 if quiz.get(course, True) else None,
             "hours": hours[course]}
        )  # fmt: skip
    return pd.DataFrame(rows)


# -- audits --------------------------------------------------------------------------------------


def _audits(
    rng: np.random.Generator,
    start: dt.date,
    end: dt.date,
    roster: _Roster,
    policy: Policy,
    best: np.ndarray,
    best_low: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Audits (score left for SQL) and their per-criterion scores."""
    qa = list(_QA_IDS)
    bias = _auditor_lean(rng)
    criteria = [c.key for c in policy.scorecard.criteria]
    offset = {
        "attitude": 1.5,
        "responsiveness": 0.0,
        "accuracy": -1.5,
        "communication": 0.5,
        "compliance": 2.0,
    }
    critical_keys = [c.key for c in policy.scorecard.critical_errors]
    team_names = _team_names()
    mix = np.array([c.mix for c in CLIENTS])
    weak = int(TWO_QUARTERS_D[1:])
    # A coached agent's slump: the day indexes [first, session) in which they score lower.
    slump = {}
    for eid in COACHED:
        held = (coaching_day(end, eid) - start).days
        slump[int(eid[1:])] = (held - SLUMP_DAYS, held)
    month_starts = [start]
    while True:
        nxt = (month_starts[-1].replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        if nxt > end:
            break
        month_starts.append(nxt)

    audits, scores = [], []
    agents = np.nonzero(roster.weight)[0]
    plan = []  # (day index, agent number)
    for num in agents:
        lo, hi = roster.live_from[num], roster.live_to[num]
        for i, ms in enumerate(month_starts):
            m0 = (ms - start).days
            m1 = (month_starts[i + 1] - start).days if i + 1 < len(month_starts) else DAYS
            a, b = max(lo, m0, 1), min(hi, m1)
            if b - a < 5:
                continue
            k = int(rng.integers(3, 6)) if num != weak and num not in slump else 6
            k = max(1, round(k * (b - a) / (m1 - m0)))
            plan += [(int(d), int(num)) for d in rng.integers(a, b, k)]
    plan.sort()

    for n_audit, (day, num) in enumerate(plan, start=1):
        audit_id = f"AU{n_audit:06d}"
        ci = team_names[roster.team_of[num]][1]
        source = "customer_feedback" if rng.random() < 0.15 else "recording"
        ticket, channel = None, None
        table = best_low if source == "customer_feedback" else best
        for back in rng.permutation(np.arange(1, 8)):
            d = day - int(back)
            if d < 0:
                continue
            packed = table[num * DAYS + d]
            if packed != np.iinfo(np.int64).max:
                ticket = f"T{int(packed) & ((1 << 34) - 1):09d}"
                channel = CHANNELS[(int(packed) >> 34) & 3]
                break
        if ticket is None and source == "customer_feedback":
            source = "recording"
        if channel is None:
            channel = CHANNELS[int(rng.choice(3, p=mix[ci]))]
        if source == "recording" and (channel != "phone" or rng.random() < 0.3):
            source = "spot_check"
        auditor = int(rng.integers(len(qa)))
        months_live = max(0, day - roster.live_from[num]) / 30
        mu = 90.5 + 3.2 * roster.skill[num] - 4 * math.exp(-months_live / 2) + bias[auditor]
        if num in slump and slump[num][0] <= day < slump[num][1]:
            mu -= COACHING_LIFT
        shared = rng.normal(0, 3)
        marks = {}
        for key in criteria:
            if key == "responsiveness" and channel == "email" and rng.random() < 0.4:
                continue
            if key in ("compliance", "communication") and rng.random() < 0.04:
                continue
            marks[key] = float(np.clip(round(mu + offset.get(key, 0) + shared + rng.normal(0, 5)), 0, 100))
        p_crit = 0.012 + (0.02 if roster.skill[num] < -1 else 0.0)
        critical = bool(rng.random() < p_crit)
        finding, comment = None, None
        if critical:
            finding = critical_keys[int(rng.choice(len(critical_keys), p=[0.2, 0.45, 0.35]))]
            comment = CRITICAL_COMMENTS.get(finding)
        elif policy.scorecard.score(marks) < policy.scorecard.pass_mark:
            finding = min(marks, key=lambda c: (marks[c], c))
            options = CRITERION_COMMENTS.get(finding, ("",))
            comment = options[int(rng.integers(len(options)))]
        audits.append(
            {"audit_id": audit_id, "audited_at": start + dt.timedelta(days=day), "agent_id": f"E{num:05d}",
             "auditor_id": qa[auditor], "ticket_id": ticket, "client": CLIENTS[ci].name, "channel": channel,
             "source": source, "critical_error": critical, "finding_category": finding, "comment": comment}
        )  # fmt: skip
        scores += [(audit_id, key, value) for key, value in marks.items()]
    return pd.DataFrame(audits), pd.DataFrame(scores, columns=["audit_id", "criterion", "score"])


def _auditor_lean(rng: np.random.Generator) -> np.ndarray:
    """Each QA auditor's lean in points (the first draw of the audits' stream): a little either
    way, the harsh auditor −6 and the lenient +5."""
    bias = rng.normal(0, 1.2, len(_QA_IDS))
    bias[_QA_IDS.index(HARSH_AUDITOR)] = -6.0
    bias[_QA_IDS.index(LENIENT_AUDITOR)] = 5.0
    return bias


def _calibration(
    rng: np.random.Generator, wh, end: dt.date, lean: np.ndarray, policy: Policy, version: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The planted calibration sets: a ticket of each of the last `CALIBRATION_SETS` weeks, scored
    by the QA auditors with their lean (see the module docstring); audits and criterion scores."""
    criteria = [c.key for c in policy.scorecard.criteria]
    audits, scores = [], []
    for week in range(CALIBRATION_SETS):
        first = end - dt.timedelta(days=7 * (CALIBRATION_SETS - week) + 3)
        found = wh.rows(
            "SELECT ticket_id, agent_id, client, channel, CAST(opened_at AS DATE) FROM tickets"
            " WHERE agent_id IS NOT NULL AND first_response_at IS NOT NULL"
            " AND opened_at >= ? AND opened_at < ? ORDER BY ticket_id",
            [first, first + dt.timedelta(days=7)],
        )
        if not found:
            continue
        ticket, agent, client, channel, opened = found[int(rng.integers(len(found)))]
        day = min(end, opened + dt.timedelta(days=1 + int(rng.integers(3))))
        # A calibration ticket is one worth discussing: near the pass mark, where the lean of an
        # auditor decides pass or fail (and far enough below 100 that no lean is cut off there).
        quality = rng.uniform(68, 86)
        truth = {key: quality + rng.normal(0, 3) for key in criteria}
        if channel == "email":
            truth.pop("responsiveness", None)
        absent = None
        if rng.random() < 0.25:
            absent = str(rng.choice([q for q in _QA_IDS if q not in (HARSH_AUDITOR, LENIENT_AUDITOR)]))
        for i, auditor in enumerate(_QA_IDS):
            if auditor == absent:
                continue
            audit_id = f"AC{len(audits) + 1:05d}"
            marks = {
                key: float(np.clip(round(value + lean[i] + rng.normal(0, CALIBRATION_NOISE)), 0, 100))
                for key, value in truth.items()
                if not (key == "compliance" and rng.random() < 0.05)
            }
            audits.append(
                {"audit_id": audit_id, "audited_at": day, "agent_id": agent, "auditor_id": auditor,
                 "ticket_id": ticket, "client": client, "channel": channel, "source": "calibration",
                 "critical_error": False, "finding_category": None, "comment": None,
                 "score": policy.scorecard.score(marks), "policy_version": version}
            )  # fmt: skip
            scores += [(audit_id, key, value) for key, value in marks.items()]
    return pd.DataFrame(audits), pd.DataFrame(scores, columns=["audit_id", "criterion", "score"])


def _actions(rng: np.random.Generator, end: dt.date, audits: pd.DataFrame, roster: _Roster, pass_mark: float):
    """Corrective actions for failed audits: mostly closed, a few planted overdue and open."""
    supervisor = dict(zip(roster.teams["name"], roster.teams["supervisor_id"], strict=True))
    team = dict(zip(roster.employees["employee_id"], roster.employees["team"], strict=True))
    failed = audits[(audits["score"] < pass_mark)].sort_values("audit_id")
    rows = []
    for a in failed.itertuples(index=False):
        if not (a.critical_error or a.agent_id == TWO_QUARTERS_D or rng.random() < 0.45):
            continue
        kind = "training" if a.critical_error else str(rng.choice(["coaching", "training", "script_change"],
                                                                  p=[0.7, 0.2, 0.1]))  # fmt: skip
        audited = a.audited_at
        due = audited + dt.timedelta(days=int(rng.choice([7, 14, 21])))
        status, closed = "open", None
        if due < end - dt.timedelta(days=7) or rng.random() < 0.3:
            status = "cancelled" if rng.random() < 0.04 else "done"
            closed = min(
                end, max(audited + dt.timedelta(days=1), due + dt.timedelta(days=int(rng.integers(-5, 4))))
            )
        rows.append(
            {"audit_id": a.audit_id, "agent_id": a.agent_id, "kind": kind, "owner_id": supervisor[team[a.agent_id]],
             "opened_on": pd.Timestamp(audited).date(), "due_on": due, "status": status, "closed_on": closed, "note": ACTION_NOTES[kind]}
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    old = np.nonzero((frame["due_on"] < end - dt.timedelta(days=30)).to_numpy())[0]
    planted = rng.choice(old, OVERDUE_OPEN_ACTIONS, replace=False)
    frame.loc[planted, "status"] = "open"
    frame.loc[planted, "closed_on"] = None
    frame.insert(0, "action_id", [f"CA{i:05d}" for i in range(1, len(frame) + 1)])
    return frame


def _coaching(end: dt.date, roster: _Roster) -> pd.DataFrame:
    """The coaching session of each `COACHED` agent, held by their supervisor on `coaching_day`."""
    supervisor = dict(zip(roster.teams["name"], roster.teams["supervisor_id"], strict=True))
    team = dict(zip(roster.employees["employee_id"], roster.employees["team"], strict=True))
    return pd.DataFrame(
        [
            {"session_id": f"CS{i:05d}", "employee_id": eid, "held_on": coaching_day(end, eid),
             "coach_id": supervisor[team[eid]], "topic": "质检成绩下滑辅导", "note": "复听录音并制定改进计划",
             "recorded_by": ACTOR}
            for i, eid in enumerate(COACHED, start=1)
        ]
    )  # fmt: skip


# -- appraisals ----------------------------------------------------------------------------------


def _appraisals(rng, wh, start: dt.date, end: dt.date, roster: _Roster, policy: Policy, version: int):
    scheme = policy.appraisal
    stats = wh.df(
        """SELECT agent_id, year(opened_at) || '-Q' || quarter(opened_at) AS period, client, channel,
                  count(*) AS n, sum(handle_seconds) AS handle, count(csat) AS rated,
                  count_if(csat >= 4) AS good
           FROM tickets WHERE agent_id IS NOT NULL GROUP BY ALL ORDER BY ALL"""
    )
    base = stats.groupby(["period", "client", "channel"])[["n", "handle"]].sum()
    base = (base["handle"] / base["n"]).rename("expected")
    stats = stats.join(base, on=["period", "client", "channel"])
    stats["expected"] = stats["expected"] * stats["n"]
    per = stats.groupby(["agent_id", "period"])[["handle", "expected", "rated", "good"]].sum()
    qa = wh.df("SELECT agent_id, CAST(audited_at AS VARCHAR) AS day, score FROM audits ORDER BY audit_id")
    quarters = [q for q in _quarters(start, end) if q[2] <= end]
    supervisor = dict(zip(roster.teams["name"], roster.teams["supervisor_id"], strict=True))
    hr = next(r["employee_id"] for r in roster.rows if r["department"] == "hr" and r["position"] == "manager")
    weak_quarters = {q[0] for q in quarters[-2:]}
    rows, marks = [], []
    previous_d: set[str] = set()
    for period, q_start, q_end in quarters:
        graded_d: set[str] = set()
        confirm = q_end + dt.timedelta(days=int(rng.integers(8, 21)))
        confirmed_at = (
            dt.datetime.combine(confirm, dt.time(int(rng.integers(10, 18)), int(rng.integers(0, 60))))
            if confirm <= end
            else None
        )
        in_q = qa[(qa["day"] >= q_start.isoformat()) & (qa["day"] <= q_end.isoformat())]
        in_q = in_q.groupby("agent_id")["score"].mean()
        for r in roster.rows:
            eid, go_live, left_on = r["employee_id"], r["go_live_date"], r["left_on"]
            if r["position"] != "agent" or go_live is None:
                continue
            if go_live > q_end - dt.timedelta(days=14) or (left_on is not None and left_on <= q_end):
                continue
            num = int(eid[1:])
            s = roster.skill[num]
            if (eid, period) in per.index:
                row = per.loc[(eid, period)]
                pct = (row["good"] + 1) / (row["rated"] + 2)
                ratio = row["handle"] / row["expected"] if row["expected"] else 1.0
            else:
                pct, ratio = 0.85, 1.0
            values = {
                "satisfaction": 18 + 75 * pct + 1.5 * s + rng.normal(0, 2),
                "quality": in_q.get(eid, 88 + 3 * s) - 1 + rng.normal(0, 1.5),
                "efficiency": 81 - 70 * (ratio - 1) + 2 * s + rng.normal(0, 4),
                "teamwork": 79 + 3 * s + rng.normal(0, 6),
            }
            values = {k: round(float(np.clip(v, 30, 100)), 1) for k, v in values.items()}
            if eid == TWO_QUARTERS_D:
                if period in weak_quarters:
                    caps = {"satisfaction": 68, "quality": 66, "efficiency": 70, "teamwork": 67}
                    values = {k: min(v, caps[k]) for k, v in values.items()}
                else:
                    values = _lift(scheme, values, 72.0)
            elif eid in previous_d:
                values = _lift(scheme, values, 71.0)
            score = scheme.score(values)
            grade = scheme.band(score).grade
            if grade == "D":
                graded_d.add(eid)
            comment = {"A": "表现优秀", "D": "低于标准,需辅导改进"}.get(grade)
            rows.append(
                {"period": period, "employee_id": eid, "score": score, "grade": grade,
                 "reviewer": supervisor[r["team"]], "comment": comment,
                 "confirmed_by": hr if confirmed_at else None, "confirmed_at": confirmed_at,
                 "policy_version": version}
            )  # fmt: skip
            marks += [(period, eid, k, v) for k, v in values.items()]
        previous_d = graded_d
    appraisals = pd.DataFrame(rows)
    scores = pd.DataFrame(marks, columns=["period", "employee_id", "indicator", "score"])
    return appraisals, scores


def _lift(scheme, values: dict[str, float], floor: float) -> dict[str, float]:
    """Raise every indicator by the same amount so the weighted score reaches `floor`."""
    gap = floor - scheme.score(values)
    if gap <= 0:
        return values
    return {k: round(min(100.0, v + gap + 0.5), 1) for k, v in values.items()}


def _bonuses(appraisals: pd.DataFrame, tickets_on_double11: list[str], double11_period: str | None):
    rows = []
    for period, group in appraisals.groupby("period", sort=True):
        top = group.sort_values(["score", "employee_id"], ascending=[False, True]).head(3)
        for amount, eid in zip((1000, 800, 600), top["employee_id"], strict=False):
            rows.append(
                {"employee_id": eid, "period": period, "amount": float(amount), "reason": "季度绩效前三"}
            )
    if double11_period:
        for eid in tickets_on_double11:
            rows.append(
                {"employee_id": eid, "period": double11_period, "amount": 300.0, "reason": "双十一大促保障"}
            )
    return pd.DataFrame(rows)


# -- recruitment -----------------------------------------------------------------------------------

# Where the year's candidates come from (`csdata.records.models.RECRUIT_CHANNELS`): the hires, and
# those turned away, who come more often through the job sites and social media.
_HIRE_CHANNELS = (
    ("job_site", 0.35),
    ("social_media", 0.15),
    ("campus", 0.15),
    ("referral", 0.25),
    ("agency", 0.1),
)
_REJECT_CHANNELS = (("job_site", 0.45), ("social_media", 0.25), ("campus", 0.12), ("referral", 0.08),
                    ("agency", 0.07), ("other", 0.03))  # fmt: skip
# Where those turned away stopped: failed screening, the interview, the written test or the
# background check, declined the offer, or are still waiting for screening.
_STOPS = (("screening", 0.42), ("interview", 0.28), ("test", 0.12), ("check", 0.05), ("declined", 0.06),
          ("waiting", 0.07))  # fmt: skip
_REASONS = {
    "screening": "experience does not fit the requirements",
    "interview": "interview: communication below the bar",
    "test": "written test below 60",
    "check": "background check failed",
    "declined": "took another offer",
}


def _recruitment(
    rng: np.random.Generator, end: dt.date, roster: _Roster
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's requisitions and candidates. Each new-hire cohort comes from them: one
    requisition per cohort team, opened five to eight weeks before the cohort starts, whose hired
    candidate is the cohort member (their id, name and hire date), every stage passed in order; a
    handful of others applied to each and stopped somewhere, with the reason. The last cohort's
    requisitions asked for one seat more and are still open, as is one opened a month before the
    end with candidates of its own. From a stream of its own: nothing else of the demo
    changes with it."""
    employees = roster.employees
    start = end - dt.timedelta(days=DAYS - 1)
    hires = employees[pd.to_datetime(employees["hire_date"]).dt.date >= start].sort_values("employee_id")
    last_day = max(hires["hire_date"])

    def pick(choices) -> str:
        names, weights = zip(*choices, strict=True)
        return str(names[int(rng.choice(len(names), p=weights))])

    def days(lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=int(rng.integers(lo, hi + 1)))

    requisitions, candidates = [], []
    stage_columns = ("applied_on", "screened_on", "interviewed_on", "test_on", "checked_on", "offered_on")

    def candidate(rid: str, name: str, channel: str, stages: list[dt.date], **rest) -> None:
        row = {"candidate_id": f"CAN{len(candidates) + 1:05d}", "requisition_id": rid, "channel": channel,
               "name": name, **dict(zip(stage_columns, stages, strict=False))}  # fmt: skip
        reached = len(stages)
        row["screen_passed"] = True if reached >= 2 else None
        row["interview_passed"] = True if reached >= 3 else None
        row["test_score"] = float(rng.integers(70, 96)) if reached >= 4 else None
        row["check_passed"] = True if reached >= 5 else None
        row["checked_by"] = "HR" if reached >= 5 else None
        candidates.append({**row, **rest})

    def rejects(rid: str, opened: dt.date, until: dt.date, n: int) -> None:
        for name in _names(rng, n):
            channel = pick(_REJECT_CHANNELS)
            applied = opened + days(1, max(2, (until - opened).days - 12))
            stop = pick(_STOPS)
            if stop == "waiting":  # still waiting, or turned away once the seats were filled
                candidate(rid, name, channel, [applied])
                if until < end:
                    candidates[-1]["rejected_on"], candidates[-1]["reason"] = until, "position filled"
                continue
            steps = {"screening": 1, "interview": 2, "test": 3, "check": 4, "declined": 5}[stop]
            stages = [applied]
            for _ in range(steps + (1 if stop == "declined" else 0)):
                stages.append(min(stages[-1] + days(1, 3), end))
            day = stages[-1]
            result = {"screening": "screen_passed", "interview": "interview_passed", "check": "check_passed"}
            candidate(rid, name, channel, stages[:-1] if stop != "declined" else stages)
            row = candidates[-1]
            if stop in result:
                row[stage_columns[steps]] = day
                row[result[stop]] = False
                row["checked_by"] = "HR" if stop == "check" else row["checked_by"]
                row["rejected_on"], row["reason"] = day, _REASONS[stop]
            elif stop == "test":
                row["test_on"], row["test_score"] = day, float(rng.integers(35, 60))
                row["rejected_on"], row["reason"] = day, _REASONS[stop]
            else:  # an offer made and declined
                row["offer_accepted"], row["reason"] = False, _REASONS[stop]

    for (hired_on, team), group in hires.groupby(["hire_date", "team"], sort=True):
        still_open = hired_on == last_day
        opened = hired_on - days(35, 56)
        rid = f"REQ-{hired_on:%y%m%d}-{team.replace(' ', '')}"
        first = group.iloc[0]
        requisitions.append(
            {"requisition_id": rid, "position": "agent", "client": first["client"], "team": team,
             "headcount": len(group) + (1 if still_open else 0), "opened_on": opened, "needed_by": hired_on,
             "status": "open" if still_open else "filled",
             "requirements": "Mandarin; customer-service experience; typing 40 wpm", "grade": first["grade"]}
        )  # fmt: skip
        for _, person in group.iterrows():
            offered = hired_on - days(7, 14)
            stages = [offered]
            for _ in range(5):
                stages.insert(0, stages[0] - days(1, 4))
            stages[0] = max(stages[0], opened + dt.timedelta(days=1))
            stages = [max(a, stages[0]) for a in stages]
            candidate(rid, person["name"], pick(_HIRE_CHANNELS), stages, offer_accepted=True,
                      hired_on=hired_on, employee_id=person["employee_id"])  # fmt: skip
        rejects(rid, opened, hired_on, int(rng.integers(4, 9)))
    team, client = roster.teams.iloc[0]["name"], roster.teams.iloc[0]["client"]
    opened = end - dt.timedelta(days=30)
    rid = f"REQ-{opened:%y%m%d}-{team.replace(' ', '')}"
    requisitions.append(
        {"requisition_id": rid, "position": "agent", "client": client, "team": team, "headcount": 2,
         "opened_on": opened, "needed_by": end + dt.timedelta(days=30), "status": "open",
         "requirements": "Mandarin and English; evening shifts", "grade": "G1"}
    )  # fmt: skip
    rejects(rid, opened, end, 8)
    columns = ("candidate_id", "requisition_id", "channel", "applied_on", "screened_on", "screen_passed",
               "interviewed_on", "interview_passed", "test_on", "test_score", "checked_on", "check_passed",
               "offered_on", "offer_accepted", "hired_on", "employee_id", "rejected_on", "reason", "name",
               "checked_by")  # fmt: skip
    return pd.DataFrame(requisitions), pd.DataFrame(candidates).reindex(columns=list(columns))


# -- the build -----------------------------------------------------------------------------------

_TABLES = (
    "meta", "departments", "pay_grades", "clients", "teams", "employees", "policy_versions", "tickets",
    "complaint_rounds", "courses", "training_results", "audits", "audit_scores", "corrective_actions", "coaching_sessions",
    "appraisal_periods", "appraisals", "appraisal_scores", "bonuses", "users", "requisitions", "candidates",
)  # fmt: skip


DEMO_TICKETS = 300_000
BUILD_MEMORY = "1536MB"  # DuckDB's share while the tickets are written


def build_sample(
    wh,
    tickets: int = DEMO_TICKETS,
    seed: int = 7,
    as_of: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated warehouse with the demo company; return row counts per table.

    Its history ends the day before `as_of` (default today), so that a new user's "today" follows
    a full day of data; a fixed `as_of` makes the same company, day for day."""
    say = progress or (lambda _line: None)
    end = (as_of or dt.date.today()) - dt.timedelta(days=1)
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    for table in ("clients", "employees", "tickets", "audits", "training_results", "appraisals"):
        if wh.scalar(f"SELECT count(*) FROM {table}"):
            raise ValueError(f"build_sample needs an empty warehouse; {table} has rows")
    start = end - dt.timedelta(days=DAYS - 1)

    say("organisation")
    roster = _roster(np.random.default_rng([seed, 1]), start, end)
    quarters = _quarters(start, end)
    with wh.transaction(ACTOR, "sample.org", "employees", {"seed": seed, "end": end.isoformat()}) as w:
        w.execute("INSERT INTO meta (key, value) VALUES ('demo', 'true')")
        w.insert_df(
            "departments", pd.DataFrame(DEPARTMENTS + ROUTED_DEPARTMENTS, columns=["name", "name_zh"])
        )
        w.insert_df(
            "pay_grades", pd.DataFrame(PAY_GRADES, columns=["grade", "base_pay", "performance_base"]).astype(
                {"base_pay": float, "performance_base": float})
        )  # fmt: skip
        w.insert_df("clients", pd.DataFrame([{"name": c.name, "industry": c.industry} for c in CLIENTS]))
        w.insert_df("teams", roster.teams)
        w.insert_df("employees", roster.employees)
        w.insert_df(
            "appraisal_periods",
            pd.DataFrame(
                [{"period": p, "starts_on": a, "ends_on": b, "status": "closed" if b <= end else "open"}
                 for p, a, b in quarters]
            ),
        )  # fmt: skip

    say("recruitment")
    requisitions, candidates = _recruitment(np.random.default_rng([seed, 12]), end, roster)
    with wh.transaction(ACTOR, "sample.recruitment", "candidates") as w:
        w.insert_df("requisitions", requisitions)
        w.insert_df("candidates", candidates)

    policy = sample_policy(start)
    version = save_policy(wh, policy, ACTOR)

    say("tickets")
    model = _model(seed, tickets, start, end, roster)
    # DuckDB would keep up to 80 % of the machine's memory as cache while the table grows: 5.8 GB
    # resident at 100 million tickets. Capped, it writes out what it no longer needs. (A
    # PostgreSQL server keeps its own memory settings.)
    capped = wh.engine == "duckdb"
    if capped:
        wh.cursor().execute(f"SET memory_limit = '{BUILD_MEMORY}'")
    try:
        best, best_low = _insert_tickets(wh, model, tickets, say)
    finally:
        if capped:
            wh.cursor().execute("RESET memory_limit")

    say("training")
    training = _training(np.random.default_rng([seed, 4]), start, end, roster)
    with wh.transaction(ACTOR, "sample.training", "training_results") as w:
        w.insert_df("courses", _courses(training))
        w.insert_df("training_results", roster.onboarding)
        w.insert_df("training_results", training)

    say("audits")
    audits, audit_scores = _audits(
        np.random.default_rng([seed, 5]), start, end, roster, policy, best, best_low
    )
    with wh.transaction(ACTOR, "sample.audits", "audits", {"policy_version": version}) as w:
        w.insert_df("audits", audits)
        w.insert_df("audit_scores", audit_scores)
        # The audit score, once, by the policy's own rule (the one imports and forms use).
        column = {
            c.key: f"max(x.score) FILTER (WHERE x.criterion = {literal(c.key)})"
            for c in policy.scorecard.criteria
        }
        w.execute(
            f"""UPDATE audits SET score = s.score, policy_version = {int(version)}
               FROM (SELECT a.audit_id, {policy.scorecard.score_sql(column, "a.critical_error")} AS score
                     FROM audits a LEFT JOIN audit_scores x ON x.audit_id = a.audit_id
                     GROUP BY a.audit_id, a.critical_error) s
               WHERE audits.audit_id = s.audit_id"""
        )
        scored = wh.df("SELECT audit_id, agent_id, score, critical_error FROM audits ORDER BY audit_id")
        scored = scored.merge(audits[["audit_id", "audited_at"]], on="audit_id")
        actions = _actions(np.random.default_rng([seed, 6]), end, scored, roster, policy.scorecard.pass_mark)
        w.insert_df("corrective_actions", actions)
        w.insert_df("coaching_sessions", _coaching(end, roster))

    say("appraisals")
    appraisals, appraisal_scores = _appraisals(
        np.random.default_rng([seed, 7]), wh, start, end, roster, policy, version
    )
    double11 = next(
        (dt.date(y, 11, 11) for y in (start.year, end.year) if start <= dt.date(y, 11, 11) <= end), None
    )
    d11_agents, d11_period = [], None
    if double11 is not None:
        d11_agents = wh.column(
            "SELECT DISTINCT agent_id FROM tickets WHERE client = ? AND CAST(opened_at AS DATE) = ?"
            " AND agent_id IS NOT NULL ORDER BY 1",
            [next(c.name for c in CLIENTS if c.industry == "e-commerce"), double11],
        )
        d11_period = next(p for p, a, b in quarters if a <= double11 <= b)
    with wh.transaction(ACTOR, "sample.appraisals", "appraisals", {"policy_version": version}) as w:
        w.insert_df("appraisals", appraisals)
        w.insert_df("appraisal_scores", appraisal_scores)
        w.insert_df("bonuses", _bonuses(appraisals, d11_agents, d11_period))

    say("calibration")
    lean = _auditor_lean(np.random.default_rng([seed, 5]))
    calibration, calibration_scores = _calibration(
        np.random.default_rng([seed, 11]), wh, end, lean, policy, version
    )
    with wh.transaction(ACTOR, "sample.calibration", "audits") as w:
        if len(calibration):
            w.insert_df("audits", calibration)
            w.insert_df("audit_scores", calibration_scores)

    say("demo accounts")
    _demo_accounts(wh)

    counts = {table: int(wh.scalar(f"SELECT count(*) FROM {table}")) for table in _TABLES}
    say("done: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return counts


def scale_audits(wh, copies: int) -> int:
    """Makes `copies` of every audit with its criterion scores (ids suffixed -2, -3 ...), so that a
    benchmark warehouse has as many audits per ticket as the default demo. The demo audits each
    agent a few times a month whatever the volume; at millions of tickets that would leave the
    quality pages nothing to measure. Calibration audits are not copied: an auditor scores a
    calibration set once. Returns the audits now in the warehouse."""
    if copies > 1:
        with wh.transaction(ACTOR, "sample.scale_audits", "audits", {"copies": copies}) as w:
            w.execute(
                "INSERT INTO audit_scores SELECT s.audit_id || '-' || c, s.criterion, s.score "
                "FROM audit_scores s JOIN audits a ON a.audit_id = s.audit_id, range(2, ? + 1) r(c) "
                "WHERE a.source <> 'calibration'",
                [copies],
            )
            columns = w.column(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'audits'"
                " ORDER BY ordinal_position"
            )
            copied = ", ".join("a.audit_id || '-' || r.c" if c == "audit_id" else f"a.{c}" for c in columns)
            w.execute(
                f"INSERT INTO audits ({', '.join(columns)}) SELECT {copied} "
                "FROM audits a, range(2, ? + 1) r(c) WHERE a.source <> 'calibration'",
                [copies],
            )
    return wh.scalar("SELECT count(*) FROM audits")
