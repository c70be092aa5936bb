-- Responses erased at a respondent's request (GDPR art. 17). The answers, any draft and the
-- response row itself are deleted; this keeps only the receipt number, the survey and when, so
-- a later lookup of the same receipt can say "erased" instead of "never existed". Who erased
-- it and why are in the audit log.
CREATE TABLE response_erasures (
    receipt TEXT PRIMARY KEY NOT NULL,
    survey_id TEXT NOT NULL REFERENCES surveys(id),
    erased_at TIMESTAMP NOT NULL
);
