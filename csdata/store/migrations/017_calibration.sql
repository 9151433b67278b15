-- A calibration session: several auditors score the same ticket to see whether they score alike
-- (`csdata.analytics.calibration`). Its audits carry the source `calibration`, kept apart from
-- the audits that measure an agent. DuckDB cannot alter a check, so the table is built again
-- with the same rows and columns, as 015 did for corrective actions. Nothing references
-- `audits` by a constraint or an index (001: the high-volume facts keep no key index), and the
-- trail (`record_changes`) and the audit log name an audit by its id, which is kept.
CREATE TABLE audits_017 (
    audit_id          VARCHAR NOT NULL,           -- unique: see the note at the top of 001
    audited_at        DATE NOT NULL,
    agent_id          VARCHAR NOT NULL,
    auditor_id        VARCHAR,
    ticket_id         VARCHAR,
    client            VARCHAR,
    channel           VARCHAR CHECK (channel IN ('phone', 'chat', 'email')),
    source            VARCHAR NOT NULL
                      CHECK (source IN ('recording', 'spot_check', 'customer_feedback', 'calibration')),
    critical_error    BOOLEAN NOT NULL DEFAULT FALSE,
    finding_category  VARCHAR,
    comment           VARCHAR,
    score             DOUBLE,
    policy_version    INTEGER
);
INSERT INTO audits_017
SELECT audit_id, audited_at, agent_id, auditor_id, ticket_id, client, channel, source, critical_error,
       finding_category, comment, score, policy_version
FROM audits;
DROP TABLE audits;
ALTER TABLE audits_017 RENAME TO audits;
