-- params: {"end_excl": "2026-05-01", "start": "2026-04-01"}
WITH m_tickets AS (SELECT channel AS key, avg(wait_s) AS wait_mean, avg(handle_seconds) FILTER (WHERE wait_s IS NOT NULL) AS handle_mean, quantile_cont(wait_s, [0.5, 0.9]) AS wait_quantiles FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, CAST(NULL AS INTEGER) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE TRUE GROUP BY ALL) SELECT key, CAST(wait_mean AS DOUBLE) AS asa, CAST(handle_mean AS DOUBLE) AS aht, CAST(wait_quantiles[2] AS DOUBLE) AS wait_p90 FROM m_tickets WHERE key IS NOT NULL ORDER BY key
