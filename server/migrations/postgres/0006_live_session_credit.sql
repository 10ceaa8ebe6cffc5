-- A heartbeat writes one row: the live study session carries its lesson's progress and its
-- Shanghai day's credit, and hands them to lesson_progress and study_days when it ends, when
-- its day ends, and at the lesson's first credit (server/src/storage/study.rs). Reads of a
-- trainee's progress take a live session's figures over the stored ones.

-- The lesson's credited, furthest and resume position as the live session has them.
ALTER TABLE study_sessions ADD COLUMN credited_secs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE study_sessions ADD COLUMN furthest_secs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE study_sessions ADD COLUMN position_secs BIGINT NOT NULL DEFAULT 0;
-- The trainee's credit on the Shanghai day `credit_day` (all lessons), as the session has it.
ALTER TABLE study_sessions ADD COLUMN credit_day TEXT;
ALTER TABLE study_sessions ADD COLUMN day_credited_secs BIGINT NOT NULL DEFAULT 0;

-- Sessions live at the upgrade start from their lesson's stored figures; their day's credit is
-- still in study_days (credit_day stays empty).
UPDATE study_sessions SET
    credited_secs = COALESCE((SELECT p.credited_secs FROM lesson_progress p
        WHERE p.user_id = study_sessions.user_id AND p.lesson_id = study_sessions.lesson_id
          AND p.year = study_sessions.year), 0),
    furthest_secs = COALESCE((SELECT p.furthest_secs FROM lesson_progress p
        WHERE p.user_id = study_sessions.user_id AND p.lesson_id = study_sessions.lesson_id
          AND p.year = study_sessions.year), 0),
    position_secs = COALESCE((SELECT p.position_secs FROM lesson_progress p
        WHERE p.user_id = study_sessions.user_id AND p.lesson_id = study_sessions.lesson_id
          AND p.year = study_sessions.year), 0)
WHERE ended_at IS NULL;
