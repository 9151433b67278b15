-- A supervisor's part of an appraisal: the teamwork score (0-100) and a comment for an agent of
-- their own teams, proposed for HR to review. One row per period and person (the key: a second
-- save, from another tab or a second click, changes the one proposal instead of adding another);
-- it can change until HR confirms the person's appraisal, each change kept in record_changes
-- (kind 'appraisal_proposals', id PERIOD/EMPLOYEE) with its values before and after. HR's
-- confirmation marks it used (used_by/used_at). It is kept apart from `appraisals` so that
-- nothing that counts appraisals (grades, the People page, pay) can count a proposal: only an
-- appraisal row HR confirmed counts.
CREATE TABLE appraisal_proposals (
    period       VARCHAR NOT NULL,
    employee_id  VARCHAR NOT NULL,
    teamwork     DOUBLE NOT NULL CHECK (teamwork BETWEEN 0 AND 100),
    comment      VARCHAR,
    proposed_by  VARCHAR NOT NULL,
    proposed_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    used_by      VARCHAR,
    used_at      TIMESTAMP,
    PRIMARY KEY (period, employee_id)
);
