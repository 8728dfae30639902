-- labdrop store, version 11: fair sharing reads when each requester last had a pool request
-- placed, per host type, from its own small table (one row per type and requester, updated with
-- the placement) instead of from the whole request history.
create table pool_shares (
    pool_type      varchar(63) not null,
    requester      varchar(63) not null references users(name),
    last_placed_at timestamp with time zone not null,
    primary key (pool_type, requester)
);
insert into pool_shares (pool_type, requester, last_placed_at)
    select pool_type, requester, max(placed_at) from requests
    where pool_type is not null and placed_at is not null group by pool_type, requester;
