-- params: {"end_excl": "2026-05-01", "p6": ["Beta-1"], "start": "2026-04-01"}
SELECT CASE WHEN coalesce(customer_accepted, FALSE) THEN 'accepted' WHEN feedback_at IS NOT NULL THEN 'fed_back' WHEN routed_at IS NOT NULL THEN 'routed' ELSE 'recorded' END AS stage,
                   CASE WHEN NOT coalesce(customer_accepted, FALSE) THEN CASE WHEN epoch(CAST($end_excl AS TIMESTAMP) - opened_at) / 86400.0 < 1 THEN '0-1' WHEN epoch(CAST($end_excl AS TIMESTAMP) - opened_at) / 86400.0 < 3 THEN '1-3' WHEN epoch(CAST($end_excl AS TIMESTAMP) - opened_at) / 86400.0 < 7 THEN '3-7' ELSE '7+' END END AS age,
                   count(*) AS tickets, count_if(r.reopens > 0) AS reopened,
                   coalesce(sum(r.reopens), 0) AS reopens
            FROM (SELECT * FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id, t.type,
               t.ticket_id, t.routed_at,
               epoch(t.first_response_at - t.opened_at) AS wait_s, CAST(NULL AS INTEGER) AS sla_s,
               t.handle_seconds, t.resolved, t.first_contact_resolved, t.csat, t.department,
               t.opened_at, t.feedback_at, t.customer_accepted, t.reopened,
               t.callback_promised_at, t.callback_done_at, t.suggestion_adopted,
               CAST(t.reward_amount AS DOUBLE) AS reward
        FROM tickets t
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl) s WHERE list_contains($p6, team) AND type = 'complaint') s
            LEFT JOIN (SELECT ticket_id, count(*) AS reopens FROM complaint_rounds WHERE answer = 'reopened'
                       GROUP BY ticket_id) r USING (ticket_id)
            GROUP BY ALL ORDER BY ALL
