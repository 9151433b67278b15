-- Recognition (表彰, policy 六): an award HR gives a person, on a day, for a reason. Entered on the
-- Agent page (one transaction, audit-log entity `recognitions:ID`, a trail row in `record_changes`).
-- A recognition entered in error is voided, never deleted: `voided_at`, `voided_by` and
-- `void_reason` say when, by whom and why, and the trail gets a `void` row; a voided one is no
-- longer shown as an award.
CREATE SEQUENCE recognitions_seq;
CREATE TABLE recognitions (
    id           BIGINT PRIMARY KEY DEFAULT nextval('recognitions_seq'),
    employee_id  VARCHAR NOT NULL,
    award        VARCHAR NOT NULL,
    awarded_on   DATE NOT NULL,
    reason       VARCHAR NOT NULL,
    recorded_by  VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    voided_at    TIMESTAMP,
    voided_by    VARCHAR,
    void_reason  VARCHAR
);
