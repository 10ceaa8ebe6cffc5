-- Issue 12: reminders before a year's deadlines, and payment of a past year.
--
-- How many days before the registration and the study deadline reminders go out, as a list
-- ('7,1': a week before and the day before), and whether a year nobody paid for may still be
-- paid for after its registration deadline (0: no, the notice's rule; 1: yes).
ALTER TABLE policy_years ADD COLUMN reminder_days TEXT NOT NULL DEFAULT '7,1';
ALTER TABLE policy_years ADD COLUMN late_payment BIGINT NOT NULL DEFAULT 0;

-- Reminders sent: shown in the app, and an outbox that a deployment feeds to SMS (it reads the
-- rows with sms_sent_at NULL, sends them, and sets sms_sent_at). One row per person and
-- reminder: the unique key makes the job's insert idempotent, so any number of server
-- instances may run it at the same time.
CREATE TABLE reminders (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    year         BIGINT NOT NULL,
    -- 'registration' (not paid) or 'study' (paid, not finished).
    kind         TEXT NOT NULL,
    days_before  BIGINT NOT NULL,
    -- The deadline reminded of, Shanghai calendar date 'YYYY-MM-DD'.
    deadline     TEXT NOT NULL,
    phone        TEXT NOT NULL,
    message      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    sms_sent_at  BIGINT,
    UNIQUE (user_id, year, kind, days_before)
);
CREATE INDEX reminders_of_user ON reminders (user_id, created_at);
CREATE INDEX reminders_sms_outbox ON reminders (sms_sent_at, id);

-- Reminder rounds done: a round (year, kind, days before) is worked through once, when it is
-- due, rather than asking every trainee's completion again at each tick of the job.
CREATE TABLE reminder_rounds (
    year         BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    days_before  BIGINT NOT NULL,
    done_at      BIGINT NOT NULL,
    PRIMARY KEY (year, kind, days_before)
);
