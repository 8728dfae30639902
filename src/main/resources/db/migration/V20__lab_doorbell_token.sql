-- A lab's doorbell token: its gateway reads the lab's generations over HTTP with it
-- (GET /api/v1/labs/LAB/generation) and opens its SSH login only when something changed.
-- Only the token's SHA-256 is stored, as for a host's doorbell token.
alter table labs add column doorbell_token_hash varchar(64);
