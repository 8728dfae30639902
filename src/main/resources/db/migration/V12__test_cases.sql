-- labdrop store, version 12: per-case results. Each test of a finished request has its cases
-- (read by the agent from the JUnit XML and TAP the test wrote or printed; a test without cases
-- has one, named after the test, with the test's outcome), and the problems met reading them.
create table test_cases (
    request_num bigint not null references requests(num),
    test_idx    int not null,
    seq         int not null,
    suite       varchar(255) not null,
    name        varchar(255) not null,
    outcome     varchar(8) not null,
    duration_ms bigint,
    message     varchar(1000),
    primary key (request_num, test_idx, seq)
);
create table case_problems (
    request_num bigint not null references requests(num),
    seq         int not null,
    test_idx    int,
    message     varchar(1000) not null,
    primary key (request_num, seq)
);
alter table test_results add column dropped_cases int not null default 0;
