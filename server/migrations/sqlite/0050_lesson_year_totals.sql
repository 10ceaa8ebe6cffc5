-- Seconds of lesson credit per trainee and year, the sum of their lesson_progress rows: kept
-- by every write of a credit in the same transaction (storage::lesson_year_totals), so that
-- the territorial reports read one row a trainee-year instead of summing every study record
-- of the province on each request.
CREATE TABLE lesson_year_totals (
    user_id BIGINT NOT NULL REFERENCES users(id),
    year    BIGINT NOT NULL,
    secs    BIGINT NOT NULL,
    PRIMARY KEY (user_id, year)
);
INSERT INTO lesson_year_totals (user_id, year, secs)
SELECT user_id, year, SUM(credited_secs) FROM lesson_progress GROUP BY user_id, year;
