"""KPI cards: the value, the change from the period before, and the verdict against the target
that applies (a client's contract, a channel's threshold, or the company's)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from csdata.analytics import compiler, page_queries
from csdata.analytics.compiler import Filters
from csdata.analytics.metrics import CATALOG, meets
from csdata.policy import CHANNELS, Policy
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import (
    channel_label,
    duration_unit,
    fmt_change,
    fmt_value,
)
from csdata.ui.core import lang, policy, tr

# -- KPI cards ---------------------------------------------------------------------------------


def target_for(pol: Policy, metric: str, filters: Filters) -> float | None:
    """The target a card shows: the client's own when one client is chosen, else the company's."""
    return pol.target(metric, one_or_none(filters.clients), one_or_none(filters.channels), days=filters.days)


@dataclass(frozen=True)
class Card:
    """One KPI card: a metric over the filters, or over one channel of them."""

    metric: str
    channel: str | None
    value: float | None
    before: float | None

    def label(self, language: str) -> str:
        name = CATALOG[self.metric].short_label(language)
        return f"{name} · {channel_label(self.channel, language)}" if self.channel else name


def card_rows(frames: dict[str, pd.DataFrame], filters: Filters) -> list[Card]:
    """The cards of a page in order. A wait or handle time (`page_queries.PER_CHANNEL`) is one card
    per channel in view unless one channel is chosen: an executive reads the phone's seconds and
    email's hours each against its own target, not a blend of both that no target fits."""
    now, before = compiler.row_values(frames["cards"]), compiler.row_values(frames["cards_before"])
    split = len(filters.channels) != 1 and "by_channel" in frames
    cards = []
    for name in now:
        if split and name in page_queries.PER_CHANNEL:
            cards += _channel_cards(name, frames["by_channel"], frames.get("by_channel_before"))
        else:
            cards.append(Card(name, None, now[name], before[name]))
    return cards


def _channel_cards(name: str, now: pd.DataFrame, before: pd.DataFrame | None) -> list[Card]:
    def by_channel(frame: pd.DataFrame | None) -> dict[str, float | None]:
        if frame is None or name not in frame:
            return {}
        return {k: None if pd.isna(v) else float(v) for k, v in zip(frame["key"], frame[name], strict=True)}

    values, previous = by_channel(now), by_channel(before)
    return [Card(name, c, values[c], previous.get(c)) for c in CHANNELS if c in values]


def kpi_cards(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, per_row: int = 5) -> None:
    """One card per metric of `frames["cards"]` (per channel for waits and handle times): value,
    change on the previous period, target."""
    pol = policy(wh, filters.end)
    language = lang()
    cards = card_rows(frames, filters)
    for start in range(0, len(cards), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, cards[start : start + per_row], strict=False):
            metric = CATALOG[card.metric]
            value, prev = card.value, card.before
            delta = None if value is None or prev is None else value - prev
            duration = duration_unit(value) if metric.unit == "seconds" else None
            change = fmt_change(delta, metric.unit, language, duration)
            still = change is not None and change.startswith("±")
            colour = "off" if still else {1: "normal", -1: "inverse", 0: "off"}[metric.direction]
            with col.container(border=True):
                st.metric(
                    card.label(language),
                    fmt_value(value, metric.unit, language),
                    change,
                    delta_color=colour,
                    delta_arrow="off" if still else "auto",
                    help=f"**{metric.label(language)}**: {metric.formula(language)}",
                )
                st.caption(_target_line(pol, card, filters))


def card_target(pol: Policy, card: Card, filters: Filters) -> float | None:
    """A card's target: its channel's (or the one chosen), the client's contract if one client."""
    return pol.target(
        card.metric,
        one_or_none(filters.clients),
        card.channel or one_or_none(filters.channels),
        days=filters.days,
    )


def _target_line(pol: Policy, card: Card, filters: Filters) -> str:
    target = card_target(pol, card, filters)
    if target is None:
        return tr("no_target")
    status = meets(card.metric, card.value, target)
    verdict = "" if status is None else " · " + tr("target_met" if status else "target_missed")
    return f"{tr('target')} {fmt_value(target, CATALOG[card.metric].unit, lang())}{verdict}{_mark(status)}"


def _mark(status: bool | None) -> str:
    return {True: " :green[●]", False: " :red[●]", None: ""}[status]


def one_or_none(items: tuple[str, ...]) -> str | None:
    return items[0] if len(items) == 1 else None


def card_value(frames: dict[str, pd.DataFrame], metric: str, channel: str | None = None) -> float | None:
    """The value a card of the page shows for `metric` (of one channel, where split)."""
    frame = frames.get("cards") if channel is None else frames.get("by_channel")
    if frame is None or metric not in frame or frame.empty:
        return None
    if channel is not None:
        frame = frame[frame["key"] == channel]
        if frame.empty:
            return None
    value = frame[metric].iloc[0]
    return None if pd.isna(value) else float(value)
