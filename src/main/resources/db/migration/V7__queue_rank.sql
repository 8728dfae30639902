-- labdrop store, version 7: a host's owner or an admin can reorder its queue. A queued request is
-- placed by priority, then by queue_rank (null = its number, i.e. filing order), then by number.
alter table requests add column queue_rank bigint;
