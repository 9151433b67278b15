-- A record's trail: one row when an import or a form creates it, and one for every correction
-- (a re-import with --update) with its values before and after, as JSON objects of the record's
-- columns (an audit's criteria and an appraisal's indicators among them, and the score they give).
-- `audit_log_id` is the audit-log row of the transaction that wrote it; `reason` says why (the
-- file's name and "re-import", or the --reason given).
CREATE SEQUENCE record_changes_seq;
CREATE TABLE record_changes (
    id            BIGINT PRIMARY KEY DEFAULT nextval('record_changes_seq'),
    at_time       TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor         VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,   -- tickets, audits, training, appraisals, employees
    record_id     VARCHAR NOT NULL,   -- the record's key; a key of several columns joined by "/"
    change        VARCHAR NOT NULL CHECK (change IN ('create', 'update', 'void')),
    before        JSON,
    after         JSON,
    reason        VARCHAR,
    audit_log_id  BIGINT
);

-- An import's corrected rows (`csdata import --update`), beside those it imported.
ALTER TABLE import_log ADD COLUMN updated INTEGER DEFAULT 0;
