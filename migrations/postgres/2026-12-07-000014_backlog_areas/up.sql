-- Candidate e-service areas of the backlog (issue 14). An area is known by its stable `key`
-- (catalogue imports upsert by it; rankings and snapshots refer to it). Its channel mix and
-- handling minutes are one row per channel; its status changes are kept whole in
-- backlog_status_history (who, when, from, to, why); the survey questions that measure it are
-- links by survey key, version and question key, so an area follows a survey across versions.
CREATE TABLE backlog_areas (
    id TEXT PRIMARY KEY NOT NULL,
    key TEXT NOT NULL UNIQUE,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_sv TEXT NOT NULL,
    description_en TEXT NOT NULL,
    administration TEXT NOT NULL,
    target_group TEXT NOT NULL,
    status TEXT NOT NULL,
    yearly_volume BIGINT NOT NULL,
    development_cost BIGINT NOT NULL,
    running_cost BIGINT NOT NULL,
    feasibility INTEGER NOT NULL,
    feasibility_note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE backlog_area_channels (
    area_id TEXT NOT NULL REFERENCES backlog_areas(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    share DOUBLE PRECISION NOT NULL,
    minutes DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (area_id, channel)
);

-- Ordered by changed_at, then id (UUID v7, time-ordered), so changes in one transaction keep
-- their order.
CREATE TABLE backlog_status_history (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES backlog_areas(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX backlog_status_history_area ON backlog_status_history(area_id);

-- `item` is '' when the role takes none, so the UNIQUE constraint holds (NULLs never collide).
CREATE TABLE backlog_area_links (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES backlog_areas(id) ON DELETE CASCADE,
    survey_key TEXT NOT NULL,
    version INTEGER NOT NULL,
    question_key TEXT NOT NULL,
    role TEXT NOT NULL,
    item TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (area_id, survey_key, version, question_key, role, item)
);
CREATE INDEX backlog_area_links_survey ON backlog_area_links(survey_key, version);
