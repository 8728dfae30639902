-- The identity (file key, size, time) of the state_file last applied for each host, written in the
-- state's own transaction: a restarted server skips every state_file unchanged since, instead of
-- reading and parsing all of them again (docs/performance.md, "50,000 hosts on one node").
alter table hosts add column state_key varchar(200);
