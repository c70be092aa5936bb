-- Reaching respondents: samples drawn from a sampling frame (the frame itself is not kept: only
-- the drawn units become invitations), single-use invitations with their access codes and
-- fieldwork status, the e-mail outbox with retries, quota counters, and on each response the
-- stratum and design weight the analysis uses.
CREATE TABLE samples (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    frame_name TEXT NOT NULL,
    frame_rows BIGINT NOT NULL,
    frame_sha256 TEXT NOT NULL,
    strata TEXT NOT NULL,
    allocation TEXT NOT NULL,
    seed BIGINT NOT NULL,
    plan TEXT NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX samples_survey ON samples(survey_id);

-- One row per invited person or business. `code` is the access code printed in letters and
-- carried by e-mail links. For an anonymous survey `response_id` stays NULL and `completed_at`
-- holds only the date, so nothing links an invitation to its response.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    sample_id TEXT REFERENCES samples(id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    unit_ref TEXT,
    language TEXT NOT NULL,
    stratum TEXT,
    inclusion_probability DOUBLE PRECISION,
    design_weight DOUBLE PRECISION,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    completed_at TIMESTAMP,
    response_id TEXT,
    opted_out_at TIMESTAMP,
    bounced_at TIMESTAMP,
    bounce_reason TEXT
);
CREATE INDEX invitations_survey ON invitations(survey_id);
CREATE INDEX invitations_sample ON invitations(sample_id);

-- Contact details apart from the invitation: they are personal data needed only during
-- fieldwork, so they can be erased when it ends while response rates stay countable.
CREATE TABLE invitation_contacts (
    invitation_id TEXT PRIMARY KEY NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    email TEXT,
    phone TEXT,
    name TEXT,
    address TEXT
);

-- The e-mail outbox: one row per message (invitation, reminder 1, reminder 2). A row becomes
-- `sent` only after the SMTP server accepted the message; failures wait `next_attempt_at`.
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    invitation_id TEXT NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (invitation_id, kind)
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);

-- Completed responses per quota cell, updated in the submitting transaction.
CREATE TABLE quota_counts (
    survey_id TEXT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    quota TEXT NOT NULL,
    cell TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (survey_id, quota, cell)
);

ALTER TABLE responses ADD COLUMN stratum TEXT;
ALTER TABLE responses ADD COLUMN design_weight DOUBLE PRECISION;
ALTER TABLE drafts ADD COLUMN invitation_code TEXT;
-- The writer deletes a used code's drafts in every batch that uses a code.
CREATE INDEX drafts_invitation_code ON drafts(invitation_code);
