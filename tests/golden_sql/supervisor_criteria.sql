-- params: {"end": "2026-04-30", "p6": ["Beta-1"], "start": "2026-04-01"}
WITH m_criteria AS (SELECT criterion AS key, avg(score) AS criterion_mean FROM (
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, s.criterion, s.score
        FROM audit_scores s JOIN audits a ON a.audit_id = s.audit_id
        LEFT JOIN employee_periods e ON e.employee_id = a.agent_id
             AND e.valid_from <= a.audited_at AND (e.valid_to IS NULL OR a.audited_at < e.valid_to)
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> 'calibration') s WHERE list_contains($p6, team) GROUP BY ALL) SELECT key, CAST(criterion_mean AS DOUBLE) AS criterion_score FROM m_criteria WHERE key IS NOT NULL ORDER BY key
