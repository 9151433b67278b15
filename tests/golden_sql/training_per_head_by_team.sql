-- params: {"end": "2026-04-30", "onboarding_pass_mark": 80, "start": "2026-04-01"}
WITH m_training AS (SELECT coalesce(team, '') AS key, coalesce(sum(hours) FILTER (WHERE kind = 'in_service'), 0) AS in_service_hours FROM (
        SELECT r.taken_on AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.hours, r.kind
        FROM training_results r JOIN employee_periods e ON e.employee_id = r.employee_id
             AND e.valid_from <= r.taken_on AND (e.valid_to IS NULL OR r.taken_on < e.valid_to)
        WHERE r.taken_on BETWEEN $start AND $end AND e.team IS NOT NULL) s WHERE TRUE GROUP BY ALL), m_staff AS (SELECT coalesce(team, '') AS key, count(*) AS headcount FROM (
        SELECT CAST(NULL AS DATE) AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               e.employee_id AS agent_id
        FROM employees p
        JOIN employee_periods e ON e.employee_id = p.employee_id
             AND e.valid_from <= least($end, coalesce(p.left_on, $end))
             AND (e.valid_to IS NULL OR least($end, coalesce(p.left_on, $end)) < e.valid_to)
        WHERE e.team IS NOT NULL AND p.hire_date <= $end
          AND (p.left_on IS NULL OR p.left_on >= $start)) s WHERE TRUE GROUP BY ALL), m_onboarding AS (SELECT coalesce(team, '') AS key, count_if(passed) AS onboarding_passed, count(*) AS onboarding_sat FROM (
        SELECT r.first_day AS day, e.client, CAST(NULL AS VARCHAR) AS channel, e.team,
               r.employee_id AS agent_id, r.passed, r.attempts
        FROM (SELECT employee_id, min(taken_on) AS first_day,
                     max(score) >= $onboarding_pass_mark AS passed, count(*) AS attempts
              FROM training_results WHERE kind = 'onboarding' GROUP BY employee_id) r
        LEFT JOIN employee_periods e ON e.employee_id = r.employee_id
             AND e.valid_from <= r.first_day AND (e.valid_to IS NULL OR r.first_day < e.valid_to)
        WHERE r.first_day BETWEEN $start AND $end) s WHERE TRUE GROUP BY ALL) SELECT key, CAST(CAST(in_service_hours AS DOUBLE) / NULLIF(headcount, 0) AS DOUBLE) AS training_hours, CAST(CAST(onboarding_passed AS DOUBLE) / NULLIF(onboarding_sat, 0) AS DOUBLE) AS onboarding_pass_rate FROM m_training FULL OUTER JOIN m_staff USING (key) FULL OUTER JOIN m_onboarding USING (key) WHERE key IS NOT NULL ORDER BY key
