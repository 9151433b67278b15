"""Text for everything a user reads, in every language, and number formatting.

The text is data: one catalog per language, `en.json` and `zh.json` beside this module, each
mapping the same keys to text (a test proves both hold exactly the same keys and placeholders,
that every key the code uses is there and that every key there is used). Messages take
`str.format` parameters. A language is a catalog file: adding one is adding `<code>.json` with
every key, its own name under `language_name`. The catalogs also hold what imports accept as
words (header names, yes/no words, choice words: lists separated by `|`), so a file may use the
words of any language.

Code names keys as literals. Where a key is made from a prefix and a member (a role, a page, a
column), `family_key(prefix, member)` makes it, and `csdata.text.keys.key_families` declares
every member of each prefix, so the completeness test (`tests/test_text.py`) can expand them;
`text_key("...")` marks a literal key handed on as data before it reaches `t`.
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
from importlib import resources

# The fallback language, and the one every catalog is checked against.
DEFAULT_LANG = "en"


@functools.cache
def catalogs() -> dict[str, dict[str, str]]:
    """Language code -> its catalog, read once from the `*.json` files of this package."""
    files = resources.files(__package__)
    found = {
        entry.name.removesuffix(".json"): json.loads(entry.read_text(encoding="utf-8"))
        for entry in files.iterdir()
        if entry.name.endswith(".json")
    }
    return dict(sorted(found.items(), key=lambda item: (item[0] != DEFAULT_LANG, item[0])))


# The languages, English first, and each one's name in itself (for the language switch).
LANGS: tuple[str, ...] = tuple(catalogs())
LANG_NAMES: dict[str, str] = {lang: catalogs()[lang]["language_name"] for lang in LANGS}


def _catalog(lang: str) -> dict[str, str]:
    return catalogs().get(lang) or catalogs()[DEFAULT_LANG]


def has_text(key: str) -> bool:
    """Whether the catalogs have `key`."""
    return key in catalogs()[DEFAULT_LANG]


def text_key(key: str) -> str:
    """`key`, unchanged: marks a literal catalog key that code hands on as data (a heading of a
    table, a page's section) before it reaches `t`, so the completeness test finds it."""
    return key


def family_key(prefix: str, member: object) -> str:
    """The key of `member` in the family `prefix` ("role_", "admin" -> "role_admin"); every
    member of each family is declared in `csdata.text.keys.key_families`."""
    return f"{prefix}{member}"


def words(key: str) -> tuple[str, ...]:
    """The words of a `|`-separated list in every language, each once, in catalog order (what an
    import accepts: a header's names, the yes and no words)."""
    seen: dict[str, None] = {}
    for lang in LANGS:
        for word in catalogs()[lang][key].split("|"):
            if word.strip():
                seen.setdefault(word.strip(), None)
    return tuple(seen)


def header_aliases(kind: str, columns: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Column -> the header names a file of `kind` may use for it, in every language
    (`header_<kind>_<column>`), for the columns that have any."""
    keys = {column: f"header_{kind}_{column}" for column in columns}  # see keys.header_families
    return {column: words(key) for column, key in keys.items() if has_text(key)}


class Problem(ValueError):
    """A broken rule whose message a user reads: `key` names the text here, `params` fill it in.

    Raised inside pydantic validators too, so forms, imports and the policy editor can show the
    rule in the reader's language (see `validation_messages`).
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def params_in(self, lang: str) -> dict[str, object]:
        """The parameters, a name given in every language (see `Phrase`) in the reader's."""
        return {k: v.label(lang) if isinstance(v, Phrase) else v for k, v in self.params.items()}

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params_in(lang))

    @property
    def names_its_field(self) -> bool:
        """Whether the message says itself which field it is about (`field` parameter)."""
        return "field" in self.params


class Phrase:
    """A name a message quotes, in every language: a field of the policy, say, "Company targets ›
    CSAT (4–5)". Parts are joined by " › "; each is a `Phrase`, an object with `label(lang)` (a
    metric, a policy label) or plain text from a record (a client's name), kept as it is."""

    def __init__(self, *parts: object) -> None:
        self.parts = parts

    @classmethod
    def of(cls, *keys: str, **params: object) -> Phrase:
        """The texts of `keys` in this catalog (filled with `params`), as a phrase."""
        return cls(*(_Text(lambda lang, k=k: t(k, lang, **params)) for k in keys))

    @classmethod
    def column(cls, name: str) -> Phrase:
        """A column's heading (see `COLUMNS`), as a phrase."""
        return cls(_Text(lambda lang: column_label(name, lang)))

    def label(self, lang: str) -> str:
        return " › ".join(p.label(lang) if hasattr(p, "label") else str(p) for p in self.parts)

    def __add__(self, other: object) -> Phrase:
        return Phrase(*self.parts, other)


class _Text:
    """A part of a phrase made in the reader's language when it is read."""

    def __init__(self, text) -> None:
        self._text = text

    def label(self, lang: str) -> str:
        return self._text(lang)


# pydantic error types a user may meet, with text under `pydantic_<type>`; {ctx} values fill the
# braces. Other types show pydantic's own message.
PYDANTIC_ERRORS: tuple[str, ...] = (
    "missing", "greater_than", "greater_than_equal", "less_than", "less_than_equal", "string_too_short",
    "string_too_long", "string_pattern_mismatch", "float_parsing", "float_type", "int_parsing", "int_type",
    "int_from_float", "bool_parsing", "date_parsing", "date_from_datetime_parsing", "datetime_parsing",
    "datetime_from_date_parsing", "literal_error", "enum", "extra_forbidden",
)  # fmt: skip


def validation_messages(exc, lang: str, name=None) -> list[str]:
    """A pydantic ValidationError as lines a user can act on, in their language.

    Each line starts with where the error is: `name(loc)` (a `Phrase`, or None to fall back) when
    given, else the field path itself."""
    out = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        named = name(loc) if name is not None and loc else None
        where = named.label(lang) if named is not None else " › ".join(str(p) for p in loc)
        ctx = err.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, Problem):
            text = cause.text(lang)
            if cause.names_its_field:
                where = ""
        elif err["type"] in PYDANTIC_ERRORS:
            # A bound of a float field comes as 0.0; people write 0.
            bounds = {
                k: int(v) if isinstance(v, float) and v.is_integer() else v
                for k, v in ctx.items()
                if k != "error"
            }
            text = t(family_key("pydantic_", err["type"]), lang, **bounds)
        else:
            text = err.get("msg", "")
        out.append(f"{where}: {text}" if where else text)
    return out


# Columns of the tables pages show and download that have a heading (`col_<name>`); others
# show their own name.
COLUMNS: tuple[str, ...] = (
    "why", "sessions", "sessions_ended",
    "stage", "age_days", "age", "tickets", "reopened", "routed_at", "feedback_at", "department",
    "opened_at", "ticket_id", "kind", "state", "actions", "go_live_date", "attempts", "passed_on",
    "first_ticket", "worked_before_passing", "period", "people", "place", "score", "coached",
    "below_before", "audit_id", "audited_at", "auditor_id", "source", "critical_error", "finding_category",
    "comment", "taken_on", "course", "hours", "attempt", "reviewer", "confirmed_by", "agent_id", "value",
    "met", "unit", "employee_id", "name", "team", "client", "clients", "teams", "pay_grade", "base_pay",
    "appraisal_score", "appraisal_grade", "coefficient", "performance_pay", "bonus", "awaiting_confirmation", "id", "at_time",
    "actor", "action", "entity", "detail", "username", "role", "email", "active", "channel", "seconds",
    "metric", "target", "key", "label_en", "label_zh", "weight", "grade", "min_score",
    "action_id", "status", "overdue", "agent_name", "owner_id", "owner_name", "due_on", "closed_on", "note",
    "on_date", "held_on", "coach_id", "topic", "position", "valid_from", "valid_to",
    "waiting", "teamwork", "proposed_by", "proposed_at", "used_by", "used_at",
    "name_zh", "industry", "supervisor_id", "performance_pay_base", "pass_mark", "starts_on", "ends_on",
    "hire_date", "left_on", "reason",
    "years", "amount", "month", "days_employed", "days_in_month", "service_years", "seniority_pay",
    "appraisal_period", "total", "prorated", "award", "awarded_on", "recorded_by", "recorded_at",
    "voided_at", "voided_by", "void_reason", "awards",
    "rule", "on", "owner_role", "days", "audits_per_agent_month", "subject_kind", "subject_id", "since",
    "owner", "month_audits", "shortfall", "criterion", "alpha", "alpha_level", "calibration_result", "audits",
    "mean_deviation", "low", "high", "flag",
    # client economics (`csdata.analytics.finance`) and the contracts' prices (`csdata.policy`)
    "revenue", "cost", "margin", "margin_pct", "cost_per_ticket", "budget", "budget_left", "handled_hours",
    "pricing", "price_phone", "price_chat", "price_email", "hour_price", "monthly_fee", "monthly_budget",
    "recruit_channel", "funnel_stage", "recruit_stage", "requisition_status", "candidates", "of_previous",
    "of_applied", "median_days", "p90_days", "requisition_id", "headcount", "hired", "open_seats",
    "opened_on", "needed_by", "days_open", "requirements", "candidate_id", "applied_on",
)  # fmt: skip


def column_label(name: str, lang: str) -> str:
    return t(family_key("col_", name), lang) if name in COLUMNS else name


# The metric units whose numbers a download's heading names (`unit_heading_<unit>`).
UNIT_HEADINGS: tuple[str, ...] = ("rate", "seconds", "hours", "money", "days")


def unit_name(unit: str, lang: str) -> str:
    """The unit a downloaded number of a metric unit is in ("%", "s"); "" for plain numbers."""
    return t(family_key("unit_heading_", unit), lang) if unit in UNIT_HEADINGS else ""


# The audit log's action codes that have words (`action_<code>`, its dots as _).
ACTIONS: tuple[str, ...] = (
    "auth.session.start", "auth.session.end",
    "auth.ok", "auth.fail", "auth.wait", "auth.flood", "user.add", "user.update", "user.passwd",
    "user.enable", "user.disable", "policy.save", "ticket.route", "ticket.feedback", "ticket.accept",
    "ticket.reopen", "ticket.callback", "ticket.suggestion", "import.tickets", "import.audits",
    "import.training", "import.appraisals", "import.employees", "sample.org", "sample.tickets",
    "sample.audits", "sample.scale_audits", "sample.training", "sample.appraisals", "action.step",
    "coaching.add", "appraisal_proposals.save", "recognitions.record", "recognitions.void",
    "breach.acknowledge", "breach.excuse",
)  # fmt: skip
# A record voided, a ticket's step undone (`csdata.records.corrections`).
ACTIONS += ("tickets.void", "audits.void", "training.void", "appraisals.void", "ticket.undo")


def action_label(code: str, lang: str) -> str:
    """An audit-log action code as words ("user.add" -> Account added); unknown codes as they are."""
    code = str(code)
    return t(family_key("action_", code.replace(".", "_")), lang) if code in ACTIONS else code


def fmt_detail(text: str | None, lang: str, limit: int = 160) -> str:
    """An audit-log detail (JSON) as a short line a person reads: "Role: exec · Clients: Acme";
    empty values left out, text that is not JSON kept as it is, cut at `limit` characters."""
    if not text:
        return ""
    try:
        detail = json.loads(text)
    except ValueError:
        return str(text)[:limit]
    if not isinstance(detail, dict):
        return str(detail)[:limit]

    def value(v: object) -> str:
        if isinstance(v, list | tuple):
            return ", ".join(value(x) for x in v)
        if isinstance(v, dict):
            return ", ".join(f"{k} {value(x)}" for k, x in v.items())
        if isinstance(v, bool):
            return t("yes" if v else "no", lang)
        return f"{v:,}" if isinstance(v, int) else str(v)

    parts = [
        f"{column_label(k, lang) if k in COLUMNS else k.replace('_', ' ').capitalize()}: {value(v)}"
        for k, v in detail.items()
        if v not in (None, "", [], {})
    ]
    line = " · ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def with_unit(label: str, unit: str, lang: str) -> str:
    """A download's heading: the label and, for a measured quantity, its unit ("ASA (s)")."""
    name = unit_name(unit, lang)
    return f"{label} ({name})" if name else label


def fmt_money(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"¥{value:,.0f}"


class md(str):  # noqa: N801 (a marker type, used like str)
    """Text that is markdown on purpose (written by this program, or already made literal), which
    `literal` passes through unchanged."""

    __slots__ = ()


# Every ASCII mark that means something to Streamlit's markdown: CommonMark and GFM syntax, raw
# HTML and entities, LaTeX ($), Streamlit's :directives[...] and :shortcodes:, and the dots, @ and
# colons of bare web and mail addresses that GFM would otherwise turn into links.
_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:&@=^\"']")


# Where GFM's autolink literals begin: `http:`, `https:`, `www.`, and the `@` of a mail address.
_BARE_LINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")


def literal(value: object) -> md:
    """Any value, made to show as exactly its own text where Streamlit renders markdown (titles,
    captions, alerts, labels, help): the one gate for text from a URL, a file or a record.

    Each markup character is backslash-escaped (CommonMark lets every ASCII mark be); bare web
    and mail addresses, which Streamlit's renderer links in the finished text whatever the
    escapes, get an invisible word joiner (U+2060) after `http`, `https` or `www` and before `@`,
    so they no longer read as addresses to it; and runs of
    white space (line breaks, indents) become one space, as a browser would show them anyway, so a
    value can start no heading, list, code or other block of its own. Text already marked `md` is
    passed through, so nesting never escapes twice."""
    if isinstance(value, md):
        return value
    text = _BARE_LINK.sub("\u2060", " ".join(str(value).split()))
    return md(_MARKUP.sub(lambda m: "\\" + m.group(0), text))


def t_md(key: str, lang: str = "en", /, **params: object) -> md:
    """`t` for a markdown place: the program's own text as written, every parameter made literal
    (numbers stay numbers, so format specs like {n:,} still apply)."""
    safe = {k: v if isinstance(v, numbers.Number) else literal(v) for k, v in params.items()}
    return md(t(key, lang, **safe))


def t(key: str, lang: str = "en", /, **params: object) -> str:
    """The text of `key` in `lang` (English for a language there is no catalog of), filled in."""
    text = _catalog(lang)[key]
    return text.format(**params) if params else text


def channel_label(channel: str, lang: str) -> str:
    return t(family_key("channel_", channel), lang)


def fmt_value(value: float | None, unit: str, lang: str = "en", duration: str | None = None) -> str:
    """A metric value as a person reads it: 93.4%, 18 s, 4.2, 12,345 (a duration in `duration`,
    "s", "min" or "h", where given)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seconds":
        return fmt_duration(value, lang, duration)
    if unit == "hours":
        return f"{value:,.1f} {t('unit_h', lang)}"
    if unit == "days":
        return f"{value:,.1f} {t('unit_d', lang)}"
    if unit == "rating":
        return f"{value:.2f}"
    if unit == "money":
        return fmt_money(value)
    return f"{value:.1f}"


# A duration's unit on screen: (seconds in one, digits after the point).
DURATION_UNITS = {"s": (1, 0), "min": (60, 1), "h": (3600, 1)}


def duration_unit(seconds: float | None) -> str:
    """The unit that reads best for a duration: seconds up to 2 minutes, minutes up to 2 hours,
    then hours. A page picks it once per metric from the card's value, so the card, the tables
    and the trend of that metric all speak the same unit."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) or seconds < 120:
        return "s"
    return "min" if seconds < 2 * 3600 else "h"


def fmt_duration(seconds: float, lang: str = "en", unit: str | None = None) -> str:
    unit = unit or duration_unit(seconds)
    size, digits = DURATION_UNITS[unit]
    return f"{seconds / size:,.{digits}f} {t(family_key('unit_', unit), lang)}"


def fmt_change(delta: float | None, unit: str, lang: str = "en", duration: str | None = None) -> str | None:
    """A change between periods: percentage points for rates, the unit's own for the rest.

    The sign is an ASCII "-" (Streamlit's metric reads it to point the arrow down), and "±" when
    the change rounds to nothing. A duration's change is in `duration`, the unit of its value.
    """
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return None
    if unit == "rate":
        size = f"{abs(delta) * 100:.1f} {t('unit_pp', lang)}"
    else:
        size = fmt_value(abs(delta), unit, lang, duration)
    if not any(ch in "123456789" for ch in size):
        return "±" + size
    return ("+" if delta >= 0 else "-") + size
