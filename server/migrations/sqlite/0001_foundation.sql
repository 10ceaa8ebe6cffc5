-- Foundation schema: regions, units, policy years, accounts, sessions, login attempts, audit.
-- Every integer is BIGINT (row ids INTEGER PRIMARY KEY, SQLite's 64-bit rowid) and every
-- instant is Unix seconds (UTC) so that one set of queries
-- reads the same types from PostgreSQL and SQLite.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES regions(code),
    level       BIGINT NOT NULL,
    -- '/350000/350500/350502/': a subtree is every path that starts with its root's path.
    path        TEXT NOT NULL UNIQUE
);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions(code),
    created_at  BIGINT NOT NULL,
    UNIQUE (region_code, name)
);

CREATE TABLE policy_years (
    year                  BIGINT PRIMARY KEY,
    graded_hours          BIGINT NOT NULL,
    ungraded_hours        BIGINT NOT NULL,
    graded_fee_fen        BIGINT NOT NULL,
    ungraded_fee_fen      BIGINT NOT NULL,
    -- Shanghai calendar dates, 'YYYY-MM-DD', inclusive to 23:59:59 local time.
    registration_deadline TEXT NOT NULL,
    study_deadline        TEXT NOT NULL,
    minutes_per_hour      BIGINT NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    role            TEXT NOT NULL,
    username        TEXT UNIQUE,
    id_number       TEXT UNIQUE,
    phone           TEXT UNIQUE,
    name            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    unit_id         BIGINT REFERENCES units(id),
    region_code     TEXT REFERENCES regions(code),
    employment_type TEXT,
    trade           TEXT,
    grade           TEXT,
    created_at      BIGINT NOT NULL
);

-- A trainee's participation in one policy year, with the grade that year's rules use.
CREATE TABLE enrolments (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    year       BIGINT NOT NULL REFERENCES policy_years(year),
    grade      TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, year)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      BIGINT NOT NULL,
    ip      TEXT NOT NULL,
    login   TEXT NOT NULL,
    success BIGINT NOT NULL
);
CREATE INDEX login_attempts_by_login ON login_attempts (login, at);
CREATE INDEX login_attempts_by_ip ON login_attempts (ip, at);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    detail   TEXT NOT NULL
);
