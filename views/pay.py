"""Pay: base, performance pay from the appraisal grade, and bonuses, per employee and period.

Confidential: only roles that see pay (hr, finance, admin) can open it.
"""

import streamlit as st

from csdata import queries, ui

wh, user = ui.require("pay")
st.title(ui.tr("pay_title"))
st.caption(ui.tr("pay_caption"))
periods = queries.appraisal_periods(wh, appraised_only=True)
if not periods:
    st.info(ui.tr("pay_no_appraisals"))
    st.stop()
period, ends_on = ui.choose_period(periods)
frame = queries.pay_table(wh, period, ui.policy(wh, ends_on), user.scope)
ui.pay_summary(frame)
ui.table_with_downloads(
    frame,
    "pay",
    f"csdata-pay-{period}",
    money=("base_pay", "performance_pay", "bonus"),
    narrow=("pay_grade", "appraisal_score", "appraisal_grade", "coefficient"),
)
