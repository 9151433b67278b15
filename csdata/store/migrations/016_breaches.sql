-- The compliance queue (`csdata.analytics.compliance`): a breach of a policy rule is evaluated
-- from the records as of a day and is not stored; only what people did about it is. A breach is
-- named by its rule, its subject (an employee, a ticket or a corrective action) and the day it
-- began (`since`: an employee may break a rule again later). Each step is a row, never changed:
-- acknowledged (by whom it is taken on, with a note) or excused (with the reason); the latest
-- step is the breach's state, and a breach without steps is open. A breach whose condition ends
-- (the complaint accepted, the callback made) is no longer evaluated, so it leaves the queue by
-- itself; its steps stay. `audit_log_id` is the audit-log row of the step's transaction.
CREATE TABLE breach_steps (
    rule          VARCHAR NOT NULL,
    subject_kind  VARCHAR NOT NULL CHECK (subject_kind IN ('employee', 'ticket', 'action')),
    subject_id    VARCHAR NOT NULL,
    since         DATE NOT NULL,
    state         VARCHAR NOT NULL CHECK (state IN ('acknowledged', 'excused')),
    owner         VARCHAR,     -- acknowledged: the person who takes it on
    note          VARCHAR,     -- acknowledged: what will be done
    reason        VARCHAR,     -- excused: why it is no breach
    actor         VARCHAR NOT NULL,
    at_time       TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    audit_log_id  BIGINT
);
