-- An account may be linked to the employee who uses it (工号), so that a form fills in the
-- signed-in person: the auditor of a QA audit, the reviewer of an appraisal.
ALTER TABLE users ADD COLUMN employee_id VARCHAR;
