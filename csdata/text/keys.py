"""The families of catalog keys: keys the code makes from a prefix and a member.

A key is written whole where the code names it (`t("app_title", lang)`). Where it is made from a
value (`family_key("role_", user.role)`), this table declares every value the family takes, so
the completeness test (`tests/test_text.py`) can expand each family into its keys and prove that
every key the code may ask for is in the catalogs and every key in them is asked for.

`key_families()` imports the modules that own the members when called; nothing imports this
module at run time.
"""

from __future__ import annotations


def key_families() -> dict[str, tuple[str, ...]]:
    """Prefix -> every member: each `prefix + member` is a key of the catalogs."""
    from csdata import pages
    from csdata.access.scope import LIMITED
    from csdata.analytics import compliance, lookups, spc
    from csdata.analytics.compiler import STAGE_DAYS
    from csdata.analytics.metrics import CATALOG, FUNNEL, SHORT_LABELS
    from csdata.imports import ingest
    from csdata.imports.ingest import CHOICES
    from csdata.policy import (
        _FINANCE_FIELDS,
        _IN_RANGE,
        CHANNELS,
        PRICING_MODELS,
        RULES,
        Statistics,
        default_policy,
    )
    from csdata.records import entry
    from csdata.records.models import KINDS, RECRUIT_CHANNELS, REQUISITION_STATUSES
    from csdata.text import i18n
    from csdata.ui import (
        breaches,
        fixes,
        forms,
        importer,
        organisation,
        panels,
        policy_editor,
        recruiting,
        sections,
    )

    policy = default_policy()
    labelled = [*policy.scorecard.criteria, *policy.scorecard.critical_errors, *policy.appraisal.indicators]
    return {
        "role_": pages.ROLES,
        "nav_": tuple(pages.PAGES),
        "scope_what_": tuple(sorted(LIMITED)),
        "channel_": CHANNELS,
        "policy_range_": tuple(_IN_RANGE),
        "col_": i18n.COLUMNS,
        "pydantic_": i18n.PYDANTIC_ERRORS,
        "action_": tuple(code.replace(".", "_") for code in i18n.ACTIONS),
        "unit_heading_": i18n.UNIT_HEADINGS,
        "unit_": (*i18n.DURATION_UNITS, *policy_editor.UNITS),
        "weekday_": tuple(str(day) for day in range(1, 8)),
        "metric_": tuple(CATALOG),
        "metric_formula_": tuple(CATALOG),
        "metric_short_": tuple(SHORT_LABELS),
        "policy_label_": tuple(item.key for item in labelled),
        "import_choice_": CHOICES,
        "imp_kind_": tuple(KINDS),
        "imp_ref_missing_": ingest.MISSING,
        "imp_h_": importer.HISTORY_COLUMNS,
        "imp_col_": importer.REJECT_COLUMNS,
        "stage_": sections.STAGES,
        "state_": sections.STATES,
        "choice_": (
            *forms.TICKET_TYPES,
            *forms.SOURCES,
            *forms.ACTION_KINDS,
            *forms.TRAINING_KINDS,
            *RECRUIT_CHANNELS,
            *REQUISITION_STATUSES,
        ),  # fmt: skip
        "entry_open_": forms.LINK_TARGETS,
        "fu_": forms.FOLLOW_ACTIONS,
        "fu_list_": ("all", *lookups.FOLLOW_LISTS),
        "f_": (*forms.FOLLOW_COLUMNS, *lookups._ROUND, *fixes.FORM_LABELLED),
        "answer_": forms.ANSWERS,
        "astatus_": entry.ACTION_STATUSES,
        "ap_waiting_": forms.WAITING_FILTER,
        "org_value_": organisation.VALUES,
        "org_change_": organisation.CHANGES,
        "hist_change_": ("create", "update", "void"),
        "breach_rule_": RULES,
        "policy_statistics_": tuple(Statistics.model_fields),
        "policy_statistics_help_": tuple(Statistics.model_fields),
        "breach_subject_": compliance.SUBJECT_KINDS,
        "breach_state_": compliance.STATES,
        "compliance_do_": breaches.STEPS,
        "compliance_done_": breaches.STEPS,
        "spc_col_": spc.POINT_COLUMNS,
        "spc_signal_": spc.SIGNALS,
        "spc_": panels.CONTROL_PARTS,
        "trend_view_": panels.TREND_VIEWS,
        "finance_model_": PRICING_MODELS,
        "finance_field_": _FINANCE_FIELDS,
        "recruit_funnel_": tuple(stage for stage, _ in FUNNEL),
        "recruit_stage_": tuple(stage for stage, _, _ in STAGE_DAYS),
        "recruit_answer_": recruiting.OFFER_ANSWERS,
        "recruit_saved_": ("requisitions", "candidates"),
    }


def key_tables() -> tuple[str, ...]:
    """The keys held in tables of the code (a field's name by its place, a step's text) rather
    than written where text is asked for."""
    from csdata import policy
    from csdata.imports import ingest
    from csdata.ui import drilldown, importer

    return (
        *policy._PLACES.values(),
        *ingest._TYPE_PROBLEM.values(),
        *ingest._DAY_FIRST_PROBLEM.values(),
        *importer._STEPS,
        *drilldown._TITLES.values(),
    )


def header_families() -> dict[str, tuple[str, ...]]:
    """Prefix -> the columns that may have headings (`header_<kind>_<column>`, see
    `csdata.records.models`): a column need not have any besides its own name."""
    from csdata.records.models import KINDS, STAND_INS

    return {f"header_{kind}_": (*model.columns(), *STAND_INS.get(kind, ())) for kind, model in KINDS.items()}
