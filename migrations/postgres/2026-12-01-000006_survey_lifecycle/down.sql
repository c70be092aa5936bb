ALTER TABLE surveys DROP COLUMN archived_at;
