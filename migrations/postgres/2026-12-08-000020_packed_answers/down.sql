DROP TABLE response_answers_packed;
