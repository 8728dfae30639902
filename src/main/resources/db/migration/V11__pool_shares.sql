-- labdrop store, version 11: fair sharing without reading a pool's whole queue. One row per host
-- type and requester who filed pool work for it: when a request of theirs was last placed from
-- the type's pools (null: never). A free host walks these requesters and reads only the head of
-- each one's queue, through the index below, so its decision does not grow with the queue.
create table pool_shares (
    pool_type      varchar(63) not null,
    requester      varchar(63) not null references users(name),
    last_placed_at timestamp with time zone,
    primary key (pool_type, requester)
);
insert into pool_shares (pool_type, requester, last_placed_at)
    select pool_type, requester, max(placed_at) from requests
    where pool_type is not null group by pool_type, requester;
create index requests_pool_queue on requests(pool_type, state, requester, priority desc, num);
-- It serves every query the older (pool_type, state) index served; with both, H2 picked the older
-- one for a requester's queue and read the whole pool's.
drop index requests_pool_state;
