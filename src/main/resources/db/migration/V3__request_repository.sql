-- A request may name its own package repository (Chromium's job_repo_url: packages staged for
-- one build); the agent tries it before its configured fetch locations.
alter table requests add column repository_url varchar(1000);
