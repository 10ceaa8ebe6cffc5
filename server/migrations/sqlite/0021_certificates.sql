-- Certificates (学时证明) of completed years. A certificate is issued when first asked for and
-- keeps the facts it stated then, so that what a printed one says can always be checked, even
-- if later credit (a late-filed activity) would change the year's figures. `payload` is the
-- signed Base45 text its QR code carries (qinxue_core::certificate).
CREATE TABLE certificates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code            TEXT NOT NULL UNIQUE,
    user_id         BIGINT NOT NULL REFERENCES users(id),
    year            BIGINT NOT NULL,
    name            TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    unit_name       TEXT NOT NULL,
    grade           TEXT NOT NULL,
    required_hours  BIGINT NOT NULL,
    online_tenths   BIGINT NOT NULL,
    practice_tenths BIGINT NOT NULL,
    group_tenths    BIGINT NOT NULL,
    activity_tenths BIGINT NOT NULL,
    -- Shanghai calendar date, 'YYYY-MM-DD'.
    completed_on    TEXT NOT NULL,
    issued_at       BIGINT NOT NULL,
    payload         TEXT NOT NULL,
    revoked_at      BIGINT,
    revoked_reason  TEXT
);
-- One valid certificate per person and year; a revoked one may be followed by a new one.
CREATE UNIQUE INDEX certificates_one_valid ON certificates (user_id, year) WHERE revoked_at IS NULL;
