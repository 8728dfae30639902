-- The packages a request needs, pinned at filing time from the server's repositories:
-- the request XML carries their SHA-256 and size so the SUT can verify what it downloads.
create table request_packages (
    request_num bigint not null references requests(num),
    idx         int not null,
    type        varchar(16) not null,
    name        varchar(63) not null,
    file        varchar(100) not null,
    sha256      varchar(64) not null,
    size        bigint not null,
    primary key (request_num, idx)
);
