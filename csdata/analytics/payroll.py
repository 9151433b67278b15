"""The monthly payroll of policy 六: pay = base (by grade and experience) + performance pay (tied to
the appraisal result) + bonus, one row per person employed in a month.

A month's row is made of what was in force in that month, each part from the one place that
holds it:

- the pay grade, team and client of the person's period (`employee_periods`, migration 009) on
  their last employed day of the month, and that grade's base pay (`pay_grades`);
- seniority pay: the policy in force on the month's first day (`Policy.seniority`) for the years
  of service completed by that day (from `hire_date`);
- performance pay: the grade's performance-pay base × the coefficient of the appraisal grade of
  the appraisal period that contains the month's first day, under the policy in force on that
  period's last day (as the appraisal was scored); only a **confirmed** appraisal counts, an
  unconfirmed one gives none and flags the row `awaiting_confirmation`;
- bonus: the month's bonuses (`bonuses.month`); a bonus of an older warehouse that names only its
  appraisal period is paid with that period's last month.

Joiners and leavers: base and seniority pay are prorated by the calendar days employed in the
month (hire day and `left_on`, the last day employed, both counted) over the month's days, and the
row is flagged `prorated`; performance pay and bonuses are not prorated. Money is computed in
decimals and rounded half up to cents part by part, and the total is the sum of the rounded parts,
so a payroll's columns add up as printed.

Pay is confidential: within a scope that does not see pay (`Scope.sees_pay`) the payroll is empty;
a scope limited to clients sees the people whose period in the month was with those clients.
The SQL only gathers the inputs; the arithmetic is in Python, where it can be read and rounded as
a payroll is.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pandas as pd

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics.compiler import _Params
from csdata.policy import History
from csdata.text.i18n import Problem

# The payroll's columns, in order: the names of the downloaded and CLI files (stable, whatever the
# reader's language; the README lists them).
COLUMNS = (
    "month", "employee_id", "name", "team", "client", "pay_grade", "days_employed", "days_in_month",
    "base_pay", "service_years", "seniority_pay", "appraisal_period", "appraisal_grade", "coefficient",
    "performance_pay", "bonus", "total", "prorated", "awaiting_confirmation",
)  # fmt: skip
MONEY = ("base_pay", "seniority_pay", "performance_pay", "bonus", "total")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_CENT = Decimal("0.01")


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """A month written YYYY-MM as its first and last day; a `Problem` for anything else."""
    found = _MONTH.match(str(text).strip())
    if not found:
        raise Problem("payroll_bad_month", value=str(text))
    year, month = int(found[1]), int(found[2])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def months(wh, today: dt.date | None = None) -> list[str]:
    """The months someone was employed in (YYYY-MM), newest first: from the first hire to the
    month of `today` (or of the last day anyone worked, if everyone has left)."""
    today = today or dt.date.today()
    first, last = wh.rows(
        "SELECT min(hire_date), max(coalesce(left_on, ?)) FROM employees WHERE hire_date <= ?", [today, today]
    )[0]
    if first is None:
        return []
    out, year, month = [], last.year, last.month
    while (year, month) >= (first.year, first.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def cents(value: Fraction | Decimal | float | None) -> Decimal | None:
    """Money rounded half up to cents (None stays None): the one rounding of pay and of what is
    worked out of it (`csdata.analytics.finance`)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def _inputs(wh, month: str, first: dt.date, last: dt.date, scope: Scope) -> pd.DataFrame:
    """Per person employed in the month: the days employed, the period's place and grade, the
    grade's pay, the completed years, the appraisal of the month's period and the month's bonuses."""
    params = _Params({"first": first, "last": last, "month": month})
    sql = f"""
        WITH people AS (
            SELECT p.employee_id, p.name, p.hire_date,
                   greatest(p.hire_date, $first) AS from_day,
                   least(coalesce(p.left_on, $last), $last) AS to_day
            FROM employees p
            WHERE p.hire_date <= $last AND (p.left_on IS NULL OR p.left_on >= $first)),
        placed AS (
            SELECT x.*, e.team, e.client, e.grade, e.position
            FROM people x LEFT JOIN employee_periods e ON e.employee_id = x.employee_id
                 AND e.valid_from <= x.to_day AND (e.valid_to IS NULL OR x.to_day < e.valid_to)),
        period AS (
            SELECT period, ends_on FROM appraisal_periods
            WHERE starts_on <= $first AND $first <= ends_on ORDER BY starts_on DESC LIMIT 1),
        bonus AS (
            SELECT b.employee_id, sum(b.amount) AS amount FROM bonuses b
            WHERE b.month = $month OR (b.month IS NULL AND EXISTS (
                SELECT 1 FROM appraisal_periods q
                WHERE q.period = b.period AND strftime(q.ends_on, '%Y-%m') = $month))
            GROUP BY b.employee_id)
        SELECT x.employee_id, x.name, x.team, x.client, x.grade AS pay_grade, x.position,
               date_diff('day', x.from_day, x.to_day) + 1 AS days_employed,
               CAST(g.base_pay AS VARCHAR) AS grade_base, CAST(g.performance_base AS VARCHAR) AS grade_perf,
               greatest(date_sub('year', x.hire_date, $first), 0) AS service_years,
               (SELECT period FROM period) AS appraisal_period, (SELECT ends_on FROM period) AS period_end,
               a.grade AS appraisal_grade, a.confirmed_at IS NOT NULL AS confirmed,
               a.employee_id IS NOT NULL AS appraised, CAST(b.amount AS VARCHAR) AS bonus
        FROM placed x
        LEFT JOIN pay_grades g ON g.grade = x.grade
        LEFT JOIN appraisals a ON a.employee_id = x.employee_id AND a.period = (SELECT period FROM period)
        LEFT JOIN bonus b ON b.employee_id = x.employee_id
        WHERE {scope.where("pay", params, "x", carried=True)}
        ORDER BY x.team NULLS LAST, x.employee_id"""
    return wh.df(sql, params.values)


def payroll(
    wh, month: str, scope: Scope = EVERYTHING, history: History | None = None, *, position: bool = False
) -> pd.DataFrame:
    """The month's payroll (YYYY-MM): one row per person employed in it, `COLUMNS` (see the module
    notes for each part). Money as numbers with two decimals; a part that does not apply (no
    confirmed appraisal, no pay grade) is empty. `position`: a last column, the position of the
    period the row is placed by (what `csdata.analytics.finance` shares a supervisor's pay by)."""
    first, last = parse_month(month)
    history = history or History.load(wh)
    seniority_policy = history.in_force(first)[1]
    days_in_month = (last - first).days + 1
    rows = []
    for r in _inputs(wh, month, first, last, scope).to_dict("records"):
        days = int(r["days_employed"])
        share = Decimal(days) / Decimal(days_in_month)
        grade_base = None if pd.isna(r["grade_base"]) else Decimal(r["grade_base"])
        base = None if grade_base is None else cents(grade_base * share)
        years = int(r["service_years"])
        seniority = cents(Decimal(str(seniority_policy.seniority_pay(years))) * share)
        coefficient = None
        if r["confirmed"] and r["appraisal_grade"] is not None and not pd.isna(r["appraisal_grade"]):
            bands = history.in_force(pd.Timestamp(r["period_end"]).date())[1].appraisal.bands
            coefficient = next((b.coefficient for b in bands if b.grade == r["appraisal_grade"]), None)
        performance = None
        if coefficient is not None and not pd.isna(r["grade_perf"]):
            performance = cents(Decimal(r["grade_perf"]) * Decimal(str(coefficient)))
        bonus = Decimal("0.00") if pd.isna(r["bonus"]) else cents(r["bonus"])
        total = sum((p for p in (base, seniority, performance, bonus) if p is not None), Decimal("0.00"))
        rows.append(
            {
                "month": month,
                "employee_id": r["employee_id"],
                "name": r["name"],
                "team": r["team"],
                "client": r["client"],
                "pay_grade": r["pay_grade"],
                "days_employed": days,
                "days_in_month": days_in_month,
                "base_pay": base,
                "service_years": years,
                "seniority_pay": seniority,
                "appraisal_period": r["appraisal_period"],
                "appraisal_grade": r["appraisal_grade"] if r["appraised"] else None,
                "coefficient": coefficient,
                "performance_pay": performance,
                "bonus": bonus,
                "total": total,
                "prorated": days < days_in_month,
                "awaiting_confirmation": bool(r["appraised"] and not r["confirmed"]),
                "position": r["position"],
            }
        )
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "position"])
    if not position:
        frame = frame.drop(columns="position")
    for column in (*MONEY, "coefficient"):
        frame[column] = pd.to_numeric(frame[column].map(lambda v: None if v is None else float(v)))
    for column in ("days_employed", "days_in_month", "service_years"):
        frame[column] = frame[column].astype("int64")
    for column in ("prorated", "awaiting_confirmation"):
        frame[column] = frame[column].astype(bool)
    return frame


def totals(frame: pd.DataFrame) -> dict[str, float]:
    """The payroll's sums per money column (cents added as decimals, so they match the rows)."""
    return {c: float(sum((cents(v) for v in frame[c] if not pd.isna(v)), Decimal("0.00"))) for c in MONEY}
