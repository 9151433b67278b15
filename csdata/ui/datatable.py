"""Tables on screen with their CSV and Excel downloads: blank cells for missing values, headings
in the user's language, money as money."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import pandas as pd
import streamlit as st

from csdata.analytics import exports
from csdata.analytics.compiler import Filters
from csdata.text.i18n import (
    action_label,
    channel_label,
    column_label,
    family_key,
    fmt_detail,
    text_key,
    with_unit,
)
from csdata.ui.core import lang, tr
from csdata.ui.timing import timed_calls

# -- tables, pay ---------------------------------------------------------------------------------


def blank(frame: pd.DataFrame, numbers_too: bool = False) -> pd.DataFrame:
    """Text columns with an empty cell where there is no value, never "None" or "nan"; with
    `numbers_too` (a table on screen, where the grid would write "None"), number columns that have
    a gap become text as well: 85, 83.75, or nothing."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.astype(object).where(values.notna(), "")
        elif numbers_too and pd.api.types.is_numeric_dtype(values) and values.isna().any():
            out[column] = ["" if pd.isna(v) else f"{v:,.2f}".rstrip("0").rstrip(".") for v in values]
    return out


def table_with_downloads(
    frame: pd.DataFrame,
    kind: str,
    filename: str,
    money: tuple[str, ...] = (),
    narrow: tuple[str, ...] = (),
    wide: tuple[str, ...] = (),
    gaps: tuple[str, ...] = (),
) -> None:
    """A table with translated headings, and the same as CSV and Excel downloads. `money` columns
    stay numbers, shown as ¥1,234 on screen and headed "(¥)" in the files; `narrow` columns (short
    codes and figures) take little room, so every column fits, and `wide` ones (text) much.
    `gaps`: number columns with rows that have no value, shown empty on screen (not "None") and
    kept as numbers in the files."""
    language = lang()
    shown = frame.copy()
    if "role" in shown:
        shown["role"] = shown["role"].map(lambda r: tr(family_key("role_", r)))
    shown = blank(shown)
    headings = {c: column_label(c, language) for c in shown.columns}
    config = {headings[c]: st.column_config.NumberColumn(format="yen", width="small") for c in money}
    config |= {headings[c]: st.column_config.Column(width="small") for c in narrow if c not in money}
    config |= {headings[c]: st.column_config.Column(width="large") for c in wide}
    on_screen = shown.assign(**{c: blank(shown[[c]], numbers_too=True)[c] for c in gaps if c in shown})
    for c in (c for c in gaps if c in money and c in shown):  # money with gaps: as text, "¥1,234" or nothing
        on_screen[c] = ["" if pd.isna(v) else f"¥{v:,.0f}" for v in shown[c]]
        config[headings[c]] = st.column_config.Column(width="small")
    st.dataframe(on_screen.rename(columns=headings), hide_index=True, width="stretch", column_config=config)
    files = shown.rename(
        columns=lambda c: with_unit(headings[c], "money", language) if c in money else headings[c]
    )
    download_buttons(files, filename, f"dl_{kind}")


def audit_log_table(log: pd.DataFrame, start: dt.date, end: dt.date) -> None:
    """The audit log as a person reads it: each action in words, its detail as a short line."""
    language = lang()
    log = log.assign(
        action=[action_label(a, language) for a in log["action"]],
        detail=[fmt_detail(d, language) for d in log["detail"]],
    )
    table_with_downloads(
        log, "audit_log", f"csdata-audit-log-{start}_{end}", narrow=("id",), wide=("detail",)
    )


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@timed_calls("drawing")
def download_buttons(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    file_stem: str,
    key: str,
    labels: tuple[str, str] = (text_key("download_csv"), text_key("download_xlsx")),
) -> None:
    """The same frame as CSV and Excel downloads, side by side (formula cells made inert).

    The files are made when a button is clicked, not on every run of the page: writing an Excel
    file of a few hundred rows takes longer than drawing the whole page. `frame` may itself be a
    function that builds the frame then; it runs outside the page's run, so it must not read the
    session (its language or its filters): read those first and close over them."""
    row = st.container(horizontal=True)
    for fmt, label, mime in (("csv", labels[0], "text/csv"), ("xlsx", labels[1], XLSX_MIME)):
        row.download_button(
            tr(label),
            functools.partial(_file_bytes, frame, fmt),
            file_name=f"{file_stem}.{fmt}",
            mime=mime,
            key=f"{key}_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


def _file_bytes(frame: pd.DataFrame | Callable[[], pd.DataFrame], fmt: str) -> bytes:
    return exports.to_bytes(frame() if callable(frame) else frame, fmt)


def download(
    frame: pd.DataFrame, units: dict[str, str], heading, name: str, filters: Filters | None, key: str
) -> None:
    """CSV and Excel downloads of a table: cells in `units` as numbers in the unit their heading
    names (rates as percentages, durations in seconds), blanks empty, a file name with the table,
    the period and whom it covers."""
    language = lang()
    headings = {c: with_unit(heading(c), units.get(c, ""), language) for c in frame.columns}

    def out() -> pd.DataFrame:
        return blank(exports.as_numbers(frame, units)).rename(columns=headings)

    stem = (
        exports.file_stem(name, filters.start, filters.end, download_scope(filters))
        if filters is not None
        else f"csdata-{exports.slug(name)}"
    )
    download_buttons(out, stem, key)


def download_scope(filters: Filters) -> list[str]:
    """Whom a download covers, for its file name: the one agent, client, team or channel chosen,
    or how many where several are."""
    parts = []
    for values, plural in (
        (filters.agents, "agents"),
        (filters.clients, "clients"),
        (filters.teams, "teams"),
        (filters.channels, "channels"),
    ):
        if len(values) == 1:
            parts.append(values[0])
        elif values:
            parts.append(f"{len(values)}-{plural}")
    return parts


# Columns holding codes, and how a code is shown to a reader.
_CODES = {
    "channel": lambda v: channel_label(v, lang()),
    "stage": lambda v: tr(family_key("stage_", v)),
    "kind": lambda v: tr(family_key("choice_", v)),
    "source": lambda v: tr(family_key("choice_", v)),
    "state": lambda v: tr(family_key("state_", v)),
    # recruitment (`csdata.ui.recruitment`)
    "recruit_channel": lambda v: tr(family_key("choice_", v)),
    "requisition_status": lambda v: tr(family_key("choice_", v)),
    "funnel_stage": lambda v: tr(family_key("recruit_funnel_", v)),
    "recruit_stage": lambda v: tr(family_key("recruit_stage_", v)),
}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes as words in the user's language; times to the minute, days without a time, blanks
    where there is none."""
    shown = frame.copy()
    for column, word in _CODES.items():
        if column in shown:
            shown[column] = [word(v) if isinstance(v, str) and v else v for v in shown[column]]
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            midnight = (values.dropna().dt.normalize() == values.dropna()).all()
            shown[column] = values.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M").fillna("")
    return shown
