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

-- Bonuses are imported by month (`csdata import bonuses`: employee_id, month YYYY-MM, amount,
-- reason); the Pay page counts a month's bonuses in the appraisal period the month falls in. A
-- bonus of an older warehouse keeps the period it was given for and no month.
ALTER TABLE bonuses ADD COLUMN month VARCHAR;
ALTER TABLE bonuses ALTER COLUMN period DROP NOT NULL;
