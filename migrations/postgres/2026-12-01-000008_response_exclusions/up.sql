-- Responses a researcher has left out of results (test answers, duplicates). One row per
-- response ever excluded: re-including sets `excluded` false rather than deleting, and every
-- change bumps `revision`, so the sum of revisions per version is a stamp that changes on every
-- exclusion and re-inclusion (the results cache compares it). The audit log keeps the history.
CREATE TABLE response_exclusions (
    response_id TEXT PRIMARY KEY NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL,
    excluded BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    revision BIGINT NOT NULL
);
CREATE INDEX response_exclusions_version ON response_exclusions(version_id);
