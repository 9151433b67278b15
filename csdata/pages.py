"""The page table: every page of the app, once.

Each entry says what the page is (its key, the script that draws it, its navigation section and
icon), who may open it, and which metrics its cards show. The navigation, each page's guard, the
benchmark and the README's role table all read this table, so a page added here is added
everywhere, and a page's roles cannot differ between the menu and the guard.
"""

from __future__ import annotations

from dataclasses import dataclass

from csdata.analytics.metrics import HEADLINE
from csdata.text.i18n import family_key, text_key

ROLES = ("admin", "exec", "supervisor", "qa", "hr", "finance", "client")


@dataclass(frozen=True)
class Page:
    key: str  # the URL path, and the name of the page in code
    file: str  # the script under views/
    section: str  # text key of its navigation heading
    roles: frozenset[str]
    icon: str
    cards: tuple[str, ...] = ()  # the metrics of the cards at its top (a dashboard)

    @property
    def title(self) -> str:
        """Text key of its title."""
        return family_key("nav_", self.key)


def _page(key: str, section: str, roles: str, icon: str, cards: tuple[str, ...] = ()) -> Page:
    return Page(key, f"views/{key}.py", section, frozenset(roles.split()), f":material/{icon}:", cards)


_DASHBOARDS = text_key("nav_section_dashboards")
_DATA = text_key("nav_section_data")
_ADMIN = text_key("nav_section_admin")
_SERVICE = (
    "offered",
    "answer_rate",
    "service_level",
    "asa",
    "aht",
    "resolution_rate",
    "fcr_rate",
    "csat_pct",
    "csat_response_rate",
    "callbacks_promised",
    "callback_kept_rate",
)
_COMPLAINTS = (
    "complaints",
    "complaint_acceptance_rate",
    "complaint_first_accept_rate",
    "complaint_rounds_to_accept",
    "complaint_feedback_hours",
    "suggestions",
    "suggestion_adoption_rate",
    "suggestion_rewards",
)
_QUALITY = ("audits", "qa_score", "qa_pass_rate", "qa_critical_rate")
_PEOPLE = ("onboarding_pass_rate", "onboarding_attempts", "training_hours", "appraisal_score")
_RECRUITMENT = (
    "recruit_open_seats",
    "recruit_applied",
    "recruit_hires",
    "recruit_hire_rate",
    "recruit_offer_acceptance",
    "recruit_fill_days_median",
    "recruit_fill_days_p90",
    "recruit_retention_180",
)
_AGENT = ("offered", "asa", "aht", "fcr_rate", "csat_pct", "qa_score", "audits", "qa_pass_rate")

# In navigation order: key, section, roles that may open it, icon, cards.
PAGES: dict[str, Page] = {
    p.key: p
    for p in (
        _page("overview", _DASHBOARDS, " ".join(ROLES), "dashboard", HEADLINE),
        _page("service", _DASHBOARDS, "admin exec supervisor qa client", "headset_mic", _SERVICE),
        _page("complaints", _DASHBOARDS, "admin exec supervisor client", "report", _COMPLAINTS),
        _page("quality", _DASHBOARDS, "admin exec supervisor qa", "verified", _QUALITY),
        _page("people", _DASHBOARDS, "admin exec supervisor hr", "badge", _PEOPLE),
        _page("clients", _DASHBOARDS, "admin exec supervisor finance client", "business_center", HEADLINE),
        _page("recruitment", _DASHBOARDS, "admin exec hr", "person_add", _RECRUITMENT),
        _page("agent", _DASHBOARDS, "admin exec supervisor qa hr", "person", _AGENT),
        _page("compliance", _DASHBOARDS, "admin exec supervisor qa hr client", "assignment_late"),
        _page("tickets", _DATA, "admin supervisor", "support_agent"),
        _page("audits", _DATA, "admin qa", "fact_check"),
        _page("training", _DATA, "admin hr", "school"),
        _page("appraisals", _DATA, "admin hr supervisor", "grading"),
        _page("actions", _DATA, "admin qa hr supervisor", "task_alt"),
        _page("imports", _DATA, "admin qa hr supervisor", "upload_file"),
        _page("pay", _ADMIN, "admin hr finance", "payments"),
        _page("finance", _ADMIN, "admin exec finance", "account_balance"),
        _page("users", _ADMIN, "admin", "group"),
        _page("organisation", _ADMIN, "admin hr", "account_tree"),
        _page("policy", _ADMIN, "admin", "rule"),
        _page("audit_log", _ADMIN, "admin", "history"),
    )
}
SECTIONS = (_DASHBOARDS, _DATA, _ADMIN)
DASHBOARDS = tuple(k for k, p in PAGES.items() if p.cards)  # the pages with cards (the benchmark times these)


def may_open(role: str, page: str) -> bool:
    found = PAGES.get(page)
    return found is not None and role in found.roles
