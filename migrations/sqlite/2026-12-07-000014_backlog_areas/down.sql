DROP TABLE backlog_area_links;
DROP TABLE backlog_status_history;
DROP TABLE backlog_area_channels;
DROP TABLE backlog_areas;
