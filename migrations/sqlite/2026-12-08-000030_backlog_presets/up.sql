-- Named presets of the backlog ranking model (issue 14 item 4). The weights are a JSON object
-- criterion name → weight, so a new criterion needs no migration (a preset without it weighs it 0).
-- When the weights came from an AHP pairwise comparison, ahp holds the judgements and the
-- consistency ratio as JSON. At most one preset is the default (the use case keeps it so).
CREATE TABLE backlog_presets (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    description_sv TEXT,
    description_en TEXT,
    weights TEXT NOT NULL,
    ahp TEXT,
    is_default BOOLEAN NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A snapshot freezes the name of the preset it was ranked with (its weights are in the content).
ALTER TABLE backlog_snapshots ADD COLUMN preset_name TEXT;
