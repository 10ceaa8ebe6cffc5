-- Every course's practice becomes a lesson of kind 'practice' (after its other lessons), so
-- that time spent practising inside a study session is credited by the same ledger rules as
-- reading. Its nominal length is 60 s per question (qinxue_core::practice::
-- PRACTICE_SECS_PER_QUESTION); courses stored from now on get it from
-- storage::catalogue::sync_practice_lesson.
INSERT INTO lessons (course_id, position, title, kind, duration_secs, body)
SELECT c.id,
       (SELECT COALESCE(MAX(l.position), 0) + 1 FROM lessons l WHERE l.course_id = c.id),
       '课后练习', 'practice', 60 * COUNT(q.id), ''
FROM courses c JOIN questions q ON q.course_id = c.id
WHERE NOT EXISTS (SELECT 1 FROM lessons p WHERE p.course_id = c.id AND p.kind = 'practice')
GROUP BY c.id;
