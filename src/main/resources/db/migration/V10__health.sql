-- labdrop store, version 10: health checks. A health check is an ordinary request of the system
-- user 'lab', flagged so a host runs it before any other work. A host keeps the verdict of its
-- last check (PASSED or FAILED, null before the first), why and when, and how many of its
-- requests in a row ended Error or Aborted (K of them start a check).
alter table requests add column health_check boolean default false not null;
alter table hosts add column health varchar(16);
alter table hosts add column health_reason varchar(2000);
alter table hosts add column health_at timestamp with time zone;
alter table hosts add column errors_in_row int default 0 not null;
