-- Practice attempts: which questions an attempt asked (all of a course's, or the ones an
-- earlier attempt got wrong) and each answer, graded when it was given.

CREATE TABLE practice_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    course_id    BIGINT NOT NULL REFERENCES courses(id),
    -- JSON array of question ids, in the order they are asked.
    question_ids TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    score        BIGINT
);
CREATE INDEX practice_attempts_by_user ON practice_attempts (user_id, course_id);

-- One answer per question per attempt, enforced by the key.
CREATE TABLE practice_answers (
    attempt_id  BIGINT NOT NULL REFERENCES practice_attempts(id),
    question_id BIGINT NOT NULL REFERENCES questions(id),
    chosen      TEXT NOT NULL,
    correct     BIGINT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (attempt_id, question_id)
);
