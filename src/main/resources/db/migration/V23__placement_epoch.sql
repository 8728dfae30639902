-- labdrop store, version 23: fenced placements (docs/cluster.md). Each placement on a host takes
-- the host's next placement epoch, issued here under the host's lock; a cluster node writes it into
-- the request file, and the agent refuses a request file with an epoch older than the newest it
-- has seen for its host (a late write by a node that was paused while the work moved on).
alter table hosts add column placement_epoch bigint not null default 0;
alter table requests add column placement_epoch bigint not null default 0;
