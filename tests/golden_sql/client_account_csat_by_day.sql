-- params: {"end_excl": "2026-05-01", "p6": ["Beta"], "start": "2026-04-01"}
WITH m_tickets AS (SELECT day AS key, count_if(csat >= 4) AS csat_good, count(csat) AS rated, count(*) FILTER (WHERE type = 'complaint') AS complaints_n FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, CAST(NULL AS INTEGER) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE list_contains($p6, client) GROUP BY ALL) SELECT key, CAST(CAST(csat_good AS DOUBLE) / NULLIF(rated, 0) AS DOUBLE) AS csat_pct, CAST(complaints_n AS DOUBLE) AS complaints FROM m_tickets WHERE key IS NOT NULL ORDER BY key
