-- Archived surveys are hidden from the start page and listed apart in the designer; a survey
-- with responses is archived, never deleted.
ALTER TABLE surveys ADD COLUMN archived_at TIMESTAMP;
