DROP INDEX drafts_invitation_code;
ALTER TABLE drafts DROP COLUMN invitation_code;
ALTER TABLE responses DROP COLUMN design_weight;
ALTER TABLE responses DROP COLUMN stratum;
DROP TABLE quota_counts;
DROP TABLE deliveries;
DROP TABLE invitation_contacts;
DROP TABLE invitations;
DROP TABLE samples;
