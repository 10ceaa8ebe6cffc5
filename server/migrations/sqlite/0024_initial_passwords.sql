-- Accounts made by a unit's roster import, and trainees whose password an admin reset, sign in
-- with a one-time password and must set their own before anything else (issue 11, issue 14).
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
