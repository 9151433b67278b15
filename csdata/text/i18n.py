"""English and Chinese (zh-CN) text for everything a user reads, and number formatting.

One table, key -> (English, Chinese), so a missing translation is a test failure rather than a
blank on screen. Metric names and formulas live with the metric catalog, policy labels with the
policy; everything else lives here. Messages take `str.format` parameters.
"""

from __future__ import annotations

import json
import math
import numbers
import re

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

TEXT: dict[str, tuple[str, str]] = {
    # frame
    "app_title": ("csdata · service analytics", "csdata · 客服数据分析"),
    "language": ("Language", "语言"),
    "nav_overview": ("Overview", "总览"),
    "nav_pay": ("Pay", "薪酬"),
    "nav_tickets": ("Tickets", "工单"),
    "nav_audits": ("QA audit", "质检评分"),
    "nav_training": ("Training results", "培训成绩"),
    "nav_appraisals": ("Appraisals", "绩效考核"),
    "nav_imports": ("Imports", "数据导入"),
    "coming_soon": ("This page is not ready yet.", "此页面尚未完成。"),
    "nav_users": ("Users", "用户"),
    "nav_section_dashboards": ("Dashboards", "数据看板"),
    "nav_section_data": ("Data entry", "数据录入"),
    "nav_section_admin": ("Administration", "管理"),
    "nav_service": ("Service", "客服服务"),
    "nav_complaints": ("Complaints & suggestions", "投诉与建议"),
    "nav_quality": ("Quality", "服务质量"),
    "nav_people": ("People", "人员"),
    "nav_clients": ("Clients", "客户项目"),
    "nav_agent": ("Agent", "坐席档案"),
    # dashboards (csdata.ui.dashboard)
    "all_teams": ("All teams", "全部团队"),
    "filters_ignored": (
        "Some filters of this link were not understood or are outside your access and were left out: {values}",
        "链接中的部分筛选条件无法识别或超出您的权限,已忽略:{values}",
    ),
    "company": ("Company", "公司"),
    "drill_up": ("Up one level", "返回上一级"),
    "drill_client_title": ("By client", "按客户"),
    "drill_team_title": ("By team", "按团队"),
    "drill_agent_title": ("By agent", "按坐席"),
    "drill_hint": ("Click a row to look one level down.", "点击一行查看下一级。"),
    "drill_per_channel": (
        "Speed of answer and handle time are per channel: choose one channel to see them here.",
        "平均应答时长与平均处理时长按渠道计算:选择一个渠道即可在此查看。",
    ),
    "drill_hint_agent": ("Click a row to open that agent's page.", "点击一行打开该坐席的档案。"),
    "agent": ("Agent", "坐席"),
    "team": ("Team", "团队"),
    "heatmap_title": ("Tickets by weekday and hour", "按星期与时段的工单量"),
    "unit_s": ("s", "秒"),
    "unit_min": ("min", "分钟"),
    "unit_h": ("h", "小时"),
    # The unit in a download's heading, by metric unit: "Service level (%)", "ASA (s)".
    "unit_heading_rate": ("%", "%"),
    "unit_heading_seconds": ("s", "秒"),
    "unit_heading_hours": ("h", "小时"),
    "unit_heading_money": ("¥", "¥"),
    "unit_heading_days": ("days", "天"),
    "hour_of_day": ("Hour of day", "时段"),
    "tickets_unit": ("tickets", "工单"),
    "weekday_1": ("Mon", "周一"),
    "weekday_2": ("Tue", "周二"),
    "weekday_3": ("Wed", "周三"),
    "weekday_4": ("Thu", "周四"),
    "weekday_5": ("Fri", "周五"),
    "weekday_6": ("Sat", "周六"),
    "weekday_7": ("Sun", "周日"),
    "service_trend_title": ("Answer rate and service level by week", "每周接通率与服务水平"),
    "split_by": ("Lines per", "分线依据"),
    "spread_title": ("Response and handle times", "响应与处理时长"),
    "spread_caption": (
        "Mean, median and 90th percentile per channel: a long tail shows in the 90th percentile long before "
        "it moves the mean.",
        "各渠道的均值、中位数与 P90:长尾问题会先体现在 P90 上,而均值变化不大。",
    ),
    "complaint_path_title": ("The complaint path", "投诉处理流程"),
    "funnel_title": ("Complaints of the period by stage reached", "本期投诉到达各环节的数量"),
    "stage_recorded": ("Recorded", "已受理"),
    "stage_routed": ("Routed", "已转部门"),
    "stage_fed_back": ("Fed back", "已反馈"),
    "stage_accepted": ("Accepted", "客户认可"),
    "reopened_count": ("{n} reopened by the customer after feedback.", "反馈后被客户重新打开 {n} 件。"),
    "reopens_count": (
        " {n} reopens in all: some complaints were reopened more than once.",
        "共重新打开 {n} 次:部分投诉被多次重新打开。",
    ),
    "ageing_title": (
        "Not yet accepted, by days open at the end of the period",
        "未获认可的投诉(按期末已开天数)",
    ),
    "age_days_axis": ("Days open", "已开天数"),
    "open_complaints_title": ("Open complaints, oldest first", "未获认可的投诉(最早的在前)"),
    "open_complaints_caption": (
        "Complaints opened in the period that the customer has not accepted (at most 500).",
        "本期受理且客户尚未认可的投诉(最多 500 件)。",
    ),
    "departments_title": ("Complaints and suggestions by department", "各部门的投诉与建议"),
    "criteria_title": ("Score by criterion", "分项得分"),
    "pass_mark": ("Pass mark", "合格线"),
    "findings_title": ("Findings by category", "问题类别"),
    "unspecified": ("(not given)", "(未填写)"),
    "unassigned": ("(unassigned: no team)", "(未分配队列)"),
    "unanswered": ("(never answered)", "(未接通)"),
    "ranking_title": ("Agents ranked by QA score", "坐席质检排名"),
    "ranking_caption": (
        "Ranked only with at least {n} audits in the period (the policy's minimum); {left_out} agents had fewer.",
        "本期质检不少于 {n} 次(制度规定的最低次数)才参与排名;{left_out} 名坐席次数不足。",
    ),
    "auditors_title": ("Auditors compared", "质检员对比"),
    "auditors_caption": (
        "Mean score given and its spread: a mean far from the others shows a lenient or a harsh auditor.",
        "给分均值与离散度:均值明显偏离他人说明评分偏松或偏严。",
    ),
    "actions_title": ("Corrective actions", "整改措施"),
    "actions_unit": ("actions", "项"),
    "overdue_actions": (
        "{n} corrective actions were overdue on {end}.",
        "截至 {end} 有 {n} 项整改措施逾期。",
    ),
    "state_open": ("Open", "进行中"),
    "state_overdue": ("Overdue", "已逾期"),
    "state_done": ("Done", "已完成"),
    "state_cancelled": ("Cancelled", "已取消"),
    "training_by_team_title": ("Training hours per head by team", "各团队人均培训时长"),
    "go_live_title": ("Went live in the period", "本期上岗人员"),
    "go_live_caption": (
        "Only those who pass the onboarding exam may go live: anyone who handled tickets before passing is "
        "flagged.",
        "岗前考核合格者方可正式上岗:考核合格前已处理工单的人员会被标出。",
    ),
    "worked_before_passing_alert": (
        "{n} handled tickets before passing onboarding: {ids}",
        "{n} 人在岗前考核合格前已处理工单:{ids}",
    ),
    "grades_title": ("Appraisal grades per period", "各考核期等级分布"),
    "period_axis": ("Period", "考核期"),
    "people_unit": ("people", "人"),
    "top_title": ("Top performers, {period}", "优秀员工({period})"),
    "below_title": ("Below standard", "未达标人员"),
    "below_caption": (
        "Everyone in the lowest grade needs a coaching record; a second period below standard goes to HR.",
        "最低等级人员须有辅导记录;连续两期未达标须报人力资源部。",
    ),
    "below_without_coaching": (
        "{n} below standard without a coaching record: {ids}",
        "{n} 名未达标人员没有辅导记录:{ids}",
    ),
    "client_trends_title": ("Weekly trend of each headline metric", "各核心指标的周趋势"),
    "agent_unknown": (
        "Agent {agent} is not one you can see; showing another.",
        "无法查看坐席 {agent},已显示其他坐席。",
    ),
    "agent_audits_title": ("QA audits in the period", "本期质检记录"),
    "agent_training_title": ("Training", "培训记录"),
    "agent_appraisals_title": ("Appraisals", "绩效考核记录"),
    "nav_policy": ("Policy", "制度参数"),
    "nav_audit_log": ("Audit log", "操作日志"),
    # data-entry forms (csdata.ui.forms, csdata.records.entry)
    "none_chosen": ("–", "–"),
    "auto_id": ("blank: made for you", "留空则自动生成"),
    "entry_exists": ("a record with this key is already in the warehouse", "数据仓库中已有相同编号的记录"),
    "entry_before_opened": ("is before the time the ticket was opened", "早于工单受理时间"),
    "entry_reason_required": (
        "give a reason: a proposed value was changed",
        "修改了系统建议值,请填写原因",
    ),
    "entry_ticket_saved": ("Ticket {id} saved.", "工单 {id} 已保存。"),
    "entry_already_saved": (
        "Already saved as {id}: the same values were not saved a second time.",
        "已保存为 {id}:相同内容不会重复保存。",
    ),
    "entry_open_tickets": ("Follow it up", "去跟进"),
    "entry_open_agent": ("See it on the agent's page", "在坐席页面查看"),
    "entry_client_out_of_scope": (
        "client '{value}' is outside your scope",
        "客户“{value}”不在您的权限范围内",
    ),
    "entry_agent_out_of_scope": ("agent '{value}' is not in your teams", "坐席“{value}”不在您的团队中"),
    "entry_unknown_owner": ("no employee '{value}'", "没有工号为“{value}”的员工"),
    "entry_due_before_audit": ("the due date is before the audit date", "完成期限早于质检日期"),
    "entry_unknown_period": ("no appraisal period '{value}'", "没有考核期“{value}”"),
    "choice_consultation": ("Consultation", "咨询"),
    "choice_complaint": ("Complaint", "投诉"),
    "choice_suggestion": ("Suggestion", "建议"),
    "choice_recording": ("Recording", "录音质检"),
    "choice_spot_check": ("Spot check", "抽查"),
    "choice_customer_feedback": ("Customer feedback", "客户反馈"),
    "choice_coaching": ("Coaching", "辅导"),
    "choice_training": ("Training", "培训"),
    "choice_script_change": ("Script change", "话术修改"),
    "choice_onboarding": ("Onboarding", "岗前培训"),
    "choice_in_service": ("In-service", "在职培训"),
    "f_ticket_id": ("Ticket ID", "工单号"),
    "f_client": ("Client", "客户"),
    "f_type": ("Type", "类型"),
    "f_agent": ("Agent", "坐席"),
    "f_agent_id": ("Agent", "坐席工号"),
    "f_queue": ("Team (queue)", "队列(团队)"),
    "f_queue_help": (
        "The team whose queue the ticket was offered to. Blank: the agent's team, else the client's only team.",
        "工单进入的队列所属团队。留空:取坐席的团队,否则取该客户唯一的团队。",
    ),
    "f_opened_at": ("Opened at", "受理时间"),
    "f_first_response_at": ("First response at", "首次响应时间"),
    "f_resolved_at": ("Resolved at", "解决时间"),
    "f_callback_promised_at": ("Callback promised for", "承诺回复时间"),
    "f_callback_done_at": ("Called back at", "实际回复时间"),
    "f_handle_seconds": ("Handle time (seconds)", "处理时长(秒)"),
    "f_csat": ("Satisfaction (1–5)", "满意度(1–5)"),
    "f_category": ("Category", "问题类别"),
    "f_resolved": ("Resolved", "已解决"),
    "f_fcr": ("Resolved at first contact", "首次接触即解决"),
    "f_department": ("Department", "处理部门"),
    "f_feedback_at": ("Fed back at", "反馈时间"),
    "f_customer_accepted": ("Customer accepted", "客户认可"),
    "f_reopened": ("Reopened", "重开"),
    "f_round": ("Round", "轮次"),
    "f_answer": ("Customer's answer", "客户答复"),
    "f_answered_at": ("Answered at", "答复时间"),
    "answer_accepted": ("Accepted", "认可"),
    "answer_reopened": ("Reopened", "重开"),
    "answer_awaiting": ("Awaiting the answer", "待客户答复"),
    "fu_rounds": ("Rounds of feedback so far", "历次反馈"),
    "f_suggestion_adopted": ("Suggestion adopted", "建议已采纳"),
    "f_reward_amount": ("Reward to the customer (¥)", "给客户的奖励(元)"),
    "f_audit_id": ("Audit ID", "质检编号"),
    "f_audited_at": ("Audit date", "质检日期"),
    "f_auditor": ("Auditor", "质检员"),
    "f_source": ("Source", "质检来源"),
    "f_finding_category": ("Finding category", "问题类别"),
    "f_comment": ("Comment", "评语"),
    "f_action_kind": ("Corrective action", "整改措施"),
    "f_owner": ("Owner", "负责人"),
    "f_due_on": ("Due on", "完成期限"),
    "f_note": ("Note", "说明"),
    "f_employee": ("Employee", "员工"),
    "f_course": ("Course", "课程"),
    "f_kind": ("Kind", "培训类型"),
    "f_taken_on": ("Date", "日期"),
    "f_score": ("Score", "成绩"),
    "f_hours": ("Hours", "学时"),
    "f_attempt": ("Attempt", "考试次数"),
    "f_reviewer": ("Reviewer", "考核人"),
    "tickets_new": ("New ticket", "新建工单"),
    "tickets_follow_up": ("Follow up", "跟进"),
    "fu_caption_list": (
        "{shown} of {n} shown. Find any ticket of yours by its id above.",
        "显示 {n} 张中的 {shown} 张。可在上方按工单号查找您的任一工单。",
    ),
    "fu_find": ("Find a ticket by id", "按工单号查找"),
    "fu_find_placeholder": ("e.g. F20261203091500A1B2", "例如 F20261203091500A1B2"),
    "fu_not_found": (
        "No ticket {id} among the tickets you may see.",
        "在您权限范围内没有工单 {id}。",
    ),
    "fu_list": ("Due", "待办"),
    "fu_list_awaiting_feedback": ("Complaints awaiting feedback", "待反馈的投诉"),
    "fu_list_awaiting_acceptance": ("Awaiting the customer", "待客户确认"),
    "fu_list_callbacks_due": ("Callbacks due today or overdue", "今日到期或逾期的回电"),
    "fu_list_suggestions": ("Suggestions to decide", "待处理的建议"),
    "fu_list_all": ("All open", "全部未结"),
    "fu_newest_first": ("Newest first", "最新在前"),
    "fu_none": ("Nothing to follow up.", "没有需要跟进的工单。"),
    "fu_ticket": ("Ticket", "工单"),
    "fu_action": ("Action", "操作"),
    "fu_route": ("Route to a department", "转交部门"),
    "fu_feedback": ("Result fed back", "已反馈结果"),
    "fu_accept": ("Customer accepted", "客户认可"),
    "fu_reopen": ("Customer reopened", "客户不认可(重开)"),
    "fu_callback": ("Callback made", "已回电"),
    "fu_decide": ("Suggestion decided", "建议处理结果"),
    "fu_when": ("When", "时间"),
    "fu_apply": ("Record", "记录"),
    "fu_done": ("Ticket {id} updated.", "工单 {id} 已更新。"),
    "wf_no_ticket": ("no ticket '{ticket}'", "没有工单“{ticket}”"),
    "wf_out_of_scope": ("ticket '{ticket}' is outside your scope", "工单“{ticket}”不在您的权限范围内"),
    "wf_route_type": ("only complaints and suggestions are routed", "只有投诉和建议需要转交部门"),
    "wf_need_department": ("choose the department", "请选择处理部门"),
    "wf_closed": ("the customer has already accepted this complaint", "客户已认可该投诉,工单已关闭"),
    "wf_complaint_only": ("only a complaint has this step", "只有投诉有此步骤"),
    "wf_suggestion_only": ("only a suggestion has this step", "只有建议有此步骤"),
    "wf_feedback_before_route": (
        "route the complaint to a department before feeding back a result",
        "请先将投诉转交部门,再反馈处理结果",
    ),
    "wf_decide_before_route": (
        "route the suggestion to a department before deciding on it",
        "请先将建议转交部门,再记录处理结果",
    ),
    "wf_answer_before_feedback": (
        "the customer can accept or reopen only after a result was fed back",
        "须先向客户反馈处理结果,客户才能认可或重开",
    ),
    "wf_awaiting_answer": (
        "the customer has not answered the last feedback yet; record accepted or reopened first",
        "客户尚未答复上一次反馈;请先记录认可或重开",
    ),
    "wf_already_answered": (
        "the customer has already answered this feedback; feed back again first",
        "客户已对本次反馈作出答复;请先再次反馈",
    ),
    "wf_no_callback": ("no callback was promised on this ticket", "该工单没有承诺回电"),
    "wf_callback_done_already": ("the callback is already recorded", "回电已记录"),
    "wf_time_before": ("the time is before {column} ({at})", "时间早于 {column}({at})"),
    "wf_reward_negative": ("the reward cannot be negative", "奖励金额不能为负数"),
    "wf_reward_needs_adoption": (
        "a reward goes only with an adopted suggestion",
        "只有被采纳的建议才能给予奖励",
    ),
    "qa_scorecard": ("Scorecard", "评分表"),
    "qa_scorecard_caption": (
        "Score each criterion 0–100 or mark it not applicable. Score = Σ(weight × score) ÷ Σ(weight) "
        "over the criteria scored; a critical error makes it 0. Pass mark {mark}.",
        "每项评 0–100 分,或勾选“不适用”。得分 = Σ(权重 × 分数) ÷ Σ(权重),只计已评分的项;"
        "有致命错误则为 0 分。合格线 {mark} 分。",
    ),
    "qa_weight": ("weight {w}%", "权重 {w}%"),
    "qa_na": ("N/A", "不适用"),
    "qa_critical": ("Critical error", "致命错误"),
    "qa_no_critical": ("None", "无"),
    "qa_live_score": ("Weighted score", "加权得分"),
    "qa_result": ("Result", "结果"),
    "qa_pass": ("Pass", "合格"),
    "qa_fail": ("Fail", "不合格"),
    "qa_score_or_na": ("give a score or mark it not applicable", "请评分或勾选“不适用”"),
    "qa_add_action": ("Add a corrective action", "添加整改措施"),
    "qa_saved": ("Audit {id} saved, score {score}.", "质检 {id} 已保存,得分 {score}。"),
    "tr_course_placeholder": ("Choose or type a new course", "选择课程或输入新课程名"),
    "tr_pass_mark": ("pass mark {mark}", "合格线 {mark} 分"),
    "tr_no_pass_mark": ("This course has no pass mark.", "该课程没有合格线。"),
    "tr_saved": (
        "Training result saved: {employee}, {course}, attempt {attempt}.",
        "培训成绩已保存:{employee},{course},第 {attempt} 次。",
    ),
    "ap_no_periods": ("No appraisal periods yet.", "尚无考核期。"),
    "ap_choose": ("Choose an employee to see the proposed values.", "请选择员工以查看系统建议值。"),
    "ap_exists": (
        "Already appraised for this period: score {score}, grade {grade}, confirmed by {who}.",
        "该员工本期已有考核结果:得分 {score},等级 {grade},确认人 {who}。",
    ),
    "ap_already": ("this employee is already appraised for this period", "该员工本期已考核"),
    "ap_indicators": ("Indicators", "考核指标"),
    "ap_proposed": ("proposed from the data: {value}", "系统建议值:{value}"),
    "ap_no_data": ("no data in the period: enter a value", "本期无数据,请手工填写"),
    "ap_by_reviewer": ("entered by the reviewer", "由考核人填写"),
    "ap_efficiency_help": (
        "Satisfaction = CSAT (4–5) % of the agent's rated tickets in the period; quality = mean QA score; "
        "efficiency = 100 × team median AHT ({team} s) ÷ the agent's AHT ({agent} s), at most 100.",
        "客户满意度 = 本期坐席评价中 4–5 分的比例 × 100;服务质量 = 质检平均分;"
        "工作效率 = 100 × 团队平均处理时长中位数({team} 秒)÷ 本人平均处理时长({agent} 秒),最高 100。",
    ),
    "ap_reason": ("Reason for changing a proposed value", "修改建议值的原因"),
    "ap_score": ("Weighted score", "加权得分"),
    "ap_grade": ("Grade", "等级"),
    "coefficient_label": ("Pay coefficient", "绩效系数"),
    "performance_pay_label": ("Performance pay / month", "月绩效工资"),
    "ap_incomplete": ("Fill in every indicator to see the result.", "填写全部指标后显示结果。"),
    "ap_confirm": ("Confirm appraisal", "确认考核"),
    "ap_saved": (
        "Appraisal of {employee} for {period} confirmed, grade {grade}.",
        "{employee} {period} 的考核已确认,等级 {grade}。",
    ),
    # filter bar
    "filters": ("Filters", "筛选"),
    "period": ("Period", "期间"),
    "clients": ("Clients", "客户"),
    "channels": ("Channels", "渠道"),
    "all_clients": ("All clients", "全部客户"),
    "all_channels": ("All channels", "全部渠道"),
    "period_needs_two_dates": ("Choose a start and an end date.", "请选择开始和结束日期。"),
    "channel_phone": ("Phone", "电话"),
    "channel_chat": ("Chat", "在线"),
    "channel_email": ("Email", "邮件"),
    # overview
    "overview_title": ("Service overview", "服务总览"),
    "overview_caption": (
        "{start} to {end} · {scope} · compared with {prev_start} to {prev_end}",
        "{start} 至 {end} · {scope} · 对比 {prev_start} 至 {prev_end}",
    ),
    "target": ("Target", "目标"),
    "no_target": ("no target", "无目标"),
    "target_met": ("meets target", "达标"),
    "target_missed": ("below target", "未达标"),
    "vs_previous": ("vs previous period", "较上期"),
    "no_data": ("No data for this selection.", "所选范围内没有数据。"),
    "empty_warehouse": (
        "The warehouse has no tickets yet. Import data or build the demo with `csdata init --sample`.",
        "数据仓库中还没有工单。请导入数据,或用 `csdata init --sample` 生成演示数据。",
    ),
    "trend_title": ("Weekly trend", "周趋势"),
    "trend_metric": ("Metric", "指标"),
    "week": ("Week", "周"),
    "client": ("Client", "客户"),
    "channel": ("Channel", "渠道"),
    "per_channel": ("by channel", "分渠道"),
    # pay
    "pay_title": ("Pay", "薪酬"),
    "pay_caption": (
        "Monthly base pay by pay grade, monthly performance pay = the grade's performance-pay base × "
        "the appraisal grade's coefficient, and the period's bonuses. Confidential.",
        "月基本工资按职级;月绩效工资 = 职级绩效工资基数 × 考核等级系数;另列本期奖金。保密信息。",
    ),
    "pay_no_appraisals": (
        "No appraisals yet, so no performance pay to show.",
        "尚无绩效考核结果,暂无绩效工资。",
    ),
    "appraisal_period": ("Appraisal period", "考核期"),
    "pay_people": ("People appraised", "考核人数"),
    "pay_base_total": ("Base pay per month", "月基本工资合计"),
    "pay_performance_total": ("Performance pay per month", "月绩效工资合计"),
    "pay_bonus_total": ("Bonuses in the period", "本期奖金合计"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "download_xlsx": ("Download Excel", "下载 Excel"),
    # audit log
    "audit_log_title": ("Audit log", "操作日志"),
    "audit_log_caption": (
        "Every write and sign-in: who, when, what. Nothing here can be changed or deleted.",
        "所有写入与登录记录:谁、何时、做了什么。本日志不可修改或删除。",
    ),
    # What each action code of the audit log means (an unknown code is shown as it is).
    "action_auth_ok": ("Signed in", "登录成功"),
    "action_auth_fail": ("Sign-in refused", "登录失败"),
    "action_auth_wait": ("Sign-in while locked", "锁定期间尝试登录"),
    "action_auth_flood": ("Many failed sign-ins: all names locked", "大量登录失败:全部账号锁定"),
    "action_auth_session_start": ("Session started", "开始会话"),
    "action_auth_session_end": ("Signed out (sessions ended)", "退出登录(结束会话)"),
    "action_user_add": ("Account added", "新增账号"),
    "action_user_update": ("Account changed", "修改账号"),
    "action_user_passwd": ("Password changed", "修改密码"),
    "action_user_enable": ("Account reopened", "启用账号"),
    "action_user_disable": ("Account closed", "停用账号"),
    "action_policy_save": ("Policy saved", "保存管理制度"),
    "action_ticket_route": ("Ticket routed", "工单转派"),
    "action_ticket_feedback": ("Result fed back", "反馈处理结果"),
    "action_ticket_accept": ("Customer accepted", "客户认可"),
    "action_ticket_reopen": ("Complaint reopened", "投诉重开"),
    "action_ticket_callback": ("Callback made", "完成回电/回复"),
    "action_ticket_suggestion": ("Suggestion decided", "建议处理决定"),
    "action_import_tickets": ("Tickets imported", "导入工单"),
    "action_import_audits": ("Audits imported", "导入质检"),
    "action_import_training": ("Training results imported", "导入培训成绩"),
    "action_import_appraisals": ("Appraisals imported", "导入绩效考核"),
    "action_import_employees": ("Employees imported", "导入员工"),
    "action_sample_org": ("Demo organisation built", "生成演示组织"),
    "action_sample_tickets": ("Demo tickets built", "生成演示工单"),
    "action_sample_audits": ("Demo audits built", "生成演示质检"),
    "action_sample_scale_audits": ("Demo audits multiplied", "扩充演示质检"),
    "action_sample_training": ("Demo training built", "生成演示培训"),
    "action_sample_appraisals": ("Demo appraisals built", "生成演示绩效"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "log_actor": ("Who", "操作人"),
    "log_action": ("Action", "操作"),
    # users
    "users_title": ("Users", "用户管理"),
    "users_add": ("Add a user", "新增用户"),
    "users_edit": ("Change a user", "修改用户"),
    "role": ("Role", "角色"),
    "teams": ("Teams", "团队"),
    "email": ("E-mail (for single sign-on)", "电子邮箱(用于单点登录)"),
    "user_employee": ("Employee using this account", "使用该账户的员工"),
    "user_employee_help": (
        "Forms fill this person in: the auditor of a QA audit, the reviewer of an appraisal.",
        "表单会自动填入此人:质检的质检员、绩效考核的考核人。",
    ),
    "active": ("Active", "启用"),
    "new_password": ("New password (leave blank to keep)", "新密码(留空则不变)"),
    "save": ("Save", "保存"),
    "choose": ("Choose…", "请选择…"),
    "saved": ("Saved.", "已保存。"),
    "user_to_edit": ("User", "用户"),
    # policy
    "policy_title": ("Policy", "制度参数"),
    "policy_caption": (
        "The rules every number is measured by. Saving makes a new version from its effective date; "
        "periods ending earlier keep the version they were measured under.",
        "所有指标所依据的规则。保存后自生效日期起形成新版本;此前结束的期间仍按原版本计量。",
    ),
    "policy_version": ("Version {version}, in force from {date}", "第 {version} 版,自 {date} 起生效"),
    "policy_effective_from": ("Effective from", "生效日期"),
    "policy_sla": ("Service-level thresholds (seconds)", "服务水平时限(秒)"),
    "policy_targets": ("Company targets", "公司目标"),
    "policy_channel_targets": ("Targets per channel", "分渠道目标"),
    "policy_scorecard": ("QA scorecard (weights add up to 100)", "质检评分表(权重合计 100)"),
    "policy_pass_mark": ("QA pass mark", "质检合格线"),
    "policy_critical": ("Critical errors (any one zeroes the audit)", "致命错误(任一项即记 0 分)"),
    "policy_training": ("Training and ranking", "培训与排名"),
    "policy_onboarding_pass": ("Onboarding pass mark", "岗前考核合格线"),
    "policy_training_hours": ("In-service training hours per head per quarter", "每人每季度在职培训小时数"),
    "policy_min_audits": ("Audits before an agent is ranked", "参与排名所需最少质检次数"),
    "policy_appraisal": ("Appraisal indicators (weights add up to 100)", "考核指标(权重合计 100)"),
    "policy_bands": ("Grade bands and performance-pay coefficients", "等级区间与绩效系数"),
    "policy_contract_targets": (
        "Client contracts: targets (blank channel = all channels)",
        "客户合同:目标(渠道留空 = 全部渠道)",
    ),
    "policy_contract_sla": (
        "Client contracts: service-level thresholds (seconds)",
        "客户合同:服务水平时限(秒)",
    ),
    "policy_target_help": (
        "In the unit beside it: rates in percent (95 = 95 %, 0–100), times in seconds (above 0), "
        "complaint feedback in hours, scores 0–100, ratings 1–5",
        "单位见右侧:比率填百分数(95 = 95%,0–100),时长填秒(大于 0),投诉反馈填小时,分数 0–100,评分 1–5",
    ),
    "policy_unit": ("Unit", "单位"),
    "unit_rate": ("%", "%"),
    "unit_seconds": ("seconds", "秒"),
    "unit_hours": ("hours", "小时"),
    "unit_points": ("points (0–100)", "分(0–100)"),
    "unit_rating": ("rating (1–5)", "评分(1–5)"),
    "unit_count": ("count", "数量"),
    "unit_money": ("yuan", "元"),
    "policy_unsaved": ("Unsaved changes", "有未保存的改动"),
    "policy_file_breaks_rules": (
        "That policy file breaks the policy's rules, so it was not loaded:",
        "该制度参数文件不符合规则,未载入:",
    ),
    "policy_unchanged": ("Nothing has changed, so no new version was saved.", "内容未改动,未保存新版本。"),
    "policy_saved": ("Saved as version {version}.", "已保存为第 {version} 版。"),
    "policy_invalid": ("Not saved. Please correct:", "未保存,请更正:"),
    "policy_file": ("Policy as a file", "制度参数文件"),
    "policy_download": ("Download this policy (JSON)", "下载当前制度参数(JSON)"),
    "policy_upload": ("Load a policy file to review and save", "载入制度参数文件以核对并保存"),
    "policy_bad_file": (
        "That file is not a policy file (JSON of this app's policy). Nothing was changed.",
        "该文件不是本系统的制度参数文件(JSON)。未做任何更改。",
    ),
    "policy_loaded": (
        "Loaded {name}. Review the tables below, then save.",
        "已载入 {name}。请核对下方各表后保存。",
    ),
    # imports: the file as a whole
    "imp_cannot_decode": (
        "cannot read the text: it is not UTF-8, UTF-16 or GB18030",
        "无法识别文本编码:既不是 UTF-8、UTF-16,也不是 GB18030",
    ),
    "imp_bad_xlsx": ("not a readable Excel (.xlsx) workbook", "不是可读取的 Excel(.xlsx)工作簿"),
    "imp_empty": ("the file has no rows", "文件中没有数据行"),
    "imp_xlsx_too_big": (
        "the workbook expands to {size} MB uncompressed, over the limit of {limit} MB "
        "(CSDATA_XLSX_MAX_MB); split it or save it as CSV",
        "该工作簿解压后为 {size} MB,超过 {limit} MB 的上限(CSDATA_XLSX_MAX_MB);请拆分文件或另存为 CSV",
    ),
    "imp_xlsx_too_many_rows": (
        "the first sheet has {rows} rows, over the limit of {limit} (CSDATA_XLSX_MAX_ROWS); "
        "split it or save it as CSV",
        "第一个工作表有 {rows} 行,超过 {limit} 行的上限(CSDATA_XLSX_MAX_ROWS);请拆分文件或另存为 CSV",
    ),
    "imp_unreadable": ("the file cannot be read as a table: {detail}", "无法按表格读取该文件:{detail}"),
    "imp_bad_mapping": ("the column mapping cannot be used: {detail}", "无法使用该列映射:{detail}"),
    "imp_missing_columns": ("required columns missing: {columns}", "缺少必需的列:{columns}"),
    "cli_map_columns": (
        "required columns missing: {missing}; the file has {columns}: map them to ours with --mapping FILE"
        " (examples in sample_data/mappings/)",
        "缺少必需的列:{missing};文件中的列为 {columns}:请用 --mapping FILE 映射到系统列(示例见 sample_data/mappings/)",
    ),
    "imp_mapping_columns": (
        "the mapping names columns the file does not have: {columns}",
        "映射中指定的列在文件中不存在:{columns}",
    ),
    "imp_unknown_kind": ("unknown kind '{kind}'; choose one of {kinds}", "未知数据类型“{kind}”;可选:{kinds}"),
    "imp_no_file": ("no such file: {path}", "文件不存在:{path}"),
    "imp_summary": (
        "{rows} rows read: {imported} imported, {duplicates} already present, {rejected} rejected",
        "读取 {rows} 行:导入 {imported} 行,已存在 {duplicates} 行,拒绝 {rejected} 行",
    ),
    "imp_dropped": (
        "not stored (customer personal data): {columns}",
        "未保存(客户个人信息):{columns}",
    ),
    "imp_ignored": ("columns not used: {columns}", "未使用的列:{columns}"),
    "imp_created": ("created in {table}: {values}", "已在 {table} 中新建:{values}"),
    "imp_row": ("row", "第"),
    "imp_more_rejects": (
        "more rejected rows than shown; use --json for the full list",
        "被拒绝的行多于以上所列;完整列表请用 --json",
    ),
    "imp_strict_nothing": ("--strict: nothing was imported", "--strict:未导入任何数据"),
    # imports: one cell or row
    "imp_required": ("is required", "为必填项"),
    "imp_choice": ("must be one of {choices}", "须为以下之一:{choices}"),
    "imp_bool": (
        "must be yes or no (Y/N, 是/否, 1/0, true/false)",
        "须为是或否(Y/N、是/否、1/0、true/false)",
    ),
    "imp_int": ("must be a whole number", "须为整数"),
    "imp_number": ("must be a number", "须为数字"),
    "imp_date": ("must be a date such as 2026-03-05 or 2026/3/5", "须为日期,如 2026-03-05 或 2026/3/5"),
    "imp_datetime": (
        "must be a date and time such as 2026-03-05 14:30",
        "须为日期时间,如 2026-03-05 14:30",
    ),
    "imp_date_day_first": (
        "must be a date such as 2026-03-05 or 2026/3/5; this one is written day first (31-12-2026):"
        " import with dates day first (--day-first)",
        "须为日期,如 2026-03-05 或 2026/3/5;此值为日在前写法(31-12-2026):请按日期为日在前导入(--day-first)",
    ),
    "imp_datetime_day_first": (
        "must be a date and time such as 2026-03-05 14:30; this one is written day first"
        " (31-12-2026 14:30): import with dates day first (--day-first)",
        "须为日期时间,如 2026-03-05 14:30;此值为日在前写法(31-12-2026 14:30):请按日期为日在前导入(--day-first)",
    ),
    "imp_at_least": ("must be at least {n}", "不能小于 {n}"),
    "imp_at_most": ("must be at most {n}", "不能大于 {n}"),
    "imp_id_other_client": ("another client's ticket already has this id", "该工单号已被另一客户的工单使用"),
    "imp_duplicate_in_file": ("the same record appears earlier in this file", "该记录在本文件中重复出现"),
    "imp_unknown_ref": (
        "not in the warehouse (import it first, or choose to create missing entries)",
        "数据仓库中不存在(请先导入,或选择自动创建缺失项)",
    ),
    # imports page
    "imp_agent_out_of_scope": (
        "not an agent of your teams: you may import rows for your own teams only",
        "不是您所带团队的人员:您只能导入本团队的数据",
    ),
    "imp_client_out_of_scope": ("not a client your teams serve", "不是您的团队所服务的客户"),
    "imp_team_out_of_scope": (
        "not one of your teams: you may import tickets of your own teams' queues only",
        "不是您所带的团队:您只能导入本团队队列的工单",
    ),
    "imp_team_needed": (
        "no team: neither the agent nor the client gives one; name the team (queue) the ticket was offered to",
        "缺少团队:坐席和客户都无法确定团队;请填写工单进入的队列(团队)",
    ),
    "imp_team_other_client": (
        "this team serves another client, not this ticket's",
        "该团队服务于其他客户,不是本工单的客户",
    ),
    "imp_kind": ("Kind of records", "数据类型"),
    "imp_kind_tickets": ("Tickets", "工单"),
    "imp_kind_audits": ("QA audits", "质检记录"),
    "imp_kind_training": ("Training results", "培训成绩"),
    "imp_kind_appraisals": ("Appraisals", "绩效考核"),
    "imp_kind_employees": ("Employees", "员工"),
    "imp_template_caption": (
        "Start from the template: our columns in order, with a few example rows.",
        "建议从模板开始:按顺序列出系统的各列,并附几行示例。",
    ),
    "imp_template_csv": ("Template (CSV)", "模板(CSV)"),
    "imp_template_xlsx": ("Template (Excel)", "模板(Excel)"),
    "imp_upload": ("File to import (CSV or Excel)", "要导入的文件(CSV 或 Excel)"),
    "imp_strict": ("All or nothing", "全部导入或全不导入"),
    "imp_strict_help": ("Import nothing if any row is rejected.", "只要有一行被拒绝,就不导入任何数据。"),
    "imp_create_missing": ("Create missing clients and people", "自动创建缺失的客户和人员"),
    "imp_create_missing_help": (
        "Clients, employees, teams and appraisal periods the file names but the warehouse lacks are created; pay grades never are.",
        "文件中出现而数据仓库中没有的客户、员工、团队和考核期将被创建;职级不会被创建。",
    ),
    "imp_day_first": ("Dates are day first (31/12/2026)", "日期为日在前(31/12/2026)"),
    "imp_day_first_help": (
        "Read 05/03/2026 as 5 March, not as 3 May.",
        "将 05/03/2026 读作 3 月 5 日,而不是 5 月 3 日。",
    ),
    "imp_mapping": ("Column mapping", "列映射"),
    "imp_mapping_caption": (
        "For each of our columns, the file's column it comes from; or a date column plus a time column joined into one (blank where either is blank, as an unanswered call's answer time); or one value for every row (a channel, a client).",
        "为系统的每一列指定文件中对应的列;或把一个日期列和一个时间列合并为一列(任一为空则为空,如未接来电的应答时间);或为所有行指定同一个值(如渠道、客户)。",
    ),
    "imp_map_column": ("Our column", "系统列"),
    "imp_map_required": ("Required", "必填"),
    "imp_map_file_column": ("File column", "文件中的列"),
    "imp_map_time_column": ("+ time column", "+ 时间列"),
    "imp_map_constant": ("or this value for every row", "或所有行取此值"),
    "imp_mapping_download": ("Download this mapping (TOML)", "下载此映射(TOML)"),
    "imp_mapping_upload": ("Load a saved mapping (TOML)", "载入已保存的映射(TOML)"),
    "imp_mapping_loaded": ("Using the mapping from {name}.", "正在使用 {name} 中的映射。"),
    "imp_mapping_kind": ("the mapping is for {kind}, not for {chosen}", "该映射用于 {kind},不是 {chosen}"),
    "imp_mapping_other_kind": (
        "That mapping is for {kind}, not for {chosen}; it is not used.",
        "该映射用于“{kind}”,不是“{chosen}”,未使用。",
    ),
    "imp_mapping_needed": (
        "Say which file column holds each missing column under “Column mapping”.",
        "请在“列映射”中为缺少的列指定文件中的列。",
    ),
    "imp_cannot_use": (
        "This file cannot be imported: {reason}. Nothing was written.",
        "无法导入此文件:{reason}。未写入任何数据。",
    ),
    "imp_failed": ("The file could not be imported. Nothing was written.", "文件未能导入,未写入任何数据。"),
    "imp_preview": ("Preview", "预览"),
    "imp_preview_caption": ("{file} is checked but not imported yet.", "{file} 已检查,尚未导入。"),
    "imp_m_rows": ("Rows read", "读取行数"),
    "imp_m_new": ("To import", "将导入"),
    "imp_m_imported": ("Imported", "已导入"),
    "imp_m_present": ("Already present", "已存在"),
    "imp_m_rejected": ("Rejected", "已拒绝"),
    "imp_rejects": ("Rejected rows", "被拒绝的行"),
    "imp_col_row": ("Row", "行号"),
    "imp_col_column": ("Column", "列"),
    "imp_col_value": ("Value", "值"),
    "imp_col_reason": ("Reason", "原因"),
    "imp_rejects_more": (
        "The first {shown} problems are listed; {rejected} rows are rejected in all.",
        "仅列出前 {shown} 个问题;共拒绝 {rejected} 行。",
    ),
    "imp_fix_caption": (
        "The rejected rows as they are in your file, with the reason: fix them and upload that file again.",
        "被拒绝的行(保持文件原样)及原因:改正后可再次上传该文件。",
    ),
    "imp_fix_csv": ("Rejected rows to fix (CSV)", "待改正的行(CSV)"),
    "imp_fix_xlsx": ("Rejected rows to fix (Excel)", "待改正的行(Excel)"),
    "imp_strict_blocked": (
        "“All or nothing” is on and {n} rows are rejected, so nothing would be imported. Fix those rows, or turn “All or nothing” off.",
        "已选择“全部导入或全不导入”,且有 {n} 行被拒绝,因此不会导入任何数据。请改正这些行,或取消该选项。",
    ),
    "imp_nothing_new": (
        "Nothing new to import: every valid row is already in the warehouse.",
        "没有需要导入的新数据:所有有效行都已在数据仓库中。",
    ),
    "imp_commit": ("Import {n} rows", "导入 {n} 行"),
    "imp_done": (
        "Imported {imported} rows from {file}: {duplicates} were already present, {rejected} rejected.",
        "已从 {file} 导入 {imported} 行:{duplicates} 行已存在,{rejected} 行被拒绝。",
    ),
    "imp_not_committed": (
        "Nothing was imported: “All or nothing” is on and rows were rejected.",
        "未导入任何数据:已选择“全部导入或全不导入”,且有行被拒绝。",
    ),
    "imp_step_read": ("Reading the file…", "正在读取文件…"),
    "imp_step_check": ("Checking the rows…", "正在检查各行…"),
    "imp_step_write": ("Writing…", "正在写入…"),
    "imp_step_done": ("Done.", "完成。"),
    "imp_history": ("Import history", "导入记录"),
    "imp_history_empty": ("No imports yet.", "尚无导入记录。"),
    "imp_h_at_time": ("When", "时间"),
    "imp_h_actor": ("Who", "操作人"),
    "imp_h_kind": ("Kind", "数据类型"),
    "imp_h_file_name": ("File", "文件名"),
    "imp_h_sha256": ("SHA-256", "SHA-256"),
    "imp_h_rows": ("Rows", "行数"),
    "imp_h_imported": ("Imported", "导入"),
    "imp_h_duplicates": ("Already present", "已存在"),
    "imp_h_rejected": ("Rejected", "拒绝"),
    # errors a user may meet (CLI and app)
    "err_no_warehouse": (
        "no warehouse at {path}; create one with `csdata init --sample` or set CSDATA_DB",
        "{path} 处没有数据仓库;请用 `csdata init --sample` 创建,或设置 CSDATA_DB",
    ),
    "err_locked": (
        "the warehouse {path} is in use by another process (is the app running?); stop it and try again",
        "数据仓库 {path} 正被另一个进程使用(应用是否在运行?);请先停止再重试",
    ),
    "err_not_a_warehouse": (
        "{path} is not a csdata warehouse (not a DuckDB database, or damaged)",
        "{path} 不是 csdata 数据仓库(不是 DuckDB 数据库,或已损坏)",
    ),
    "err_needs_update": (
        "{path} was made by an older csdata and needs updating, which a read-only command cannot do:"
        " open it once with the app or a command that writes (`csdata user list` will do)",
        "{path} 由旧版 csdata 创建,需要升级,只读命令无法完成:请先用应用或会写入的命令打开一次"
        "(如 `csdata user list`)",
    ),
    "err_exists": (
        "{path} already exists; use --force to replace it",
        "{path} 已存在;如需替换请加 --force",
    ),
    "err_bad_date": (
        "{option}: '{value}' is not a date like 2026-03-31",
        "{option}:'{value}' 不是形如 2026-03-31 的日期",
    ),
    "err_date_order": ("--from {start} is after --to {end}", "--from {start} 晚于 --to {end}"),
    "err_unknown_client": (
        "unknown client '{value}'; known clients: {known}",
        "未知客户“{value}”;已有客户:{known}",
    ),
    "err_unknown_team": (
        "unknown team '{value}'; known teams: {known}",
        "未知团队“{value}”;已有团队:{known}",
    ),
    "err_unknown_employee": ("unknown employee ID '{value}'", "未知工号“{value}”"),
    "err_unknown_channel": (
        "unknown channel '{value}'; channels are phone, chat, email",
        "未知渠道“{value}”;渠道为 phone、chat、email",
    ),
    "err_unknown_metric": ("unknown metric '{value}'; known: {known}", "未知指标“{value}”;可用:{known}"),
    "err_unknown_table": (
        "unknown table '{value}'; choose one of {known}",
        "未知数据表“{value}”;可选:{known}",
    ),
    "err_too_many_rows": (
        "{rows} rows do not fit in one XLSX sheet (limit {limit}); use --format csv or parquet",
        "{rows} 行超出 XLSX 单表上限({limit});请改用 --format csv 或 parquet",
    ),
    "err_write": ("cannot write {path}: {reason}", "无法写入 {path}:{reason}"),
    "err_settings": ("setting {detail}", "设置错误:{detail}"),
    "err_tickets_min": ("--tickets must be at least 1000", "--tickets 不能少于 1000"),
    "err_unexpected": (
        "unexpected error ({kind}); nothing was changed. Details: {detail}",
        "意外错误({kind});未做任何更改。详情:{detail}",
    ),
    # accounts and sign-in
    "auth_bad_name": (
        "a user name is 1 to 64 letters, digits or . _ @ -",
        "用户名须为 1 到 64 个字母、数字或 . _ @ -",
    ),
    "auth_short_password": ("the password needs at least {n} characters", "密码至少需要 {n} 个字符"),
    "auth_bad_role": ("unknown role '{role}'; roles are {roles}", "未知角色“{role}”;可选角色:{roles}"),
    "auth_choose_role": ("choose a role", "请选择角色"),
    "auth_unknown_team": ("unknown team '{value}'", "未知团队“{value}”"),
    "auth_unknown_employee": ("unknown employee id '{value}'", "未知工号“{value}”"),
    "auth_client_needs_client": (
        "a client account needs at least one client (--client NAME)",
        "客户账号至少需要指定一个客户(--client NAME)",
    ),
    "auth_supervisor_needs_team": (
        "a supervisor account needs at least one team (--team NAME)",
        "主管账号至少需要指定一个团队(--team NAME)",
    ),
    "auth_admin_unlimited": (
        "an admin sees everything: it takes no clients or teams",
        "管理员可查看全部数据,不能限定客户或团队",
    ),
    "auth_teams_supervisor_only": (
        "only a supervisor account is limited to teams; limit other roles with clients",
        "只有主管账号可限定团队;其他角色请用客户限定",
    ),
    "scope_unassigned": (
        "Your account has no {what} assigned yet, so there is nothing to show. Ask an administrator to assign them on the Users page.",
        "您的账号尚未分配{what},因此没有可显示的数据。请联系管理员在“用户”页面分配。",
    ),
    "scope_what_client": ("clients", "客户"),
    "scope_what_supervisor": ("teams", "团队"),
    "err_write_conflict": (
        "someone else changed the same record at the same moment; nothing was saved: please try again",
        "他人同时修改了同一条记录,本次未保存任何内容,请重试",
    ),
    "err_held": (
        "{path} is in use by another process (the running app?): stop it first; nothing was changed",
        "{path} 正被其他进程使用(应用正在运行?):请先停止它;未做任何更改",
    ),
    "err_backup_onto_itself": (
        "a backup cannot overwrite the warehouse itself: {path}",
        "备份不能覆盖仓库本身:{path}",
    ),
    "err_backup_failed": ("the backup failed: {detail}", "备份失败:{detail}"),
    "err_backup_no_answer": (
        "{path} is held by another process that did not answer within {seconds} s; is it the csdata app? (open any page once, then try again)",
        "{path} 被其他进程占用,且其在 {seconds} 秒内未响应;是否为 csdata 应用?(请先打开任一页面后重试)",
    ),
    "cli_backup_done": ("backed up {path} ({size})", "已备份至 {path}({size})"),
    "cli_restored": ("restored {path} from {source}", "已用 {source} 恢复 {path}"),
    "auth_user_exists": ("user '{name}' already exists", "用户“{name}”已存在"),
    "auth_no_user": ("no user '{name}'", "没有用户“{name}”"),
    "auth_last_admin": (
        "this is the last active admin; make another admin first",
        "这是最后一个有效的管理员;请先设置另一位管理员",
    ),
    "auth_passwords_differ": ("the two passwords differ", "两次输入的密码不一致"),
    "auth_no_password": (
        "no password given: set CSDATA_ADMIN_PASSWORD, or type it at the prompt",
        "未提供密码:请设置 CSDATA_ADMIN_PASSWORD,或在提示时输入",
    ),
    "sign_in_title": ("Sign in", "登录"),
    "username": ("User name", "用户名"),
    "password": ("Password", "密码"),
    "sign_in": ("Sign in", "登录"),
    "sign_out": ("Sign out", "退出登录"),
    "signed_in_as": ("Signed in as **{name}** ({role})", "当前用户 **{name}**({role})"),
    "sign_in_failed": ("Wrong user name or password.", "用户名或密码错误。"),
    "sign_in_wait": (
        "Too many failed attempts. Try again in {seconds} s.",
        "失败次数过多,请 {seconds} 秒后再试。",
    ),
    "sign_in_sso": ("Sign in with the company account", "使用公司账号登录"),
    "sso_no_account": (
        "No active account is linked to {email}. Ask an administrator.",
        "没有与 {email} 关联的有效账号,请联系管理员。",
    ),
    "demo_accounts": (
        "Demo warehouse: sign in as admin, exec, supervisor, qa, hr, finance or client, password `demo`.",
        "演示数据仓库:可用 admin、exec、supervisor、qa、hr、finance 或 client 登录,密码均为 `demo`。",
    ),
    "session_expired": (
        "You were signed out after {minutes} minutes without activity.",
        "超过 {minutes} 分钟无操作,已自动退出登录。",
    ),
    "session_lifetime": (
        "You were signed out: a session lasts at most {hours} hours. Please sign in again.",
        "已自动退出登录:每次登录最长有效 {hours} 小时,请重新登录。",
    ),
    "session_ended": (
        "You were signed out: the account signed out elsewhere, or its access was changed.",
        "已退出登录:该账号已在别处退出,或其权限已变更。",
    ),
    "not_allowed": ("Your role cannot open this page.", "您的角色无权打开此页面。"),
    "role_admin": ("administrator", "管理员"),
    "role_exec": ("executive", "管理层"),
    "role_supervisor": ("supervisor", "客服主管"),
    "role_qa": ("quality assurance", "质检"),
    "role_hr": ("human resources", "人力资源"),
    "role_finance": ("finance", "财务"),
    "role_client": ("client", "客户"),
    # CLI progress
    "cli_built": (
        "built {path}: {tickets} tickets, {employees} employees, {audits} audits in {seconds:.1f} s",
        "已创建 {path}:{tickets} 条工单、{employees} 名员工、{audits} 条质检,用时 {seconds:.1f} 秒",
    ),
    "cli_created_empty": ("created empty warehouse {path}", "已创建空数据仓库 {path}"),
    "cli_exported": ("wrote {rows} rows to {path}", "已将 {rows} 行写入 {path}"),
    "cli_kpi_header": ("{start} to {end}", "{start} 至 {end}"),
    "cli_bench_header": (
        "{tickets} tickets, {audits} audits in {path} ({built})",
        "{path}:{tickets} 张工单,{audits} 条质检({built})",
    ),
    "cli_bench_built": ("built in {seconds} s", "生成用时 {seconds} 秒"),
    "cli_bench_reused": ("reused", "沿用已有数据"),
    "cli_bench_columns": ("page|filters|queries|page s|bare s|ratio", "页面|筛选|查询数|页面秒|纯SQL秒|比值"),
    "cli_bench_footer": (
        "peak memory {peak} MiB; goals: page < {page_s} s, ratio < {ratio}, peak < {peak_mib} MiB",
        "内存峰值 {peak} MiB;目标:每页 < {page_s} 秒,比值 < {ratio},峰值 < {peak_mib} MiB",
    ),
    "err_bench_empty": ("{path}: the warehouse has no tickets to measure", "{path}:仓库中没有可供测量的工单"),
    # policy rules
    "policy_weights_sum": (
        "{field}: the weights must add up to 100 (they add up to {total:g})",
        "{field}:权重之和必须为 100(当前为 {total:g})",
    ),
    "policy_field_criteria": ("QA scorecard", "质检评分表"),
    "policy_field_contracts": ("Client contracts", "客户合同"),
    "policy_field_critical": ("Critical errors", "致命错误"),
    "policy_field_bands": ("Grade bands", "等级区间"),
    "policy_row": ("row {n}", "第 {n} 行"),
    "policy_field_sla": ("Service-level threshold", "服务水平时限"),
    "policy_field_indicators": ("Appraisal indicators", "考核指标"),
    "policy_range_rate": (
        "{field}: {value:g} % is not a percentage from 0 to 100",
        "{field}:{value:g}% 不在 0–100% 之间",
    ),
    "policy_range_seconds": (
        "{field}: {value:g} s must be more than 0 seconds",
        "{field}:{value:g} 秒,须大于 0 秒",
    ),
    "policy_range_hours": (
        "{field}: {value:g} h must be 0 hours or more",
        "{field}:{value:g} 小时,不能小于 0",
    ),
    "policy_range_points": (
        "{field}: {value:g} must be between 0 and 100 points",
        "{field}:{value:g} 分,须在 0–100 分之间",
    ),
    "policy_range_rating": (
        "{field}: {value:g} must be a rating from 1 to 5",
        "{field}:{value:g},评分须在 1–5 之间",
    ),
    "policy_range_count": ("{field}: {value:g} must be 0 or more", "{field}:{value:g},不能小于 0"),
    "policy_range_money": ("{field}: {value:g} must be 0 or more", "{field}:{value:g},不能小于 0"),
    "policy_duplicate_keys": ("each item needs its own key", "各项的键不能重复"),
    "policy_bands_order": (
        "grade bands must go from the highest minimum score to the lowest, each different",
        "等级区间须按最低分从高到低排列,且互不相同",
    ),
    "policy_bands_floor": ("the lowest grade band must start at 0", "最低等级区间须从 0 分开始"),
    "rule_before_opened": ("{field} is before opened_at ({against})", "{field} 早于 opened_at({against})"),
    "rule_nothing_scored": (
        "no criterion is scored and there is no critical error",
        "没有任何评分项,也没有致命错误",
    ),
    "rule_left_on_needs_left": ("left_on is set but status is not 'left'", "填写了 left_on,但状态不是 left"),
    "policy_unknown_metric": ("the policy names unknown metrics: {names}", "政策中含有未知指标:{names}"),
    "policy_internal_metric": (
        "client accounts may not see the company's internal HR figures: {names}",
        "客户账号不能查看公司内部人事数据:{names}",
    ),
    "policy_client_metrics": ("Metrics client accounts may see", "客户账号可查看的指标"),
    "policy_client_metrics_help": (
        "Service, complaint and QA metrics only: onboarding, training, headcount, appraisals and pay stay internal.",
        "仅限服务、投诉与质检指标:入职培训、在职培训、人数、绩效考核与薪酬仅供内部查看。",
    ),
    # import limits: plausible dates, workbook size (csdata.imports.ingest)
    "imp_date_window": ("must be between {first} and {last}", "须在 {first} 至 {last} 之间"),
    "imp_bad_setting": ("the setting {name} cannot be used: {detail}", "设置 {name} 无法使用:{detail}"),
    # sign-in throttle and password limits (csdata.access.auth)
    "auth_blank_password": ("the password cannot be blank or only spaces", "密码不能为空,也不能只含空格"),
    "auth_long_password": ("the password can have at most {n} characters", "密码最多只能有 {n} 个字符"),
}


class Problem(ValueError):
    """A broken rule whose message a user reads: `key` names the text here, `params` fill it in.

    Raised inside pydantic validators too, so forms, imports and the policy editor can show the
    rule in the reader's language (see `validation_messages`).
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def params_in(self, lang: str) -> dict[str, object]:
        """The parameters, a name given in both languages (see `Phrase`) in the reader's."""
        return {k: v.label(lang) if isinstance(v, Phrase) else v for k, v in self.params.items()}

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params_in(lang))

    @property
    def names_its_field(self) -> bool:
        """Whether the message says itself which field it is about (`field` parameter)."""
        return "field" in self.params


class Phrase:
    """A name a message quotes, in both languages: a field of the policy, say, "Company targets ›
    CSAT (4–5)". Parts are joined by " › "; each is a `Phrase`, an object with `label(lang)` (a
    metric, a policy label) or plain text from a record (a client's name), kept as it is."""

    def __init__(self, *parts: object) -> None:
        self.parts = parts

    @classmethod
    def of(cls, *keys: str, **params: object) -> Phrase:
        """The texts of `keys` in this catalog (filled with `params`), as a phrase."""
        return cls(*(_Text(lambda lang, k=k: t(k, lang, **params)) for k in keys))

    @classmethod
    def column(cls, name: str) -> Phrase:
        """A column's heading (see `COLUMNS`), as a phrase."""
        return cls(_Text(lambda lang: column_label(name, lang)))

    def label(self, lang: str) -> str:
        return " › ".join(p.label(lang) if hasattr(p, "label") else str(p) for p in self.parts)

    def __add__(self, other: object) -> Phrase:
        return Phrase(*self.parts, other)


class _Text:
    """A part of a phrase made in the reader's language when it is read."""

    def __init__(self, text) -> None:
        self._text = text

    def label(self, lang: str) -> str:
        return self._text(lang)


# pydantic error type -> (English, Chinese); {ctx} values fill the braces.
_PYDANTIC: dict[str, tuple[str, str]] = {
    "missing": ("is required", "为必填项"),
    "greater_than": ("must be greater than {gt}", "须大于 {gt}"),
    "greater_than_equal": ("must be at least {ge}", "须不小于 {ge}"),
    "less_than": ("must be less than {lt}", "须小于 {lt}"),
    "less_than_equal": ("must be at most {le}", "须不大于 {le}"),
    "string_too_short": ("must not be empty", "不能为空"),
    "string_too_long": ("is too long (at most {max_length} characters)", "过长(最多 {max_length} 个字符)"),
    "string_pattern_mismatch": (
        "must be lower-case letters, digits and _ , starting with a letter",
        "须由小写字母、数字和 _ 组成,并以字母开头",
    ),
    "float_parsing": ("must be a number", "须为数字"),
    "float_type": ("must be a number", "须为数字"),
    "int_parsing": ("must be a whole number", "须为整数"),
    "int_type": ("must be a whole number", "须为整数"),
    "int_from_float": ("must be a whole number", "须为整数"),
    "bool_parsing": ("must be yes or no", "须为是或否"),
    "date_parsing": ("must be a date like 2026-03-31", "须为形如 2026-03-31 的日期"),
    "date_from_datetime_parsing": ("must be a date like 2026-03-31", "须为形如 2026-03-31 的日期"),
    "datetime_parsing": ("must be a time like 2026-03-31 14:30", "须为形如 2026-03-31 14:30 的时间"),
    "datetime_from_date_parsing": (
        "must be a time like 2026-03-31 14:30",
        "须为形如 2026-03-31 14:30 的时间",
    ),
    "literal_error": ("must be one of {expected}", "须为以下之一:{expected}"),
    "enum": ("must be one of {expected}", "须为以下之一:{expected}"),
    "extra_forbidden": ("is not a known field", "不是可识别的字段"),
}


def validation_messages(exc, lang: str, name=None) -> list[str]:
    """A pydantic ValidationError as lines a user can act on, in their language.

    Each line starts with where the error is: `name(loc)` (a `Phrase`, or None to fall back) when
    given, else the field path itself."""
    out = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        named = name(loc) if name is not None and loc else None
        where = named.label(lang) if named is not None else " › ".join(str(p) for p in loc)
        ctx = err.get("ctx") or {}
        cause = ctx.get("error")
        if isinstance(cause, Problem):
            text = cause.text(lang)
            if cause.names_its_field:
                where = ""
        elif err["type"] in _PYDANTIC:
            en, zh = _PYDANTIC[err["type"]]
            # A bound of a float field comes as 0.0; people write 0.
            bounds = {
                k: int(v) if isinstance(v, float) and v.is_integer() else v
                for k, v in ctx.items()
                if k != "error"
            }
            text = (zh if lang == "zh" else en).format(**bounds)
        else:
            text = err.get("msg", "")
        out.append(f"{where}: {text}" if where else text)
    return out


# Column headings of the tables pages show and download.
COLUMNS: dict[str, tuple[str, str]] = {
    "stage": ("Stage", "环节"),
    "age_days": ("Days open", "已开天数"),
    "age": ("Days open", "已开天数"),
    "tickets": ("Tickets", "工单数"),
    "reopened": ("Reopened", "重新打开"),
    "routed_at": ("Routed at", "转交时间"),
    "feedback_at": ("Fed back at", "反馈时间"),
    "department": ("Department", "部门"),
    "opened_at": ("Opened at", "受理时间"),
    "ticket_id": ("Ticket", "工单号"),
    "kind": ("Kind", "类型"),
    "state": ("State", "状态"),
    "actions": ("Actions", "措施数"),
    "go_live_date": ("Went live", "上岗日期"),
    "attempts": ("Attempts", "考核次数"),
    "passed_on": ("Passed on", "考核合格日期"),
    "first_ticket": ("First ticket", "首张工单"),
    "worked_before_passing": ("Worked before passing", "合格前已上岗"),
    "period": ("Period", "考核期"),
    "people": ("People", "人数"),
    "place": ("Place", "名次"),
    "score": ("Score", "得分"),
    "coached": ("Coaching record", "有辅导记录"),
    "below_before": ("Also below standard the period before", "上期亦未达标"),
    "audit_id": ("Audit", "质检编号"),
    "audited_at": ("Audited on", "质检日期"),
    "auditor_id": ("Auditor", "质检员"),
    "source": ("Source", "来源"),
    "critical_error": ("Critical error", "致命错误"),
    "finding_category": ("Finding", "问题类别"),
    "comment": ("Comment", "评语"),
    "taken_on": ("Taken on", "考试日期"),
    "course": ("Course", "课程"),
    "hours": ("Hours", "学时"),
    "attempt": ("Attempt", "次数"),
    "reviewer": ("Reviewer", "评审人"),
    "confirmed_by": ("Confirmed by", "确认人"),
    "agent_id": ("Agent", "坐席"),
    "value": ("Value", "数值"),
    "met": ("Against target", "达标情况"),
    "unit": ("Unit", "单位"),
    "employee_id": ("Employee ID", "工号"),
    "name": ("Name", "姓名"),
    "team": ("Team", "团队"),
    "client": ("Client", "客户"),
    "clients": ("Clients", "客户"),
    "teams": ("Teams", "团队"),
    "pay_grade": ("Pay grade", "职级"),
    "base_pay": ("Base pay / month", "月基本工资"),
    "appraisal_score": ("Appraisal score", "绩效得分"),
    "appraisal_grade": ("Appraisal grade", "考核等级"),
    "coefficient": ("Coefficient", "绩效系数"),
    "performance_pay": ("Performance pay / month", "月绩效工资"),
    "bonus": ("Bonus", "奖金"),
    "id": ("#", "序号"),
    "at_time": ("When", "时间"),
    "actor": ("Who", "操作人"),
    "action": ("Action", "操作"),
    "entity": ("On", "对象"),
    "detail": ("Detail", "详情"),
    "username": ("User name", "用户名"),
    "role": ("Role", "角色"),
    "email": ("E-mail", "电子邮箱"),
    "active": ("Active", "启用"),
    "channel": ("Channel", "渠道"),
    "seconds": ("Seconds", "秒"),
    "metric": ("Metric", "指标"),
    "target": ("Target", "目标"),
    "key": ("Key", "键"),
    "label_en": ("English", "英文名称"),
    "label_zh": ("Chinese", "中文名称"),
    "weight": ("Weight", "权重"),
    "grade": ("Grade", "等级"),
    "min_score": ("Minimum score", "最低分"),
    "why": ("Why", "原因"),
    "sessions": ("Sessions", "会话数"),
    "sessions_ended": ("Sessions ended", "结束的会话数"),
}


def column_label(name: str, lang: str) -> str:
    en, zh = COLUMNS.get(name, (name, name))
    return zh if lang == "zh" else en


def unit_name(unit: str, lang: str) -> str:
    """The unit a downloaded number of a metric unit is in ("%", "s"); "" for plain numbers."""
    key = f"unit_heading_{unit}"
    return t(key, lang) if key in TEXT else ""


def action_label(code: str, lang: str) -> str:
    """An audit-log action code as words ("user.add" -> Account added); unknown codes as they are."""
    key = "action_" + str(code).replace(".", "_")
    return t(key, lang) if key in TEXT else str(code)


def fmt_detail(text: str | None, lang: str, limit: int = 160) -> str:
    """An audit-log detail (JSON) as a short line a person reads: "Role: exec · Clients: Acme";
    empty values left out, text that is not JSON kept as it is, cut at `limit` characters."""
    if not text:
        return ""
    try:
        detail = json.loads(text)
    except ValueError:
        return str(text)[:limit]
    if not isinstance(detail, dict):
        return str(detail)[:limit]

    def value(v: object) -> str:
        if isinstance(v, list | tuple):
            return ", ".join(value(x) for x in v)
        if isinstance(v, dict):
            return ", ".join(f"{k} {value(x)}" for k, x in v.items())
        if isinstance(v, bool):
            return t("yes" if v else "no", lang)
        return f"{v:,}" if isinstance(v, int) else str(v)

    parts = [
        f"{column_label(k, lang) if k in COLUMNS else k.replace('_', ' ').capitalize()}: {value(v)}"
        for k, v in detail.items()
        if v not in (None, "", [], {})
    ]
    line = " · ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def with_unit(label: str, unit: str, lang: str) -> str:
    """A download's heading: the label and, for a measured quantity, its unit ("ASA (s)")."""
    name = unit_name(unit, lang)
    return f"{label} ({name})" if name else label


def fmt_money(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"¥{value:,.0f}"


class md(str):  # noqa: N801 (a marker type, used like str)
    """Text that is markdown on purpose (written by this program, or already made literal), which
    `literal` passes through unchanged."""

    __slots__ = ()


# Every ASCII mark that means something to Streamlit's markdown: CommonMark and GFM syntax, raw
# HTML and entities, LaTeX ($), Streamlit's :directives[...] and :shortcodes:, and the dots, @ and
# colons of bare web and mail addresses that GFM would otherwise turn into links.
_MARKUP = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:&@=^\"']")


# Where GFM's autolink literals begin: `http:`, `https:`, `www.`, and the `@` of a mail address.
_BARE_LINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")


def literal(value: object) -> md:
    """Any value, made to show as exactly its own text where Streamlit renders markdown (titles,
    captions, alerts, labels, help): the one gate for text from a URL, a file or a record.

    Each markup character is backslash-escaped (CommonMark lets every ASCII mark be); bare web
    and mail addresses, which Streamlit's renderer links in the finished text whatever the
    escapes, get an invisible word joiner (U+2060) after `http`, `https` or `www` and before `@`,
    so they no longer read as addresses to it; and runs of
    white space (line breaks, indents) become one space, as a browser would show them anyway, so a
    value can start no heading, list, code or other block of its own. Text already marked `md` is
    passed through, so nesting never escapes twice."""
    if isinstance(value, md):
        return value
    text = _BARE_LINK.sub("\u2060", " ".join(str(value).split()))
    return md(_MARKUP.sub(lambda m: "\\" + m.group(0), text))


def t_md(key: str, lang: str = "en", /, **params: object) -> md:
    """`t` for a markdown place: the program's own text as written, every parameter made literal
    (numbers stay numbers, so format specs like {n:,} still apply)."""
    safe = {k: v if isinstance(v, numbers.Number) else literal(v) for k, v in params.items()}
    return md(t(key, lang, **safe))


def t(key: str, lang: str = "en", /, **params: object) -> str:
    en, zh = TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**params) if params else text


def channel_label(channel: str, lang: str) -> str:
    return t(f"channel_{channel}", lang)


def fmt_value(value: float | None, unit: str, lang: str = "en", duration: str | None = None) -> str:
    """A metric value as a person reads it: 93.4%, 18 s, 4.2, 12,345 (a duration in `duration`,
    "s", "min" or "h", where given)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "seconds":
        return fmt_duration(value, lang, duration)
    if unit == "hours":
        return f"{value:,.1f} h" if lang == "en" else f"{value:,.1f} 小时"
    if unit == "rating":
        return f"{value:.2f}"
    if unit == "money":
        return fmt_money(value)
    return f"{value:.1f}"


# A duration's unit on screen: (seconds in one, digits after the point).
DURATION_UNITS = {"s": (1, 0), "min": (60, 1), "h": (3600, 1)}


def duration_unit(seconds: float | None) -> str:
    """The unit that reads best for a duration: seconds up to 2 minutes, minutes up to 2 hours,
    then hours. A page picks it once per metric from the card's value, so the card, the tables
    and the trend of that metric all speak the same unit."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)) or seconds < 120:
        return "s"
    return "min" if seconds < 2 * 3600 else "h"


def fmt_duration(seconds: float, lang: str = "en", unit: str | None = None) -> str:
    unit = unit or duration_unit(seconds)
    size, digits = DURATION_UNITS[unit]
    return f"{seconds / size:,.{digits}f} {t(f'unit_{unit}', lang)}"


def fmt_change(delta: float | None, unit: str, lang: str = "en", duration: str | None = None) -> str | None:
    """A change between periods: percentage points for rates, the unit's own for the rest.

    The sign is an ASCII "-" (Streamlit's metric reads it to point the arrow down), and "±" when
    the change rounds to nothing. A duration's change is in `duration`, the unit of its value.
    """
    if delta is None or (isinstance(delta, float) and math.isnan(delta)):
        return None
    if unit == "rate":
        size = f"{abs(delta) * 100:.1f} pp" if lang == "en" else f"{abs(delta) * 100:.1f} 个百分点"
    else:
        size = fmt_value(abs(delta), unit, lang, duration)
    if not any(ch in "123456789" for ch in size):
        return "±" + size
    return ("+" if delta >= 0 else "-") + size
