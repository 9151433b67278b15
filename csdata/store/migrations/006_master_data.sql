-- Master data by import (`csdata import clients|departments|teams|pay_grades|courses|periods`):
-- a client's Chinese name, and the hours a course takes. appraisal_periods has its status and
-- departments their Chinese name since 001.
ALTER TABLE clients ADD COLUMN name_zh VARCHAR;
ALTER TABLE courses ADD COLUMN hours DOUBLE;

-- A course of an older warehouse takes the hours its first attempts most often record.
UPDATE courses SET hours = (
    SELECT mode(r.hours) FROM training_results r
    WHERE r.course = courses.course AND r.attempt = 1 AND r.hours IS NOT NULL
);
