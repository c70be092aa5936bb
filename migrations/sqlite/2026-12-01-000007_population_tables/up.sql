-- Population tables for weighting results: a named, cross-classified table of population
-- counts uploaded by an analyst (CSV: category columns, then `count`). The parsed table is
-- stored whole as JSON: it is read whole for every weighting and never queried by cell.
CREATE TABLE population_tables (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    category_columns TEXT NOT NULL,
    cells TEXT NOT NULL,
    total DOUBLE PRECISION NOT NULL,
    created_by TEXT,
    created_at TIMESTAMP NOT NULL
);
