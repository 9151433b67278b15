-- params: {"p0": ["Beta"]}
SELECT r.employee_id, r.course, r.kind, r.taken_on, r.score, r.hours, r.attempt FROM training_results r LEFT JOIN employees e ON e.employee_id = r.employee_id WHERE TRUE AND list_contains($p0, e.client) ORDER BY r.taken_on, r.employee_id, r.course, r.attempt
