-- labdrop store, version 24: notifications on a cluster (docs/cluster.md). A node fans out new
-- events, or sends a webhook's (or the mail outbox's) due deliveries, only while it holds that
-- work's lease: a row here naming the node and until when. A lease is renewed before each send
-- and runs out when its node dies, so another node takes the work over. A single server takes
-- no leases.
create table notify_leases (
    name varchar(64) primary key,
    node_id varchar(64) not null,
    held_until timestamp with time zone not null
);
