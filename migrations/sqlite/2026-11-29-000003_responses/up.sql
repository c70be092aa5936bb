-- Completed responses, one row per answer cell (long format with typed value columns, so the
-- analysis loads a version's answers with one indexed scan), and in-progress drafts kept apart.
CREATE TABLE responses (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    version_id TEXT NOT NULL REFERENCES survey_versions(id),
    receipt TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    mode TEXT NOT NULL,
    language TEXT NOT NULL,
    seed BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX responses_survey ON responses(survey_id);
CREATE INDEX responses_version ON responses(version_id);

CREATE TABLE answers (
    response_id TEXT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    answer_key TEXT NOT NULL,
    value_text TEXT,
    value_num DOUBLE PRECISION,
    PRIMARY KEY (response_id, answer_key)
);

CREATE TABLE drafts (
    id TEXT PRIMARY KEY NOT NULL,
    version_id TEXT NOT NULL REFERENCES survey_versions(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    language TEXT NOT NULL,
    seed BIGINT NOT NULL,
    attempt TEXT NOT NULL,
    page INTEGER NOT NULL,
    answers TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX drafts_expires ON drafts(expires_at);
