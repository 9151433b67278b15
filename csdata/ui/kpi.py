"""KPI cards: the value, the change from the period before, and the verdict against the target
that applies (a client's contract, a channel's threshold, or the company's).

A card also says how firm its figure is (`csdata.analytics.stats`, worded by `csdata.ui.firmness`):
its help gives the 95 % interval and the cases it rests on, its caption marks "few data" below the
policy's `statistics.min_n`, and a change the test does not call clear shows as "no clear change",
not as a red or green arrow an executive would act on. A change of a figure no test applies to (a
count, a percentile, a sum) stays a grey delta."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from csdata.analytics import compiler, page_queries, stats
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
from csdata.ui.core import derived, lang, policy, tr
from csdata.ui.firmness import few_mark, interval_help

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
    estimate: stats.Estimate = stats.Estimate(None)  # the value with its interval and n
    change: stats.Change | None = None  # from `before`, with its test; None where either is missing

    def few(self, min_n: int) -> bool:
        return self.value is not None and self.estimate.few(min_n)

    def label(self, language: str) -> str:
        name = CATALOG[self.metric].short_label(language)
        return f"{name} · {channel_label(self.channel, language)}" if self.channel else name


def card_rows(frames: dict[str, pd.DataFrame], filters: Filters) -> list[Card]:
    """The cards of a page in order. A wait or handle time (`page_queries.PER_CHANNEL`) is one card
    per channel in view unless one channel is chosen: an executive reads the phone's seconds and
    email's hours each against its own target, not a blend of both that no target fits.

    The estimates of a table are worked out once for all its cards (a page of twelve cards would
    otherwise work out every metric's interval twelve times)."""
    split = len(filters.channels) != 1 and "by_channel" in frames
    found = []
    by_channel, before = frames.get("by_channel"), frames.get("by_channel_before")
    channels = {}  # channel -> its row now, its row before and their estimates
    headline = (frames["cards"], frames["cards_before"], _estimates(frames["cards"]))
    for name in compiler.row_values(frames["cards"]):
        if split and name in page_queries.PER_CHANNEL:
            for channel in CHANNELS:
                if name in by_channel and channel in set(by_channel["key"]):
                    if channel not in channels:
                        now = _of(by_channel, channel)
                        channels[channel] = (now, _of(before, channel), _estimates(now))
                    found.append(_card(name, channel, *channels[channel]))
        else:
            found.append(_card(name, None, *headline))
    return found


CARD_FRAMES = ("cards", "cards_before", "by_channel", "by_channel_before")  # what `card_rows` reads


def cards(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters) -> list[Card]:
    """`card_rows`, worked out once for the frames of a page and the filters (`core.derived`)."""
    return derived(_card_rows, wh, frames, CARD_FRAMES, filters)


def _card_rows(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters) -> list[Card]:
    return card_rows(frames, filters)


def _of(frame: pd.DataFrame | None, channel: str) -> pd.DataFrame | None:
    """The one row of `channel` in a table split by channel (None where it has none)."""
    if frame is None or frame.empty:
        return None
    rows = frame[frame["key"] == channel]
    return rows if len(rows) else None


def _estimates(now: pd.DataFrame | None) -> dict[str, stats.Estimate]:
    return {} if now is None or now.empty else stats.estimates(now)


def _card(
    name: str,
    channel: str | None,
    now: pd.DataFrame,
    before: pd.DataFrame | None,
    estimates: dict[str, stats.Estimate],
) -> Card:
    """A card from the one-row tables (with their samples, where fetched) of now and before, and
    the estimates of now's."""
    if now.empty:
        return Card(name, channel, None, None)
    estimate = estimates[name]
    if before is None or before.empty:
        return Card(name, channel, estimate.value, None, estimate)
    previous = compiler.row_values(before[[name]])[name]
    return Card(name, channel, estimate.value, previous, estimate, stats.change(name, now, before))


def kpi_cards(wh: Warehouse, frames: dict[str, pd.DataFrame], filters: Filters, per_row: int = 5) -> None:
    """One card per metric of `frames["cards"]` (per channel for waits and handle times): value,
    change on the previous period (or "no clear change"), target, and how firm the figure is."""
    pol = policy(wh, filters.end)
    language = lang()
    shown = cards(wh, frames, filters)
    for start in range(0, len(shown), per_row):
        cols = st.columns(per_row)
        for col, card in zip(cols, shown[start : start + per_row], strict=False):
            metric = CATALOG[card.metric]
            duration = duration_unit(card.value) if metric.unit == "seconds" else None
            delta, colour, arrow, said = _delta(card, language, duration)
            helps = [
                f"**{metric.label(language)}**: {metric.formula(language)}",
                interval_help(card.estimate, metric.unit, language, duration),
                said,
            ]
            with col.container(border=True):
                st.metric(
                    card.label(language),
                    fmt_value(card.value, metric.unit, language),
                    delta,
                    delta_color=colour,
                    delta_arrow=arrow,
                    help="\n\n".join(h for h in helps if h),
                )
                few = f" ·\u00a0{few_mark()}" if card.few(pol.statistics.min_n) else ""
                st.caption(_target_line(pol, card, filters) + few)


def _delta(card: Card, language: str, duration: str | None) -> tuple[str | None, str, str, str]:
    """What a card says of the change from the period before: the delta (or "no clear change"),
    its colour and arrow, and a line for its help.

    A figure with a test (a rate, a mean) shows its arrow, coloured by the metric's good direction,
    only when the test calls the change clear; otherwise "no clear change", the delta given in
    grey in the help. A figure without one keeps its delta in grey."""
    metric = CATALOG[card.metric]
    change = card.change
    text = None if change is None else fmt_change(change.delta, metric.unit, language, duration)
    if text is None:
        return None, "off", "off", ""
    still = text.startswith("±")
    tested = metric.sample is not None and metric.sample.kind is not None
    if not tested:
        return text, "off", "off" if still else "auto", ""
    if not change.clear:
        if change.p_value is None:
            return tr("no_clear_change"), "off", "off", tr("change_untested", delta=text)
        return tr("no_clear_change"), "off", "off", tr("change_unclear", delta=text, p=_p(change.p_value))
    colour = "off" if still else {1: "normal", -1: "inverse", 0: "off"}[metric.direction]
    return text, colour, "off" if still else "auto", tr("change_clear", delta=text, p=_p(change.p_value))


def _p(p_value: float) -> str:
    """A test's p value as a reader of a card needs it: "p = 0.014", or "p < 0.001"."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


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
