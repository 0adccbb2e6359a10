DROP TABLE grievance_procedures;
