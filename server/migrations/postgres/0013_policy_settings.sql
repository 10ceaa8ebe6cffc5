-- The rest of a policy year's settings (issue 11): the ledger's daily cap and the interval of
-- its anti-idle checks, and how many 学时 supplementary activities may add to a trainee's year.
-- Existing years get the values the server used until now (DESIGN.md §3) and a cap of 12 学时.
ALTER TABLE policy_years ADD COLUMN daily_cap_minutes BIGINT NOT NULL DEFAULT 480;
ALTER TABLE policy_years ADD COLUMN check_min_minutes BIGINT NOT NULL DEFAULT 5;
ALTER TABLE policy_years ADD COLUMN check_max_minutes BIGINT NOT NULL DEFAULT 15;
ALTER TABLE policy_years ADD COLUMN supplementary_cap_hours BIGINT NOT NULL DEFAULT 12;

-- What changed in an audited action, as JSON, where it matters (a policy year's settings
-- before and after a change); NULL for actions that only happened.
ALTER TABLE audit_log ADD COLUMN before_json TEXT;
ALTER TABLE audit_log ADD COLUMN after_json TEXT;
CREATE INDEX audit_log_by_at ON audit_log (at, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, at);
