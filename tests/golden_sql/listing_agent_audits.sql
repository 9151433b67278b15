-- params: {"end": "2026-04-30", "p6": ["A1"], "start": "2026-04-01"}
SELECT audit_id, day AS audited_at, auditor_id, audit_source AS source, score, critical_error,
                   finding_category, comment
            FROM (
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, a.score, a.critical_error, a.auditor_id, a.finding_category,
               a.audit_id, a.source AS audit_source, a.comment
        FROM audits a LEFT JOIN employee_periods e ON e.employee_id = a.agent_id
             AND e.valid_from <= a.audited_at AND (e.valid_to IS NULL OR a.audited_at < e.valid_to)
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> 'calibration') s WHERE list_contains($p6, agent_id) ORDER BY day DESC, audit_id
