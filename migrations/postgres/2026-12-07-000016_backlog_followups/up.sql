-- Benefits follow-up (nyttohemtagning, issue 14 item 7). A prediction is frozen once per area:
-- the expected e-service share with its interval and, in `basis` (JSON: yearly volume, channel mix
-- and costs per contact), the figures it was computed from, so a later edit of the area cannot
-- move what was promised. Follow-ups are kept whole (several per area: 3 months, a year, …);
-- dates are ISO text (YYYY-MM-DD), the same on both backends.
CREATE TABLE backlog_predictions (
    area_id TEXT PRIMARY KEY NOT NULL REFERENCES backlog_areas(id) ON DELETE CASCADE,
    share_point DOUBLE PRECISION NOT NULL,
    share_low DOUBLE PRECISION NOT NULL,
    share_high DOUBLE PRECISION NOT NULL,
    basis TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

CREATE TABLE backlog_followups (
    id TEXT PRIMARY KEY NOT NULL,
    area_id TEXT NOT NULL REFERENCES backlog_areas(id) ON DELETE CASCADE,
    measured_on TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    volume_phone BIGINT NOT NULL,
    volume_email BIGINT NOT NULL,
    volume_letter BIGINT NOT NULL,
    volume_visit BIGINT NOT NULL,
    volume_web BIGINT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX backlog_followups_area ON backlog_followups(area_id);
