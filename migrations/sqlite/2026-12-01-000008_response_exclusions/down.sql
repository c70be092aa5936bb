DROP TABLE response_exclusions;
