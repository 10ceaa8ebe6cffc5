-- Completion of a trainee's years (qinxue_core::completion) is computed when it is read, from
-- lesson_progress and study_days and, for the moment a year was reached, from the last
-- heartbeat of the trainee's sessions on each day. A trainee's sessions are found by trainee:
-- the heartbeat never changes user_id, so the index costs the heartbeat's update nothing.
CREATE INDEX study_sessions_by_user ON study_sessions (user_id);
