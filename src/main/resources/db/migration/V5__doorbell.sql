-- The doorbell: a per-host generation, bumped on every placement, removal and config change,
-- that agents poll over HTTP with the host's own token (only its SHA-256 is stored).
alter table hosts add column generation bigint default 0 not null;
alter table hosts add column doorbell_token_hash varchar(64);
