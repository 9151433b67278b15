"""Pay: a month's payroll (policy 六): base pay by grade, seniority pay by years of service,
performance pay from the confirmed appraisal, and the month's bonuses, one row per person.

Confidential: only roles that see pay (hr, finance, admin) can open it. What each part is, and
how joiners and leavers are prorated, is `csdata.analytics.payroll`'s.
"""

import streamlit as st

from csdata.analytics import payroll
from csdata.ui import admin, core, signin

wh, user = signin.require("pay")
st.title(core.tr("pay_title"))
st.caption(core.tr("pay_caption"))
months = payroll.months(wh)
if not months:
    st.info(core.tr("pay_no_months"))
    st.stop()
month = admin.choose_month(months)
frame = payroll.payroll(wh, month, user.scope)
admin.payroll_summary(frame)
admin.payroll_table(frame, month)
