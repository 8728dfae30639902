-- labdrop store, version 15: confirming new failures on a second host. A request may ask for it
-- (confirm_failures; its host type may ask by default); its confirmation is a pool request of the
-- same type that avoids the first host (avoid_host) and names the request it confirms (confirms).
-- Each new failure waits for it (confirmation pending) and then reads confirmed or host-specific.
alter table requests add column confirm_failures boolean not null default false;
alter table requests add column confirms bigint;
alter table requests add column avoid_host varchar(63);
alter table case_verdicts add column confirmation varchar(16);
alter table case_verdicts add column confirmed_by bigint;
create index requests_confirms on requests(confirms);
