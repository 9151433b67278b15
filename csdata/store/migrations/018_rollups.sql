-- From here on the warehouse keeps rollups of its tickets and complaint rounds: tables summed per
-- day whose columns follow the metric catalog, so they are made by code, not by this file
-- (`csdata.store.rollups`, rebuilt on opening when missing or of another shape). Applying this
-- migration only asks for that first build.
DELETE FROM meta WHERE key = 'rollups_signature';
