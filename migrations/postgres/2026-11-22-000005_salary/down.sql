DROP TABLE reference_costs;
DROP TABLE scenario_floors;
DROP TABLE scenarios;
ALTER TABLE classifications DROP COLUMN floor_cents;
