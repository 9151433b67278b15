"""The Quality page's Calibration section: do the auditors score alike, and who leans?

The numbers are `csdata.analytics.calibration`'s, read within the account's scope for the filter
bar's period (a set counts by its audits' days; the clients and teams chosen do not narrow it,
since a calibration set is about the auditors, not the agent), cached until the next write like
every dashboard frame. Alpha is shown to three decimals beside the policy's acceptable level, an
auditor's deviation in points to the cent; each statistic has one plain line saying what it
means, and each table its CSV and Excel download.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from csdata.access.scope import Scope
from csdata.analytics import calibration, lookups
from csdata.analytics.compiler import Filters
from csdata.store.warehouse import Warehouse
from csdata.ui.core import data_version, lang, policy, tr
from csdata.ui.datatable import table_with_downloads


@st.cache_data(show_spinner=False, max_entries=32)
def _measured(_wh: Warehouse, path: str, version: int, scope: Scope, start: dt.date, end: dt.date):
    return calibration.measure(_wh, scope, start, end, policy(_wh, end))


def calibration_section(wh: Warehouse, scope: Scope, filters: Filters) -> None:
    """Alpha per criterion and for the score against the acceptable level, the number of sets, and
    the auditors' deviations with their intervals and flags; an empty state without sets."""
    st.caption(tr("calib_caption"))
    found = _measured(wh, wh.address, data_version(wh), scope, filters.start, filters.end)
    if not found.sets:
        st.info(tr("calib_none", start=filters.start, end=filters.end))
        return
    language = lang()
    pol = policy(wh, filters.end)
    level, tolerance = pol.statistics.calibration_alpha, pol.statistics.calibration_tolerance
    stem = f"csdata-calibration-{filters.start}_{filters.end}"
    st.markdown(tr("calib_sets", n=found.sets))

    st.markdown(f"**{tr('calib_alpha_title')}**")
    st.caption(tr("calib_alpha_help", level=f"{level:g}"))
    labels = {c.key: c.label(language) for c in pol.scorecard.criteria}
    alpha = pd.DataFrame(
        {
            "criterion": [
                tr("calib_score") if k == calibration.SCORE else labels.get(k, k) for k in found.alpha
            ],
            "alpha": [None if v is None else round(v, 3) for v in found.alpha.values()],
            "alpha_level": level,
            "calibration_result": [
                tr("calib_no_alpha") if v is None else tr("calib_met" if v >= level else "calib_below")
                for v in found.alpha.values()
            ],
        }
    ).astype({"alpha": float})
    table_with_downloads(alpha, "calibration_alpha", f"{stem}-alpha", gaps=("alpha",))

    st.markdown(f"**{tr('calib_auditors_title')}**")
    st.caption(tr("calib_deviation_help", tolerance=f"{tolerance:g}"))
    auditors = found.auditors
    names = lookups.employee_names(wh, list(auditors["auditor_id"]))
    flagged = [
        "" if not flag else tr("calib_flag_harsh" if mean < 0 else "calib_flag_lenient")
        for flag, mean in zip(auditors["flag"], auditors["mean_deviation"], strict=True)
    ]
    shown = pd.DataFrame(
        {
            "auditor_id": auditors["auditor_id"],
            "name": [names.get(a, "") for a in auditors["auditor_id"]],
            "audits": auditors["audits"],
            "mean_deviation": auditors["mean_deviation"].round(2),
            "low": auditors["low"].round(2),
            "high": auditors["high"].round(2),
            "flag": flagged,
        }
    )
    # As the page marks overdue actions: what needs someone's attention (a dashboard's warnings
    # are kept for filters a link could not honour).
    for r in shown[auditors["flag"].to_numpy()].itertuples():
        st.error(tr("calib_flagged_line", auditor=r.auditor_id, name=r.name, flag=r.flag))
    table_with_downloads(
        shown, "calibration_auditors", f"{stem}-auditors", narrow=("auditor_id", "audits"), wide=("flag",),
        gaps=("low", "high"),
    )  # fmt: skip
