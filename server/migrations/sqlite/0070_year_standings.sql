-- Each trainee's settled standing in each policy year they have anything in
-- (storage::year_standings), and the trainees whose standing is to be settled again: every
-- write that changes what a standing is settled from marks them in its transaction. The
-- rule that settles them is in Rust (qinxue_core::completion), so the backfill marks every
-- trainee and the first report settles them.
CREATE TABLE year_standings (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    year          BIGINT NOT NULL,
    grade         TEXT,
    registered    BIGINT NOT NULL,
    paid          BIGINT NOT NULL,
    credited_secs BIGINT NOT NULL,
    required_secs BIGINT NOT NULL,
    completed     BIGINT NOT NULL,
    PRIMARY KEY (user_id, year)
);
CREATE TABLE standing_marks (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    gen     BIGINT NOT NULL
);
INSERT INTO standing_marks (user_id, gen) SELECT id, 1 FROM users WHERE role = 'trainee';
