-- The hosts dashboard's change feed (docs/web.md, "Hosts"): every write to a host row moves the
-- store-wide clock of V17 and stamps the row with the new tick, in the writer's transaction. The
-- clock's row lock orders the ticks as the writes commit, so a browser that showed its page of
-- hosts as of tick T is sent only the rows with "board_tick > T".
alter table hosts add column board_tick bigint default 0 not null;
create index hosts_board_tick on hosts(board_tick);
create index hosts_type_name on hosts(type, name);
