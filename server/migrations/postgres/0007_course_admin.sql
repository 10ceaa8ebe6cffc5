-- Course management by the provincial admin: the editor shows, for each course, lesson and
-- question, how many trainees selected, studied or answered it, and a lesson or question
-- that someone has used is never deleted. These look-ups go by course, lesson and question.

CREATE INDEX selections_by_course ON selections (course_id);
CREATE INDEX lesson_progress_by_lesson ON lesson_progress (lesson_id);
CREATE INDEX study_sessions_by_lesson ON study_sessions (lesson_id);
CREATE INDEX practice_answers_by_question ON practice_answers (question_id);
