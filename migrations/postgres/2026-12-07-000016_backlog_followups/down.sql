DROP TABLE backlog_followups;
DROP TABLE backlog_predictions;
