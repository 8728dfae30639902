-- labdrop store, version 13: regressions. A finished test that passed or failed is a run of its
-- test (package and arguments: args_key) on its scope (the host type, or the host when its type
-- is the default); the index finds a test's last runs on a scope without reading its history.
-- A finished request's cases are compared with them once, at ingest, into case_verdicts.
alter table test_results add column args_key varchar(64);
alter table test_results add column scope varchar(80);
alter table test_results add column ended_at timestamp with time zone;
alter table test_results add column previous_num bigint;
create index test_results_history on test_results(name, args_key, scope, ended_at desc, request_num desc);
create table case_verdicts (
    request_num bigint not null references requests(num),
    seq         int not null,
    test_idx    int not null,
    test_name   varchar(63) not null,
    scope       varchar(80) not null,
    suite       varchar(255) not null,
    name        varchar(255) not null,
    verdict     varchar(16) not null,
    outcome     varchar(8),
    previous    varchar(8),
    ended_at    timestamp with time zone not null,
    primary key (request_num, seq)
);
create index case_verdicts_recent on case_verdicts(ended_at);
