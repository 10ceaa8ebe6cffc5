-- Group sessions, continued (DESIGN.md §8 "Group sessions"): the seat codes kiosks show so
-- that the proctor can seat a person at one from the console, and the practice sets the
-- proctor pushes to every seat of a session.

-- A terminal's seat code in a session: the kiosk shows it large, the proctor types it on the
-- console to seat someone there. A terminal keeps its code for the whole session.
CREATE TABLE terminal_codes (
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    terminal         TEXT NOT NULL,
    code             TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (group_session_id, terminal)
);
CREATE UNIQUE INDEX terminal_codes_by_code ON terminal_codes (group_session_id, code);

-- A practice set of the session's course pushed to its seats (the latest one is current).
CREATE TABLE group_practices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    group_session_id BIGINT NOT NULL REFERENCES group_sessions(id),
    -- JSON array of question ids, in the order they are asked.
    question_ids     TEXT NOT NULL,
    started_at       BIGINT NOT NULL,
    started_by       BIGINT NOT NULL REFERENCES users(id)
);
CREATE INDEX group_practices_by_session ON group_practices (group_session_id, id);

-- Each person's practice attempt on a pushed set (at their seat, or recorded from paper by
-- the proctor): one per person and set.
CREATE TABLE group_practice_attempts (
    group_practice_id BIGINT NOT NULL REFERENCES group_practices(id),
    user_id           BIGINT NOT NULL REFERENCES users(id),
    attempt_id        BIGINT NOT NULL REFERENCES practice_attempts(id),
    PRIMARY KEY (group_practice_id, user_id)
);
