-- A person over time: the team, client, position, grade and status they had from `valid_from`
-- until `valid_to` (exclusive; NULL: still so). `employees` keeps the current values; every change
-- of one of these columns (an import with --update, a form) closes the open row on the day it
-- takes effect and opens a new one (`csdata.imports.ingest.sync_history`), in the same
-- transaction. A record about a person (an audit, a training, an appraisal) counts for the team
-- and client of the row in force on its day. Each existing employee starts with one open row
-- from the hire date.
CREATE TABLE employee_history (
    employee_id  VARCHAR NOT NULL,
    valid_from   DATE NOT NULL,
    valid_to     DATE,
    team         VARCHAR,
    client       VARCHAR,
    position     VARCHAR,
    grade        VARCHAR,
    status       VARCHAR,
    recorded_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor        VARCHAR NOT NULL,
    reason       VARCHAR
);
INSERT INTO employee_history (employee_id, valid_from, valid_to, team, client, position, grade, status, actor, reason)
SELECT employee_id, coalesce(hire_date, DATE '1900-01-01'), NULL, team, client, position, grade, status,
       'migration', 'backfill'
FROM employees;

-- The periods the metrics join a person's records to: the history, a person's first period
-- reaching back before the hire date (a record from before it, onboarding say, counts for the
-- first team, as it did before there was a history), and a person written without a history row
-- (by hand, or by a tool that writes `employees` itself) as one period of the current values.
CREATE VIEW employee_periods AS
SELECT employee_id,
       CASE WHEN valid_from = min(valid_from) OVER (PARTITION BY employee_id) THEN DATE '0001-01-01'
            ELSE valid_from END AS valid_from,
       valid_to, team, client, position, grade, status
FROM employee_history
UNION ALL
SELECT e.employee_id, DATE '0001-01-01', NULL, e.team, e.client, e.position, e.grade, e.status
FROM employees e
WHERE NOT EXISTS (SELECT 1 FROM employee_history h WHERE h.employee_id = e.employee_id);
