//! Practice time is study time (issue 4): each course's practice is a lesson of kind
//! `practice`, 60 s per question, and practising inside a study session on it is credited by
//! the ledger exactly like reading, within the lesson's length and the day's cap. The clock is
//! frozen and moved by the test, so every assertion is on exact seconds.

use crate::helpers::{freeze_clock, Learner, TestApp};
use qinxue_server::storage::Backend;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The demo trainee's first planned course: (course id, its practice lesson's id and length,
/// the number of its questions).
async fn planned_practice(me: &Learner<'_>) -> (i64, i64, i64, i64) {
    let plan: Value = me
        .app
        .get(&me.client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    let course = &plan["courses"][0];
    let lessons = course["lessons"].as_array().unwrap();
    let practice = lessons.last().unwrap();
    assert_eq!(
        practice["kind"], "practice",
        "the practice lesson comes last"
    );
    assert_eq!(practice["title"], "课后练习");
    assert_eq!(
        lessons.iter().filter(|l| l["kind"] == "practice").count(),
        1
    );
    let course_id = course["id"].as_i64().unwrap();
    let attempt = start_attempt(me, course_id).await;
    let questions = attempt["questions"].as_array().unwrap().len() as i64;
    (
        course_id,
        practice["id"].as_i64().unwrap(),
        practice["duration_secs"].as_i64().unwrap(),
        questions,
    )
}

async fn start_attempt(me: &Learner<'_>, course_id: i64) -> Value {
    let res = me
        .app
        .post(
            &me.client,
            &format!("/api/courses/{course_id}/practice"),
            &json!({"retry_wrong_of": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

#[tokio::test]
async fn practising_in_a_study_session_earns_its_intervals_up_to_one_minute_a_question() {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let me = Learner::demo(&app).await;
    let (course_id, lesson, duration, questions) = planned_practice(&me).await;
    assert!(questions >= 12);
    assert_eq!(duration, 60 * questions);

    // Answer a question in each interval, as the practice page does while its session runs.
    let attempt = start_attempt(&me, course_id).await;
    let s = me.start(lesson).await;
    let mut credited = 0;
    for (seq, q) in (1..=3).zip(attempt["questions"].as_array().unwrap()) {
        app.advance_clock(20).await;
        let res = app
            .post(
                &me.client,
                &format!("/api/practice/{}/answers", attempt["id"]),
                &json!({"question_id": q["id"], "chosen": [0]}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let reply = me.beat(s, seq, 0).await;
        assert_eq!(reply["verdict"], "credited");
        credited += reply["credited_secs"].as_i64().unwrap();
    }
    assert_eq!(credited, 60);
    assert_eq!(me.year_secs().await, 60);

    // An early heartbeat earns nothing here either.
    app.advance_clock(5).await;
    assert_eq!(me.beat(s, 4, 0).await["credited_secs"], 0);
    app.advance_clock(15).await;
    assert_eq!(me.beat(s, 5, 0).await["credited_secs"], 20);

    // Far longer than the practice lasts: credit stops at its length, to the second.
    let (more, _) = me.study(s, 6, duration / 20 + 5).await;
    assert_eq!(80 + more, duration);
    assert_eq!(me.year_secs().await, duration);
    let progress: Value = app
        .get(&me.client, "/api/study/progress")
        .await
        .json()
        .await
        .unwrap();
    let course = progress["courses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["course_id"] == course_id)
        .unwrap();
    assert_eq!(course["credited_secs"], duration);
    let practice = course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lesson_id"] == lesson)
        .unwrap();
    assert_eq!(practice["credited_secs"], duration);

    // Credited practice counts as having started the course.
    let res = me
        .client
        .delete(app.url(&format!("/api/selections/{course_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_hidden_practice_page_earns_nothing() {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let me = Learner::demo(&app).await;
    let (_, lesson, _, _) = planned_practice(&me).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    let reply = me
        .beat_with(s, json!({"seq": 1, "visible": false, "position_secs": 0}))
        .await;
    assert_eq!(reply["verdict"], "hidden");
    assert_eq!(reply["credited_secs"], 0);
    assert_eq!(me.year_secs().await, 0);
}

#[tokio::test]
async fn migration_0008_gives_courses_stored_before_it_their_practice_lesson() {
    let app = TestApp::spawn().await;
    let me = Learner::demo(&app).await;
    let (course_id, _, duration, _) = planned_practice(&me).await;
    let db = app.db().await;
    let sql = match db.backend() {
        Backend::Sqlite => include_str!("../../migrations/sqlite/0008_practice_lessons.sql"),
        Backend::Postgres => include_str!("../../migrations/postgres/0008_practice_lessons.sql"),
    };
    // As a course stood before the migration: no practice lesson (nobody has studied it).
    let mut conn = db.read().await.unwrap();
    // The demo's previous year studied it; before the migration nobody could have.
    for table in ["study_sessions", "lesson_progress"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE lesson_id IN \
             (SELECT id FROM lessons WHERE course_id = $1 AND kind = 'practice')"
        ))
        .bind(course_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    sqlx::query("DELETE FROM lessons WHERE course_id = $1 AND kind = 'practice'")
        .bind(course_id)
        .execute(&mut *conn)
        .await
        .unwrap();
    // Run twice: a course that has its practice lesson is left alone.
    for _ in 0..2 {
        sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
    }
    drop(conn);
    db.close().await;
    let (again, _, restored, _) = planned_practice(&me).await;
    assert_eq!((again, restored), (course_id, duration));
}
