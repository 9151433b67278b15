-- A ticket created by a file import finds its creation through the import itself: the import's
-- id on the ticket (`tickets.import_id`), the import's own row (`import_log`: who, when, which
-- file, how many rows) and the audit-log row of its transaction (`import_log.audit_log_id`). A
-- ticket file brings millions of rows; a trail row (`record_changes`) for each one created cost
-- an import more than reading its file. Corrections and voids keep their trail rows as before
-- (`csdata.records.history` reads both).
ALTER TABLE tickets ADD COLUMN import_id BIGINT;
ALTER TABLE import_log ADD COLUMN audit_log_id BIGINT;
