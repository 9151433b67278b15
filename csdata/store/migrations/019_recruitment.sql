-- Recruitment (policy 三(一)): a requisition is HR's plan for seats of a position in a client's
-- team; a candidate applies against one through a channel and moves through screening, interview,
-- written test, background check (背景调查) and offer to hired, or is rejected at some stage with a
-- reason. A candidate's personal data is kept to the minimum: an id and a name, no phone, e-mail or
-- address. The rules between the columns (stage dates in order, a later stage only after the
-- earlier passed, a hire only with a passed check, an accepted offer and an employee id) are the
-- row models' (`csdata.records.models`), checked by every import and form. Hiring creates the
-- employee in the same transaction (`csdata.imports.ingest`); `employee_id` names them.
-- No FOREIGN KEYs: DuckDB refuses to update a row another table's key refers to (an update is a
-- delete and an insert), so a requisition with candidates could never be corrected. The client,
-- team, pay grade and requisition a row names are checked by the imports, the only way rows
-- enter, as for the facts of 001; a requisition with candidates is not voided.
CREATE TABLE requisitions (
    requisition_id  VARCHAR PRIMARY KEY,
    position        VARCHAR NOT NULL,
    client          VARCHAR,
    team            VARCHAR NOT NULL,
    headcount       INTEGER NOT NULL CHECK (headcount >= 1),
    opened_on       DATE NOT NULL,
    needed_by       DATE,
    status          VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'on_hold', 'filled', 'cancelled')),
    requirements    VARCHAR,
    grade           VARCHAR  -- the pay grade a hire starts on
);

CREATE TABLE candidates (
    candidate_id      VARCHAR PRIMARY KEY,
    requisition_id    VARCHAR NOT NULL,
    channel           VARCHAR NOT NULL
                      CHECK (channel IN ('job_site', 'social_media', 'campus', 'referral', 'agency', 'other')),
    applied_on        DATE NOT NULL,
    screened_on       DATE,
    screen_passed     BOOLEAN,
    interviewed_on    DATE,
    interview_passed  BOOLEAN,
    test_on           DATE,
    test_score        DOUBLE CHECK (test_score BETWEEN 0 AND 100),
    checked_on        DATE,
    check_passed      BOOLEAN,
    offered_on        DATE,
    offer_accepted    BOOLEAN,
    hired_on          DATE,
    employee_id       VARCHAR,
    rejected_on       DATE,
    reason            VARCHAR,
    name              VARCHAR,
    checked_by        VARCHAR
);
