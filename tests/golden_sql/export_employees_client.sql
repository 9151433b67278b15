-- params: {"p0": ["Beta"]}
SELECT employee_id, name, department, team, client, position, grade, hire_date, go_live_date, status, left_on FROM employees e WHERE list_contains($p0, e.client) ORDER BY employee_id
