-- The whole policy's data model, from the start. Append-only: change it with a new numbered file.
-- Natural keys (client name, employee id 工号, ticket id) are what users type and files carry,
-- so they are the keys here too. Facts carry no personal data of the clients' customers.
--
-- The high-volume facts (tickets, audits, audit_scores) have no PRIMARY KEY index: keeping one
-- made a million-audit import four times slower (12.3 s against 2.9 s to insert the rows). Their
-- keys are kept unique by the only way rows enter, `csdata.ingest`, which checks each file
-- against itself and against the warehouse and commits under one lock per process (and DuckDB
-- lets a single process write the file).

CREATE TABLE clients (
    name        VARCHAR PRIMARY KEY,
    industry    VARCHAR,
    active      BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE departments (
    name        VARCHAR PRIMARY KEY,
    name_zh     VARCHAR
);

CREATE TABLE pay_grades (
    grade             VARCHAR PRIMARY KEY,
    base_pay          DECIMAL(12, 2) NOT NULL,  -- monthly
    performance_base  DECIMAL(12, 2) NOT NULL   -- monthly performance pay at coefficient 1.0
);

CREATE TABLE teams (
    name          VARCHAR PRIMARY KEY,
    department    VARCHAR NOT NULL REFERENCES departments (name),
    client        VARCHAR REFERENCES clients (name),
    supervisor_id VARCHAR
);

CREATE TABLE employees (
    employee_id   VARCHAR PRIMARY KEY,          -- 工号
    name          VARCHAR NOT NULL,
    department    VARCHAR NOT NULL REFERENCES departments (name),
    team          VARCHAR REFERENCES teams (name),
    client        VARCHAR REFERENCES clients (name),
    position      VARCHAR NOT NULL,             -- agent, supervisor, qa, trainer, manager, staff
    grade         VARCHAR REFERENCES pay_grades (grade),
    hire_date     DATE NOT NULL,
    go_live_date  DATE,
    status        VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
    left_on       DATE
);

CREATE TABLE tickets (
    ticket_id              VARCHAR NOT NULL,      -- unique: see the note at the top
    client                 VARCHAR NOT NULL,
    channel                VARCHAR NOT NULL CHECK (channel IN ('phone', 'chat', 'email')),
    type                   VARCHAR NOT NULL CHECK (type IN ('consultation', 'complaint', 'suggestion')),
    agent_id               VARCHAR,
    opened_at              TIMESTAMP NOT NULL,
    first_response_at      TIMESTAMP,           -- NULL: never answered (abandoned)
    resolved_at            TIMESTAMP,
    handle_seconds         DOUBLE,
    resolved               BOOLEAN,
    first_contact_resolved BOOLEAN,
    csat                   TINYINT CHECK (csat BETWEEN 1 AND 5),
    category               VARCHAR,
    department             VARCHAR,             -- department a complaint or suggestion was routed to
    routed_at              TIMESTAMP,
    feedback_at            TIMESTAMP,           -- result fed back to the customer
    customer_accepted      BOOLEAN,
    reopened               BOOLEAN,
    callback_promised_at   TIMESTAMP,
    callback_done_at       TIMESTAMP,
    suggestion_adopted     BOOLEAN,
    reward_amount          DECIMAL(12, 2)
);

-- An audit's score is fixed when it is written, under the scorecard then in force
-- (policy_version), so a later scorecard never rewrites past results.
CREATE TABLE audits (
    audit_id          VARCHAR NOT NULL,           -- unique: see the note at the top
    audited_at        DATE NOT NULL,
    agent_id          VARCHAR NOT NULL,
    auditor_id        VARCHAR,
    ticket_id         VARCHAR,
    client            VARCHAR,
    channel           VARCHAR CHECK (channel IN ('phone', 'chat', 'email')),
    source            VARCHAR NOT NULL CHECK (source IN ('recording', 'spot_check', 'customer_feedback')),
    critical_error    BOOLEAN NOT NULL DEFAULT FALSE,
    finding_category  VARCHAR,
    comment           VARCHAR,
    score             DOUBLE,
    policy_version    INTEGER
);

-- One row per scored criterion; a criterion marked not applicable has no row.
CREATE TABLE audit_scores (
    audit_id   VARCHAR NOT NULL,
    criterion  VARCHAR NOT NULL,
    score      DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 100)   -- (audit_id, criterion) unique
);

CREATE TABLE corrective_actions (
    action_id   VARCHAR PRIMARY KEY,
    audit_id    VARCHAR,
    agent_id    VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('coaching', 'training', 'script_change')),
    owner_id    VARCHAR,
    due_on      DATE,
    status      VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    closed_on   DATE,
    note        VARCHAR
);

CREATE TABLE courses (
    course     VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL CHECK (kind IN ('onboarding', 'in_service')),
    pass_mark  DOUBLE
);

CREATE TABLE training_results (
    employee_id  VARCHAR NOT NULL,
    course       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('onboarding', 'in_service')),
    taken_on     DATE NOT NULL,
    score        DOUBLE CHECK (score BETWEEN 0 AND 100),
    hours        DOUBLE CHECK (hours >= 0),
    attempt      INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    PRIMARY KEY (employee_id, course, attempt)
);

CREATE TABLE appraisal_periods (
    period     VARCHAR PRIMARY KEY,            -- e.g. 2026-Q1
    starts_on  DATE NOT NULL,
    ends_on    DATE NOT NULL,
    status     VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))
);

-- Like audits, the weighted score and grade are fixed when written, under the scheme in force.
CREATE TABLE appraisals (
    period          VARCHAR NOT NULL REFERENCES appraisal_periods (period),
    employee_id     VARCHAR NOT NULL,
    score           DOUBLE,
    grade           VARCHAR,
    reviewer        VARCHAR,
    comment         VARCHAR,
    confirmed_by    VARCHAR,
    confirmed_at    TIMESTAMP,
    policy_version  INTEGER,
    PRIMARY KEY (period, employee_id)
);

CREATE TABLE appraisal_scores (
    period       VARCHAR NOT NULL,
    employee_id  VARCHAR NOT NULL,
    indicator    VARCHAR NOT NULL,
    score        DOUBLE NOT NULL CHECK (score BETWEEN 0 AND 100),
    PRIMARY KEY (period, employee_id, indicator)
);

CREATE TABLE bonuses (
    employee_id  VARCHAR NOT NULL,
    period       VARCHAR NOT NULL,
    amount       DECIMAL(12, 2) NOT NULL,
    reason       VARCHAR
);

CREATE TABLE policy_versions (
    version         INTEGER PRIMARY KEY,
    effective_from  DATE NOT NULL,
    body            JSON NOT NULL,
    created_by      VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE TABLE users (
    username       VARCHAR PRIMARY KEY,
    role           VARCHAR NOT NULL,
    password_hash  VARCHAR,
    email          VARCHAR,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

CREATE TABLE user_scopes (
    username  VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL CHECK (kind IN ('client', 'team')),
    value     VARCHAR NOT NULL,
    PRIMARY KEY (username, kind, value)
);

-- Every write, in the transaction of the write: who did what to which record (the last id is
-- also the data version the app's caches are keyed on).
CREATE SEQUENCE audit_log_seq;
CREATE TABLE audit_log (
    id      BIGINT PRIMARY KEY DEFAULT nextval('audit_log_seq'),
    at_time TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor   VARCHAR NOT NULL,   -- an account, or the command line's operator
    action  VARCHAR NOT NULL,   -- e.g. ticket.feedback, import.audits, policy.save
    entity  VARCHAR,            -- the record's id, where there is one
    detail  JSON                -- what changed
);

CREATE SEQUENCE import_log_seq;
CREATE TABLE import_log (
    id          BIGINT PRIMARY KEY DEFAULT nextval('import_log_seq'),
    at_time     TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor       VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,   -- the record kind: tickets, audits, training, ...
    file_name   VARCHAR,
    sha256      VARCHAR,            -- of the file's bytes, so a second upload is recognised
    rows        INTEGER,
    imported    INTEGER,
    duplicates  INTEGER,
    rejected    INTEGER
);

-- Whether this warehouse is the generated demo (the login page may then show demo accounts).
CREATE TABLE meta (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR
);
