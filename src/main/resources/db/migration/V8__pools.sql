-- labdrop store, version 8: pools. A request may name a host type and labels instead of a host;
-- it has no host until it is placed on a matching one. The pools table holds one row per host
-- type that pool requests were filed for: placing from a pool locks that row, so two hosts of
-- the type freeing at once never claim the same request.
alter table requests alter column host drop not null;
alter table requests add column pool_type varchar(63);
alter table requests add column pool_labels varchar(1000);
create index requests_pool_state on requests(pool_type, state);

create table pools (
    type varchar(63) primary key
);
