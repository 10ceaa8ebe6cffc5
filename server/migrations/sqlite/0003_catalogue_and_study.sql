-- The course catalogue and study-time ledger (DESIGN.md §3). Credits are kept per trainee,
-- lesson and policy year (lesson_progress) and per trainee and Shanghai day (study_days);
-- a trainee's total is the sum of their lesson rows.

CREATE TABLE courses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    category    TEXT NOT NULL,
    hours       BIGINT NOT NULL,
    description TEXT NOT NULL,
    cover       TEXT NOT NULL,
    -- 0: withdrawn from the catalogue; credited time on it is kept.
    published   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE course_trades (
    course_id BIGINT NOT NULL REFERENCES courses(id),
    trade     TEXT NOT NULL,
    PRIMARY KEY (course_id, trade)
);

CREATE TABLE lessons (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id     BIGINT NOT NULL REFERENCES courses(id),
    position      BIGINT NOT NULL,
    title         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    duration_secs BIGINT NOT NULL,
    body          TEXT NOT NULL,
    video         TEXT,
    transcript    TEXT,
    UNIQUE (course_id, position)
);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id   BIGINT NOT NULL REFERENCES courses(id),
    position    BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    stem        TEXT NOT NULL,
    -- JSON arrays: option texts, and the 0-based indexes of the right ones.
    options     TEXT NOT NULL,
    answer      TEXT NOT NULL,
    explanation TEXT NOT NULL,
    UNIQUE (course_id, position)
);

CREATE TABLE selections (
    user_id    BIGINT NOT NULL REFERENCES users(id),
    year       BIGINT NOT NULL REFERENCES policy_years(year),
    course_id  BIGINT NOT NULL REFERENCES courses(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, year, course_id)
);

CREATE TABLE study_sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         BIGINT NOT NULL REFERENCES users(id),
    lesson_id       BIGINT NOT NULL REFERENCES lessons(id),
    year            BIGINT NOT NULL,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    end_reason      TEXT,
    seq             BIGINT NOT NULL,
    last_beat       BIGINT NOT NULL,
    next_check_at   BIGINT NOT NULL,
    held_secs       BIGINT NOT NULL,
    blocked         BIGINT NOT NULL,
    inactive_since  BIGINT,
    -- The open anti-idle check, if any.
    check_id        TEXT UNIQUE,
    check_issued_at BIGINT,
    check_expires_at BIGINT,
    check_prompt    TEXT,
    check_options   TEXT,
    check_answer    TEXT
);
-- At most one live session per trainee, enforced by the database itself.
CREATE UNIQUE INDEX study_sessions_one_live ON study_sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE lesson_progress (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    lesson_id     BIGINT NOT NULL REFERENCES lessons(id),
    year          BIGINT NOT NULL,
    credited_secs BIGINT NOT NULL,
    furthest_secs BIGINT NOT NULL,
    position_secs BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, lesson_id, year)
);

CREATE TABLE study_days (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    day           TEXT NOT NULL,
    credited_secs BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
