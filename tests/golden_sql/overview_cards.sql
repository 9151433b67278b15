-- params: {"end": "2026-04-30", "end_excl": "2026-05-01", "start": "2026-04-01"}
WITH m_tickets AS (SELECT count(*) AS offered, count_if(wait_s <= sla_s) AS within_sla, count(wait_s) AS answered, avg(wait_s) AS wait_mean, avg(handle_seconds) FILTER (WHERE wait_s IS NOT NULL) AS handle_mean, CASE WHEN count(first_contact_resolved) FILTER (WHERE wait_s IS NOT NULL) > 0 THEN count_if(first_contact_resolved AND wait_s IS NOT NULL) END AS fcr_n, count_if(csat >= 4) AS csat_good, count(csat) AS rated, count_if(type = 'complaint' AND feedback_at IS NOT NULL AND customer_accepted) AS complaints_accepted, count_if(type = 'complaint' AND feedback_at IS NOT NULL) AS complaints_fed_back FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, (CASE t.channel WHEN 'phone' THEN 20 WHEN 'chat' THEN 60 WHEN 'email' THEN 28800 END) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE TRUE), m_audits AS (SELECT avg(score) AS audit_mean FROM (
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, a.score, a.critical_error, a.auditor_id, a.finding_category,
               a.audit_id, a.source AS audit_source, a.comment
        FROM audits a LEFT JOIN employee_periods e ON e.employee_id = a.agent_id
             AND e.valid_from <= a.audited_at AND (e.valid_to IS NULL OR a.audited_at < e.valid_to)
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> 'calibration') s WHERE TRUE) SELECT CAST(offered AS DOUBLE) AS offered, CAST(CAST(within_sla AS DOUBLE) / NULLIF(offered, 0) AS DOUBLE) AS service_level, CAST(CAST(answered AS DOUBLE) / NULLIF(offered, 0) AS DOUBLE) AS answer_rate, CAST(wait_mean AS DOUBLE) AS asa, CAST(handle_mean AS DOUBLE) AS aht, CAST(CAST(fcr_n AS DOUBLE) / NULLIF(answered, 0) AS DOUBLE) AS fcr_rate, CAST(CAST(csat_good AS DOUBLE) / NULLIF(rated, 0) AS DOUBLE) AS csat_pct, CAST(audit_mean AS DOUBLE) AS qa_score, CAST(CAST(complaints_accepted AS DOUBLE) / NULLIF(complaints_fed_back, 0) AS DOUBLE) AS complaint_acceptance_rate FROM m_tickets CROSS JOIN m_audits
