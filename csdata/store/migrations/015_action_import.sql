-- Corrective actions come from files too (`csdata import actions`: action_id, audit_id,
-- employee_id, kind, owner_id, opened_on, due_on, status, closed_on, note), so an action needs
-- the day it was opened (one not opened by an audit has no audit day to stand for it) and the
-- kind `other` (an action that is none of coaching, training or a script change). DuckDB cannot
-- alter a check, so the table is built again with the same rows, as 008 did; an action of an
-- older warehouse was opened on its audit's day, else on its first step's day.
CREATE TABLE corrective_actions_015 (
    action_id   VARCHAR PRIMARY KEY,
    audit_id    VARCHAR,            -- the audit whose finding opened it (none: opened otherwise)
    agent_id    VARCHAR NOT NULL,   -- whom it is for (a file's employee_id)
    kind        VARCHAR NOT NULL CHECK (kind IN ('coaching', 'training', 'script_change', 'other')),
    owner_id    VARCHAR,
    opened_on   DATE,
    due_on      DATE,
    status      VARCHAR NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    closed_on   DATE,
    note        VARCHAR
);
INSERT INTO corrective_actions_015
SELECT c.action_id, c.audit_id, c.agent_id, c.kind, c.owner_id,
       coalesce(CAST(a.audited_at AS DATE),
                (SELECT min(s.on_date) FROM action_steps s WHERE s.action_id = c.action_id)),
       c.due_on, c.status, c.closed_on, c.note
FROM corrective_actions c LEFT JOIN audits a ON a.audit_id = c.audit_id;
DROP TABLE corrective_actions;
ALTER TABLE corrective_actions_015 RENAME TO corrective_actions;
