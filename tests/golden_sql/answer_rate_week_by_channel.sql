-- params: {"end_excl": "2026-05-01", "start": "2026-04-01"}
WITH m_tickets AS (SELECT CAST(date_trunc('week', day) AS DATE) AS key, channel AS key2, count(wait_s) AS answered, count(*) AS offered, count_if(wait_s <= sla_s) AS within_sla FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, (CASE t.channel WHEN 'phone' THEN 20 WHEN 'chat' THEN 60 WHEN 'email' THEN 28800 END) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE TRUE GROUP BY ALL) SELECT key, key2, CAST(CAST(answered AS DOUBLE) / NULLIF(offered, 0) AS DOUBLE) AS answer_rate, CAST(CAST(within_sla AS DOUBLE) / NULLIF(offered, 0) AS DOUBLE) AS service_level FROM m_tickets WHERE key IS NOT NULL AND key2 IS NOT NULL ORDER BY key, key2
