-- labdrop store, version 22: the web pages' sessions of a cluster, in the store, so that a user the
-- load balancer moves to another node stays logged in (web/SharedSessions, docs/cluster.md). The
-- layout is Jetty's JDBCSessionDataStore's, under the table name labdrop gives it; a single-node
-- server keeps its sessions in memory and leaves this table empty.
create table jetty_sessions (
    sessionid varchar(120) not null,
    contextpath varchar(60) not null,
    virtualhost varchar(60) not null,
    lastnode varchar(60),
    accesstime bigint,
    lastaccesstime bigint,
    createtime bigint,
    cookietime bigint,
    lastsavedtime bigint,
    expirytime bigint,
    maxinterval bigint not null default -999,
    map bytea,
    primary key (sessionid, contextpath, virtualhost)
);
create index idx_jetty_sessions_expiry on jetty_sessions (expirytime);
create index idx_jetty_sessions_session on jetty_sessions (sessionid, contextpath);
