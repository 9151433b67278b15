-- An appraisal counts (grades, the appraisal_score metric, performance pay) once HR confirms it:
-- confirmed_by/confirmed_at, in appraisals since 001. The HR form confirms on save; an imported
-- appraisal arrives unconfirmed from now on. Every appraisal already in the warehouse was counted
-- before this migration, so it stays counted: those without a confirmation are confirmed by their
-- reviewer (or "migration 010") at the end of their period.
UPDATE appraisals SET
    confirmed_by = coalesce(reviewer, 'migration 010'),
    confirmed_at = (SELECT CAST(p.ends_on AS TIMESTAMP) FROM appraisal_periods p
                    WHERE p.period = appraisals.period)
WHERE confirmed_at IS NULL;
