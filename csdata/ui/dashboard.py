"""The top of every dashboard and its data: `start(page)` checks access, draws the title, the
filter bar (`csdata.ui.filter_bar`) and the cards (`csdata.ui.kpi`), and returns every frame that
`csdata.analytics.page_queries` declares for the page, each cached until the next write. The page
then draws them with `csdata.ui.panels`, `csdata.ui.drilldown` and `csdata.ui.sections`.

The frames come as `core.Frames`, which know what they were fetched for, so that what a page
works out of them alone (the cards, the drill-down table's cells, the trend's figure) is cached
with them (`core.derived`, `core.figure`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csdata.access.scope import EVERYTHING, Scope
from csdata.analytics import page_queries
from csdata.analytics.compiler import Filters
from csdata.analytics.page_queries import Request
from csdata.store.warehouse import Warehouse
from csdata.text.i18n import family_key
from csdata.ui.core import Frames, data_version, policy, tr
from csdata.ui.filter_bar import caption, filter_bar
from csdata.ui.kpi import kpi_cards
from csdata.ui.timing import timed

# -- cached data -----------------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=512)
def _fetch(_wh: Warehouse, path: str, version: int, request: Request, scope: Scope) -> pd.DataFrame:
    return page_queries.fetch(_wh, request, scope)


def data(
    wh: Warehouse, page: str, filters: Filters, scope: Scope = EVERYTHING, choice: str | None = None
) -> Frames:
    """Every frame `page` draws, each cached by its request until the next write."""
    version = data_version(wh)
    wanted = page_queries.requests(page, filters, choice, scope, policy(wh, filters.end))
    frames = Frames(wh.address, version, scope, wanted)
    for name, r in wanted.items():
        with timed("before" if name.endswith("_before") else "requests"):
            frames[name] = _fetch(wh, wh.address, version, r, scope)
    return frames


def visible_metrics(wh: Warehouse, scope: Scope, filters: Filters, metrics: list[str]) -> list[str]:
    """Those of `metrics` the account may see (a client account: the policy's list)."""
    pol = policy(wh, filters.end)
    return [m for m in metrics if scope.allows(m, pol)]


def start(page: str, choice: str | None = None, per_row: int = 5) -> tuple[Warehouse, Scope, Filters, dict]:
    """The top every dashboard shares: access check, title, filter bar, caption, data and cards."""
    from csdata.ui.signin import require

    wh, user = require(page)
    st.title(tr("overview_title" if page == "overview" else family_key("nav_", page)))
    filters = filter_bar(wh, user.scope)
    caption(wh, filters, user.scope)
    frames = data(wh, page, filters, user.scope, choice)
    kpi_cards(wh, frames, filters, per_row)
    return wh, user.scope, filters, frames
