-- Accounts: every user name known to labdrop gets a role; only users with a password can log in.
alter table users add column role varchar(16) default 'tester' not null;
alter table users add column password_hash varchar(100);

-- API tokens: only a SHA-256 of each token is stored; the token is shown once when created.
create table api_tokens (
    token_hash varchar(64) primary key,
    user_name  varchar(63) not null references users(name),
    created_at timestamp with time zone not null,
    label      varchar(200)
);
