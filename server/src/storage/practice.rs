//! Practice questions, attempts and answers.

use super::stored_enum;
use qinxue_core::catalogue::QuestionKind;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// A question with its answer, as stored.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub kind: QuestionKind,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Vec<usize>,
    pub explanation: String,
}

fn json<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(&r.try_get::<String, _>(col)?).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// A course's questions in order.
pub async fn questions(
    conn: &mut AnyConnection,
    course_id: i64,
) -> Result<Vec<Question>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, stem, options, answer, explanation FROM questions WHERE course_id = $1 ORDER BY position",
    )
    .bind(course_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Question {
                id: r.try_get("id")?,
                kind: stored_enum(&r.try_get::<String, _>("kind")?, QuestionKind::from_wire)?,
                stem: r.try_get("stem")?,
                options: json(r, "options")?,
                answer: json(r, "answer")?,
                explanation: r.try_get("explanation")?,
            })
        })
        .collect()
}

/// An attempt as stored, with its answers: (question id, chosen, correct).
#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub id: i64,
    pub user_id: i64,
    pub course_id: i64,
    pub question_ids: Vec<i64>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub score: Option<i64>,
    pub answers: Vec<(i64, Vec<usize>, bool)>,
}

pub async fn create_attempt(
    conn: &mut AnyConnection,
    user_id: i64,
    course_id: i64,
    question_ids: &[i64],
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO practice_attempts (user_id, course_id, question_ids, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(course_id)
    .bind(serde_json::to_string(question_ids).expect("numbers serialise"))
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn attempt(conn: &mut AnyConnection, id: i64) -> Result<Option<AttemptRow>, sqlx::Error> {
    let Some(r) = sqlx::query(
        "SELECT id, user_id, course_id, question_ids, started_at, finished_at, score FROM practice_attempts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let answers = sqlx::query(
        "SELECT question_id, chosen, correct FROM practice_answers WHERE attempt_id = $1",
    )
    .bind(id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|a| {
        Ok((
            a.try_get("question_id")?,
            json(a, "chosen")?,
            a.try_get::<i64, _>("correct")? == 1,
        ))
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(AttemptRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        course_id: r.try_get("course_id")?,
        question_ids: json(&r, "question_ids")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        score: r.try_get("score")?,
        answers,
    }))
}

/// Records an answer; a second answer to the same question violates the key.
pub async fn insert_answer(
    conn: &mut AnyConnection,
    attempt_id: i64,
    question_id: i64,
    chosen: &[usize],
    correct: bool,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO practice_answers (attempt_id, question_id, chosen, correct, answered_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(attempt_id)
    .bind(question_id)
    .bind(serde_json::to_string(chosen).expect("numbers serialise"))
    .bind(i64::from(correct))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Finishes an attempt that is still open; tells whether it was.
pub async fn finish(
    conn: &mut AnyConnection,
    id: i64,
    score: u32,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE practice_attempts SET finished_at = $2, score = $3 WHERE id = $1 AND finished_at IS NULL")
        .bind(id)
        .bind(now)
        .bind(i64::from(score))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A trainee's attempts on a course, newest first: (id, started, finished, questions, correct, score).
pub async fn history(
    conn: &mut AnyConnection,
    user_id: i64,
    course_id: i64,
) -> Result<Vec<(i64, i64, Option<i64>, String, i64, Option<i64>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT a.id, a.started_at, a.finished_at, a.question_ids, a.score, \
         (SELECT COUNT(*) FROM practice_answers p WHERE p.attempt_id = a.id AND p.correct = 1) AS correct \
         FROM practice_attempts a WHERE a.user_id = $1 AND a.course_id = $2 ORDER BY a.id DESC",
    )
    .bind(user_id)
    .bind(course_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("started_at")?,
                r.try_get("finished_at")?,
                r.try_get("question_ids")?,
                r.try_get("correct")?,
                r.try_get("score")?,
            ))
        })
        .collect()
}
