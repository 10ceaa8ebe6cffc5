-- Supplementary activities (专题讲座, 技能交流; policy section 七): an office files one for its
-- region subtree, the province approves or rejects it, and after the event the office uploads
-- who attended. Each attendance row is a credit of the activity's year (completion source
-- 'activity'), with the seconds actually credited: the year's supplementary cap may leave
-- less than the activity's 学时, and a later change of the cap rewrites nothing.
CREATE TABLE activities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    region_code TEXT NOT NULL REFERENCES regions(code),
    title       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('lecture', 'exchange')),
    -- The Shanghai calendar date it takes place on, 'YYYY-MM-DD'; its year is the policy year.
    date        TEXT NOT NULL,
    year        BIGINT NOT NULL,
    place       TEXT NOT NULL,
    hours       BIGINT NOT NULL CHECK (hours > 0),
    expected    BIGINT NOT NULL CHECK (expected > 0),
    status      TEXT NOT NULL CHECK (status IN ('filed', 'approved', 'rejected')),
    reason      TEXT,
    filed_by    BIGINT NOT NULL REFERENCES users(id),
    filed_at    BIGINT NOT NULL,
    decided_by  BIGINT REFERENCES users(id),
    decided_at  BIGINT
);
CREATE INDEX activities_by_region ON activities (region_code, id);
CREATE INDEX activities_by_status ON activities (status, id);

CREATE TABLE activity_attendance (
    activity_id   BIGINT NOT NULL REFERENCES activities(id),
    user_id       BIGINT NOT NULL REFERENCES users(id),
    year          BIGINT NOT NULL,
    credited_secs BIGINT NOT NULL CHECK (credited_secs >= 0),
    -- When the credit counts as earned: the end of the activity's day (Unix seconds).
    at            BIGINT NOT NULL,
    uploaded_by   BIGINT NOT NULL REFERENCES users(id),
    uploaded_at   BIGINT NOT NULL,
    PRIMARY KEY (activity_id, user_id)
);
CREATE INDEX activity_attendance_by_user ON activity_attendance (user_id, year);

-- The territorial reports sum every trainee's credited seconds of a year: read from the
-- index alone, without the table's rows.
CREATE INDEX lesson_progress_by_year ON lesson_progress (year, user_id, credited_secs);
