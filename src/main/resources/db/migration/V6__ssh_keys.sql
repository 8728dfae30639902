-- The embedded SSH server: public keys registered for a host, or for a lab (a named set of hosts
-- behind one gateway). A key is stored bare (type and base64 only); options never are.
create table labs (
    name       varchar(63) primary key,
    created_at timestamp with time zone not null
);

create table lab_hosts (
    lab  varchar(63) not null references labs(name) on delete cascade,
    host varchar(63) not null references hosts(name),
    primary key (lab, host)
);

create table ssh_keys (
    owner_kind  varchar(8)    not null,
    owner       varchar(63)   not null,
    key_type    varchar(40)   not null,
    key_base64  varchar(8192) not null,
    fingerprint varchar(100)  not null,
    added_at    timestamp with time zone not null,
    added_by    varchar(63)   not null,
    primary key (owner_kind, owner, fingerprint)
);
create index ssh_keys_by_fingerprint on ssh_keys (fingerprint);
