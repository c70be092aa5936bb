-- Published backlog rankings (issue 14 item 5): each row freezes one ranking with every input it
-- was computed from (survey version, weighting, criteria weights, cost assumptions, seed, the
-- areas' figures) as JSON, so a decision can be traced and reproduced. Rows are never changed.
CREATE TABLE backlog_snapshots (
    id TEXT PRIMARY KEY NOT NULL,
    published_by TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    seed BIGINT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX backlog_snapshots_published_at ON backlog_snapshots (published_at);
