ALTER TABLE backlog_snapshots DROP COLUMN preset_name;
DROP TABLE backlog_presets;
