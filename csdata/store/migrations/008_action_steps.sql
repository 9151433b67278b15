-- Corrective actions that move: open -> in_progress -> done or cancelled, and back to open only
-- by a reopen with its reason (see `csdata.records.entry.action_step`). The status check of 001
-- lacks in_progress and DuckDB cannot alter a check, so the table is built again with the same
-- rows; closed_on is the day it was done or cancelled (none while open or in progress).
CREATE TABLE corrective_actions_008 (
    action_id   VARCHAR PRIMARY KEY,
    audit_id    VARCHAR,            -- the audit whose finding opened it
    agent_id    VARCHAR NOT NULL,   -- whom it is for
    kind        VARCHAR NOT NULL CHECK (kind IN ('coaching', 'training', 'script_change')),
    owner_id    VARCHAR,
    due_on      DATE,
    status      VARCHAR NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    closed_on   DATE,
    note        VARCHAR
);
INSERT INTO corrective_actions_008 SELECT action_id, audit_id, agent_id, kind, owner_id, due_on, status,
    closed_on, note FROM corrective_actions;
DROP TABLE corrective_actions;
ALTER TABLE corrective_actions_008 RENAME TO corrective_actions;

-- Every step of an action, kept: who moved it to which status on which day, with the note, and
-- the owner and due day it had after the step (the audit log holds the same with before/after).
CREATE TABLE action_steps (
    action_id  VARCHAR NOT NULL,
    at_time    TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor      VARCHAR NOT NULL,
    status     VARCHAR NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    on_date    DATE NOT NULL,
    note       VARCHAR,
    owner_id   VARCHAR,
    due_on     DATE
);

-- A coaching session an HR partner or a supervisor held with one person, optionally about one
-- audit or one appraisal period of theirs.
CREATE TABLE coaching_sessions (
    session_id   VARCHAR PRIMARY KEY,
    employee_id  VARCHAR NOT NULL,
    held_on      DATE NOT NULL,
    coach_id     VARCHAR NOT NULL,
    topic        VARCHAR NOT NULL,
    audit_id     VARCHAR,
    period       VARCHAR,
    note         VARCHAR,
    recorded_by  VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
