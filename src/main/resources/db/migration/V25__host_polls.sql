-- labdrop store, version 25: doorbell poll counts in the store, so that every node of a cluster
-- shows the same count and a restart does not reset it. Each server counts the polls it answers
-- in memory and adds them here every few seconds (queue.Doorbell); a row per host, apart from
-- hosts so that adding counts never waits on a host's lock.
create table host_polls (
    host varchar(64) primary key,
    polls bigint not null default 0,
    last_poll_at timestamp with time zone
);
insert into host_polls (host) select name from hosts;
