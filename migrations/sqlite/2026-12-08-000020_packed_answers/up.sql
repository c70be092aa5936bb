-- Each response's answers once more, packed into one JSON object (answer key → value), so the
-- first load of a version's results reads one row per response instead of one per answer
-- (100,000 rows instead of 4.3 million for a 40-question survey). The long-format `answers`
-- table stays the source of truth for everything else; every writer of `answers` writes this
-- row in the same transaction (storage::packed). A value is a JSON string (text only), an
-- integer (a whole number only), null (neither) or an array [text or null, number or null]
-- whose number is an integer or a decimal string (read back exactly, whatever the backend's
-- float formatting).
CREATE TABLE response_answers_packed (
    response_id TEXT PRIMARY KEY NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    version_id TEXT NOT NULL,
    packed TEXT NOT NULL
);
CREATE INDEX response_answers_packed_version ON response_answers_packed(version_id);

-- Backfill: SQLite's %!.17g gives 17 significant digits, enough to read every double back
-- exactly.
INSERT INTO response_answers_packed (response_id, version_id, packed)
SELECT r.id, r.version_id, COALESCE((
    SELECT json_group_object(a.answer_key, json(CASE
        WHEN a.value_num IS NULL AND a.value_text IS NULL THEN 'null'
        WHEN a.value_num IS NULL THEN json_quote(a.value_text)
        WHEN a.value_text IS NULL AND a.value_num = CAST(a.value_num AS INTEGER)
             AND abs(a.value_num) <= 9007199254740992
            THEN CAST(CAST(a.value_num AS INTEGER) AS TEXT)
        ELSE json_array(a.value_text, printf('%!.17g', a.value_num))
    END))
    FROM (SELECT * FROM answers WHERE response_id = r.id ORDER BY answer_key) a
), '{}')
FROM responses r;
