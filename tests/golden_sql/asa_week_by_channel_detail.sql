-- params: {"end_excl": "2026-05-01", "p6": ["Beta-1"], "start": "2026-04-01"}
WITH m_tickets AS (SELECT CAST(date_trunc('week', day) AS DATE) AS key, channel AS key2, avg(wait_s) AS wait_mean, count(wait_s) AS answered, stddev_samp(wait_s) AS wait_sd, avg(handle_seconds) FILTER (WHERE wait_s IS NOT NULL) AS handle_mean, count(handle_seconds) FILTER (WHERE wait_s IS NOT NULL) AS handle_n, stddev_samp(handle_seconds) FILTER (WHERE wait_s IS NOT NULL) AS handle_sd FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, CAST(NULL AS INTEGER) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE list_contains($p6, team) GROUP BY ALL) SELECT key, key2, CAST(wait_mean AS DOUBLE) AS asa, CAST(handle_mean AS DOUBLE) AS aht, CAST(answered AS DOUBLE) AS asa__n, CAST(wait_sd AS DOUBLE) AS asa__sd, CAST(handle_n AS DOUBLE) AS aht__n, CAST(handle_sd AS DOUBLE) AS aht__sd FROM m_tickets WHERE key IS NOT NULL AND key2 IS NOT NULL ORDER BY key, key2
