-- params: {"end": "2026-04-30", "qa_pass_mark": 85.0, "start": "2026-04-01"}
WITH m_audits AS (SELECT coalesce(agent_id, '') AS key, count(*) AS audits_n, avg(score) AS audit_mean, stddev_samp(score) AS audit_sd, count_if(score >= $qa_pass_mark) AS audits_passed, count_if(critical_error) AS audits_critical FROM (
        SELECT a.audited_at AS day, coalesce(a.client, e.client) AS client, a.channel, e.team,
               a.agent_id, a.score, a.critical_error, a.auditor_id, a.finding_category,
               a.audit_id, a.source AS audit_source, a.comment
        FROM audits a LEFT JOIN employee_periods e ON e.employee_id = a.agent_id
             AND e.valid_from <= a.audited_at AND (e.valid_to IS NULL OR a.audited_at < e.valid_to)
        WHERE a.audited_at BETWEEN $start AND $end AND a.source <> 'calibration') s WHERE TRUE GROUP BY ALL) SELECT key, CAST(audits_n AS DOUBLE) AS audits, CAST(audit_mean AS DOUBLE) AS qa_score, CAST(CAST(audits_passed AS DOUBLE) / NULLIF(audits_n, 0) AS DOUBLE) AS qa_pass_rate, CAST(CAST(audits_critical AS DOUBLE) / NULLIF(audits_n, 0) AS DOUBLE) AS qa_critical_rate, CAST(audits_n AS DOUBLE) AS qa_score__n, CAST(audit_sd AS DOUBLE) AS qa_score__sd, CAST(audits_n AS DOUBLE) AS qa_pass_rate__n, CAST(audits_passed AS DOUBLE) AS qa_pass_rate__hits, CAST(audits_n AS DOUBLE) AS qa_critical_rate__n, CAST(audits_critical AS DOUBLE) AS qa_critical_rate__hits FROM m_audits WHERE key IS NOT NULL ORDER BY key
