DROP TABLE drafts;
DROP TABLE answers;
DROP TABLE responses;
