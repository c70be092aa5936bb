DROP TABLE response_erasures;
