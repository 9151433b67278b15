"""Pay: base, performance pay from the appraisal grade, and bonuses, per employee and period.

Confidential: only roles that see pay (hr, finance, admin) can open it.
"""

import streamlit as st

from csdata.analytics import lookups
from csdata.ui import admin, core, datatable, signin

wh, user = signin.require("pay")
st.title(core.tr("pay_title"))
st.caption(core.tr("pay_caption"))
periods = lookups.appraisal_periods(wh, appraised_only=True)
if not periods:
    st.info(core.tr("pay_no_appraisals"))
    st.stop()
period, ends_on = admin.choose_period(periods)
frame = lookups.pay_table(wh, period, core.policy(wh, ends_on), user.scope)
admin.pay_summary(frame)
datatable.table_with_downloads(
    frame,
    "pay",
    f"csdata-pay-{period}",
    money=("base_pay", "performance_pay", "bonus"),
    narrow=("pay_grade", "appraisal_score", "appraisal_grade", "coefficient"),
)
