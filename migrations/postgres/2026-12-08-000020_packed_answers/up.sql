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

-- Backfill: float8::text is the shortest text that reads back as the same double.
INSERT INTO response_answers_packed (response_id, version_id, packed)
SELECT r.id, r.version_id, COALESCE((
    SELECT CAST(json_object_agg(a.answer_key, CASE
        WHEN a.value_num IS NULL AND a.value_text IS NULL THEN 'null'::json
        WHEN a.value_num IS NULL THEN to_json(a.value_text)
        WHEN a.value_text IS NULL AND a.value_num = trunc(a.value_num)
             AND abs(a.value_num) <= 9007199254740992
            THEN to_json(CAST(a.value_num AS BIGINT))
        ELSE json_build_array(a.value_text, CAST(a.value_num AS TEXT))
    END ORDER BY a.answer_key) AS TEXT)
    FROM answers a WHERE a.response_id = r.id
), '{}')
FROM responses r;
