-- A ticket belongs to the queue (team) it was offered to, answered or not, so that a team's
-- offered, answer rate, abandon rate and service level count the tickets nobody answered too.
-- Before this column a ticket's team was its agent's, and an unanswered ticket had none.
--
-- Tickets stored before it get the best team known: the agent's team when the ticket has an
-- agent in a team; else the client's team when the client has exactly one; else NULL, which the
-- dashboards group as "unassigned".

ALTER TABLE tickets ADD COLUMN team VARCHAR;

UPDATE tickets t SET team = coalesce(
    (SELECT e.team FROM employees e WHERE e.employee_id = t.agent_id),
    (SELECT any_value(m.name) FROM teams m WHERE m.client = t.client HAVING count(*) = 1)
);
