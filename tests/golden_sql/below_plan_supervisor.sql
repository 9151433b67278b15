-- params: {"asof": "2026-04-30", "audit_plan": 20, "m_end": "2026-04-30", "m_start": "2026-04-01", "p4": ["Beta-1"]}
SELECT b.employee_id, b.client, b.team, b.audits
        FROM (
        SELECT * FROM (
            SELECT e.employee_id AS subject_id, e.employee_id, e.client, e.team, CAST($m_end AS DATE) + 1 AS since,
                   (SELECT count(*) FROM audits x WHERE x.agent_id = e.employee_id
                    AND x.audited_at BETWEEN $m_start AND $m_end
                    AND x.source <> 'calibration') AS audits
            FROM employees e
            WHERE e.position = 'agent' AND coalesce(e.go_live_date, e.hire_date) <= $m_start
                   AND coalesce(e.left_on > $m_end, e.status = 'active') AND e.hire_date <= $asof AND coalesce(e.left_on > $asof, e.status = 'active'))
        WHERE audits < $audit_plan) b WHERE list_contains($p4, b.team)
        ORDER BY b.audits, b.employee_id
