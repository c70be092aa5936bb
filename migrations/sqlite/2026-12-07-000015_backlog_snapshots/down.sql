DROP TABLE backlog_snapshots;
