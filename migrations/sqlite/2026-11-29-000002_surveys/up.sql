-- Questionnaires: a survey (stable key, operational options) and its versions. A version's
-- definition is the whole instrument as JSON text; a published version's definition never changes.
CREATE TABLE surveys (
    id TEXT PRIMARY KEY NOT NULL,
    key TEXT NOT NULL UNIQUE,
    options TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE survey_versions (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    closed_at TIMESTAMP,
    UNIQUE (survey_id, version)
);
CREATE INDEX survey_versions_status ON survey_versions(survey_id, status);
