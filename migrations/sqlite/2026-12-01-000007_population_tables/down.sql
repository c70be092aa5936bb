DROP TABLE population_tables;
