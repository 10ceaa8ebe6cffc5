-- Supervised group study in computer rooms (DESIGN.md §8 "Group sessions"): sessions an office
-- admin schedules, the seats trainees sign in at by PIN, the proctor's roll calls, and the
-- office's corrections. Seats study through the same ledger as online study: a seat's study
-- session is a study_sessions row that names its group session. A session's attendance is
-- read from these rows, which stop changing when it closes.

CREATE TABLE group_sessions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The room code of the kiosk's /room/<code>.
    code              TEXT NOT NULL UNIQUE,
    title             TEXT NOT NULL,
    room              TEXT NOT NULL,
    -- Trainees of this region's subtree may come (all enrolled ones when open_to_region).
    region_code       TEXT NOT NULL REFERENCES regions(code),
    starts_at         BIGINT NOT NULL,
    ends_at           BIGINT NOT NULL,
    -- The policy year its credit counts in (the year of starts_at in Shanghai).
    year              BIGINT NOT NULL REFERENCES policy_years(year),
    capacity          BIGINT NOT NULL,
    course_id         BIGINT NOT NULL REFERENCES courses(id),
    proctor_id        BIGINT NOT NULL REFERENCES users(id),
    format            TEXT NOT NULL,
    open_to_region    BIGINT NOT NULL,
    status            TEXT NOT NULL,
    -- The 6-digit PIN while open, when it was set, and wrong PINs given since then.
    pin               TEXT,
    pin_set_at        BIGINT,
    pin_failures      BIGINT NOT NULL,
    opened_at         BIGINT,
    closed_at         BIGINT,
    -- When the server starts its next random roll call (seats format, while open).
    next_roll_call_at BIGINT,
    -- Lecture: the lesson the proctor is playing.
    lecture_lesson_id BIGINT REFERENCES lessons(id),
    -- Counts every change of the session, its seats and roll calls; a change updates it first,
    -- which also serialises concurrent sign-ins on the row (capacity).
    version           BIGINT NOT NULL,
    created_by        BIGINT NOT NULL REFERENCES users(id),
    created_at        BIGINT NOT NULL
);
CREATE INDEX group_sessions_by_proctor ON group_sessions (proctor_id, starts_at);
CREATE INDEX group_sessions_by_status ON group_sessions (status, ends_at);

-- The trainees a session is for, unless it is open to its region.
CREATE TABLE group_session_trainees (
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    user_id          BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_session_id, user_id)
);
CREATE INDEX group_session_trainees_by_user ON group_session_trainees (user_id);

-- A person at a terminal of the room. The seat cookie's token is kept as its SHA-256, like a
-- sign-in session's; a seat is live until left_at.
CREATE TABLE group_seats (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    user_id          BIGINT NOT NULL REFERENCES users(id),
    token_hash       TEXT NOT NULL UNIQUE,
    -- SHA-256 of the terminal's own cookie: the same terminal keeps it across people.
    terminal         TEXT NOT NULL,
    signed_in_at     BIGINT NOT NULL,
    -- The seat page's last sign of life while no lesson is open (a lesson's heartbeats say
    -- more, on its study session).
    seen_at          BIGINT NOT NULL,
    -- The proctor who signed the person in from the console, if it was not by PIN.
    by_proctor       BIGINT REFERENCES users(id),
    left_at          BIGINT,
    left_reason      TEXT
);
-- One live seat per person and one per terminal in a session, kept by the database itself.
CREATE UNIQUE INDEX group_seats_one_per_person ON group_seats (group_session_id, user_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX group_seats_one_per_terminal ON group_seats (group_session_id, terminal) WHERE left_at IS NULL;
CREATE INDEX group_seats_by_session ON group_seats (group_session_id, user_id);

-- Seat sign-in attempts, for the limits per terminal and per session (never per address: a
-- room of 60 terminals shares one).
CREATE TABLE seat_attempts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    terminal         TEXT NOT NULL,
    at               BIGINT NOT NULL,
    success          BIGINT NOT NULL
);
CREATE INDEX seat_attempts_by_terminal ON seat_attempts (terminal, at);

CREATE TABLE roll_calls (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    started_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    -- The proctor who called it; NULL for the server's random ones.
    started_by       BIGINT REFERENCES users(id),
    -- Lecture: the lesson played in the stretch that ends at this roll call.
    lesson_id        BIGINT REFERENCES lessons(id)
);
CREATE INDEX roll_calls_by_session ON roll_calls (group_session_id, started_at);

-- Who answered a roll call (at a seat, or ticked by the proctor), or was marked absent at a
-- lecture's.
CREATE TABLE roll_call_marks (
    roll_call_id BIGINT NOT NULL REFERENCES roll_calls(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    at           BIGINT NOT NULL,
    by_proctor   BIGINT REFERENCES users(id),
    present      BIGINT NOT NULL,
    -- Lecture: seconds credited for the stretch that ends at this roll call.
    credited_secs BIGINT NOT NULL,
    PRIMARY KEY (roll_call_id, user_id)
);

-- The office's corrections after closing, each with its reason (also in the audit log).
CREATE TABLE group_corrections (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    user_id          BIGINT NOT NULL REFERENCES users(id),
    delta_secs       BIGINT NOT NULL,
    reason           TEXT NOT NULL,
    by_user          BIGINT NOT NULL REFERENCES users(id),
    at               BIGINT NOT NULL
);
CREATE INDEX group_corrections_by_session ON group_corrections (group_session_id, user_id);
CREATE INDEX group_corrections_by_user ON group_corrections (user_id);

-- A seat's study session names its group session; its credit at the seat is what its lesson
-- gained while it lived (credited_secs at its end less start_credited_secs at its start).
ALTER TABLE study_sessions ADD COLUMN group_session_id BIGINT REFERENCES group_sessions(id);
ALTER TABLE study_sessions ADD COLUMN start_credited_secs BIGINT NOT NULL DEFAULT 0;
CREATE INDEX study_sessions_by_group ON study_sessions (group_session_id, user_id) WHERE group_session_id IS NOT NULL;
