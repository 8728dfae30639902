-- The doorbell's change feed: one store-wide clock that every change of a host's doorbell
-- (generation, token, retirement) moves in its own transaction, stamping the host with the new
-- tick. The row lock orders the ticks as the changes commit, so a server that has read the clock
-- at tick T learns every later change with "bell_tick > T": each doorbell cache reads one row a
-- second instead of one row per poll, and sees changes made by other processes within that second.
create table bell_clock (
    id   int primary key,
    tick bigint not null
);
insert into bell_clock (id, tick) values (1, 0);
alter table hosts add column bell_tick bigint default 0 not null;
create index hosts_bell_tick on hosts(bell_tick);
