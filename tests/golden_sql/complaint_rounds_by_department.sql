-- params: {"end_excl": "2026-05-01", "start": "2026-04-01"}
WITH m_rounds AS (SELECT department AS key, count_if(round = 1 AND answer = 'accepted') AS complaints_first_accepted, count_if(round = 1) AS complaints_with_rounds, avg(round) FILTER (WHERE answer = 'accepted') AS accepted_round_mean FROM (
        SELECT CAST(t.opened_at AS DATE) AS day, t.client, t.channel, t.team, t.agent_id,
               t.department, t.opened_at, r.round, r.answer
        FROM complaint_rounds r JOIN tickets t ON t.ticket_id = r.ticket_id
        WHERE t.opened_at >= $start AND t.opened_at < $end_excl AND t.type = 'complaint') s WHERE TRUE GROUP BY ALL) SELECT key, CAST(CAST(complaints_first_accepted AS DOUBLE) / NULLIF(complaints_with_rounds, 0) AS DOUBLE) AS complaint_first_accept_rate, CAST(accepted_round_mean AS DOUBLE) AS complaint_rounds_to_accept FROM m_rounds WHERE key IS NOT NULL ORDER BY key
