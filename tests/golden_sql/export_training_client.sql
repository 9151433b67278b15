-- params: {"p0": ["Beta"]}
SELECT r.employee_id, r.course, r.kind, r.taken_on, r.score, r.hours, r.attempt FROM training_results r WHERE list_contains($p0, (SELECT p.client FROM employees p WHERE p.employee_id = r.employee_id)) ORDER BY r.taken_on, r.employee_id, r.course, r.attempt
