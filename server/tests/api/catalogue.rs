//! The catalogue, course selection rules and practice grading (the catalogue issue).

use crate::helpers::{error_of, registration, TestApp, DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn courses(app: &TestApp, client: &reqwest::Client, query: &str) -> Vec<Value> {
    let res = app.get(client, &format!("/api/courses{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn course_id(list: &[Value], code: &str) -> i64 {
    list.iter()
        .find(|c| c["code"] == code)
        .and_then(|c| c["id"].as_i64())
        .unwrap()
}

#[tokio::test]
async fn the_catalogue_can_be_searched_and_filtered_and_puts_the_trainees_trade_first() {
    let app = TestApp::spawn().await;
    let anyone = app.client();
    let all = courses(&app, &anyone, "").await;
    assert!(all.len() >= 11);
    let public = courses(&app, &anyone, "?category=public").await;
    assert!(public.len() >= 4 && public.iter().all(|c| c["category"] == "public"));
    let electric = courses(&app, &anyone, "?trade=电工").await;
    assert!(
        !electric.is_empty()
            && electric
                .iter()
                .all(|c| c["trades"].as_array().unwrap().contains(&json!("电工")))
    );
    let found = courses(&app, &anyone, "?q=消防").await;
    assert!(
        !found.is_empty()
            && found
                .iter()
                .all(|c| c["title"].as_str().unwrap().contains("消防"))
    );
    let res = app.get(&anyone, "/api/courses?category=secret").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let driver = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let mine = courses(&app, &driver, "").await;
    assert!(
        mine[0]["trades"]
            .as_array()
            .unwrap()
            .contains(&json!("汽车驾驶员")),
        "{}",
        mine[0]
    );
}

#[tokio::test]
async fn the_demo_trainees_plan_meets_42_hours() {
    let app = TestApp::spawn().await;
    let driver = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let plan: Value = app
        .get(&driver, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["required_hours"], 42);
    assert!(plan["planned_hours"].as_u64().unwrap() >= 42, "{plan}");
}

/// A new trainee of `trade` (an ungraded one owes 24 学时), signed in.
async fn new_trainee(app: &TestApp, trade: &str, grade: &str) -> reqwest::Client {
    let client = app.client();
    let mut body = registration(app.some_unit_id().await, grade);
    body["trade"] = json!(trade);
    assert_eq!(
        app.post(&client, "/api/auth/register", &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    client
}

#[tokio::test]
async fn selection_checks_trade_duplicates_and_the_requirement() {
    let app = TestApp::spawn().await;
    let all = courses(&app, &app.client(), "").await;
    let cook = new_trainee(&app, "中式烹调师", "ungraded").await;

    let res = app
        .post(
            &cook,
            "/api/selections",
            &json!({"course_id": course_id(&all, "trade-electrician")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(res).await["fields"][0]["code"], "wrong_trade");

    let own = course_id(&all, "trade-chinese-cook");
    let res = app
        .post(&cook, "/api/selections", &json!({"course_id": own}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&cook, "/api/selections", &json!({"course_id": own}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "already_selected");

    // 12 + 6 + 6 = 24 学时 reaches an ungraded trainee's requirement; a fourth course is refused.
    for code in ["public-ethics", "public-safety"] {
        let res = app
            .post(
                &cook,
                "/api/selections",
                &json!({"course_id": course_id(&all, code)}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let res = app
        .post(
            &cook,
            "/api/selections",
            &json!({"course_id": course_id(&all, "public-labour-law")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "plan_complete");
    let plan: Value = app
        .get(&cook, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            plan["planned_hours"].clone(),
            plan["required_hours"].clone()
        ),
        (json!(24), json!(24))
    );

    let res = app
        .post(&cook, "/api/selections", &json!({"course_id": 999_999}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let res = app
        .client()
        .delete(app.url(&format!("/api/selections/{own}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = cook
        .delete(app.url(&format!("/api/selections/{own}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let plan: Value = res.json().await.unwrap();
    assert_eq!(plan["planned_hours"], 12);
}

/// Every trade of the registration list reaches a graded trainee's 42 学时: the public courses
/// plus a trade course that lists it (its own, or the general course of its group, see
/// content/README.md). A trade no course listed would stop at 30 学时 and still pay 126 元.
#[tokio::test]
async fn a_graded_trainee_of_every_trade_can_plan_42_hours() {
    let app = TestApp::spawn().await;
    let public = courses(&app, &app.client(), "?category=public").await;
    for trade in qinxue_core::account::TRADES {
        let trainee = new_trainee(&app, trade, "junior").await;
        let theirs = courses(&app, &trainee, &format!("?category=trade&trade={trade}")).await;
        let Some(course) = theirs.first() else {
            panic!("no trade course lists {trade}");
        };
        for c in public.iter().chain([course]) {
            let res = app
                .post(&trainee, "/api/selections", &json!({"course_id": c["id"]}))
                .await;
            assert_eq!(res.status(), StatusCode::CREATED, "{trade}: {}", c["code"]);
        }
        let plan: Value = app
            .get(&trainee, "/api/selections")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (&plan["planned_hours"], &plan["required_hours"]),
            (&json!(42), &json!(42)),
            "{trade}: {plan}"
        );
        if trade == "保洁员" {
            assert_eq!(course["code"], "trade-service-general");
        }
    }
}

#[tokio::test]
async fn a_course_with_credited_time_stays_in_the_plan() {
    let app = TestApp::spawn().await;
    crate::helpers::freeze_clock(&app).await;
    let me = crate::helpers::Learner::demo(&app).await;
    let plan: Value = app
        .get(&me.client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    let course = &plan["courses"][0];
    let s = me.start(course["lessons"][0]["id"].as_i64().unwrap()).await;
    me.study(s, 1, 1).await;
    let res = me
        .client
        .delete(app.url(&format!("/api/selections/{}", course["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "course_started");
}

#[tokio::test]
async fn no_course_is_selected_after_the_registration_deadline() {
    let app = TestApp::spawn().await;
    let all = courses(&app, &app.client(), "").await;
    let driver = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    crate::helpers::advance_past(&app, &driver, "registration_deadline").await;
    let late = new_trainee(&app, "电工", "junior").await;
    let res = app
        .post(
            &late,
            "/api/selections",
            &json!({"course_id": course_id(&all, "public-ethics")}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "registration_closed");
}

#[tokio::test]
async fn practice_grades_each_answer_at_once_scores_the_attempt_and_retries_wrong_ones() {
    let app = TestApp::spawn().await;
    let all = courses(&app, &app.client(), "").await;
    let me = app.login_as(DEMO_UNGRADED, DEMO_PASSWORD).await;
    let course = course_id(&all, "public-safety");
    let res = app
        .post(
            &me,
            &format!("/api/courses/{course}/practice"),
            &json!({"retry_wrong_of": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let attempt: Value = res.json().await.unwrap();
    let id = attempt["id"].as_i64().unwrap();
    let questions = attempt["questions"].as_array().unwrap().clone();
    assert!(questions.len() >= 12);
    assert!(
        questions.iter().all(|q| q.get("answer").is_none()),
        "answers are not sent with the questions"
    );

    let first: Value = app
        .post(
            &me,
            &format!("/api/practice/{id}/answers"),
            &json!({"question_id": questions[0]["id"], "chosen": [0]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(!first["explanation"].as_str().unwrap().is_empty());
    let first_right = first["correct"].as_bool().unwrap();
    let res = app
        .post(
            &me,
            &format!("/api/practice/{id}/answers"),
            &json!({"question_id": questions[0]["id"], "chosen": [1]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "already_answered");
    let bad = app
        .post(
            &me,
            &format!("/api/practice/{id}/answers"),
            &json!({"question_id": questions[1]["id"], "chosen": [9]}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(bad).await["fields"][0]["code"], "invalid_choice");

    // Everyone answers option 0; the score must be exactly the share of those that were right.
    let mut right = u32::from(first_right);
    for q in questions.iter().skip(1) {
        let graded: Value = app
            .post(
                &me,
                &format!("/api/practice/{id}/answers"),
                &json!({"question_id": q["id"], "chosen": [0]}),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(graded["correct"], json!(graded["answer"] == json!([0])));
        right += u32::from(graded["correct"].as_bool().unwrap());
    }
    let done: Value = app
        .post(&me, &format!("/api/practice/{id}/finish"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let total = questions.len() as u32;
    assert_eq!(done["score"], json!(right * 100 / total));
    let again = app
        .post(&me, &format!("/api/practice/{id}/finish"), &json!({}))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let retry: Value = app
        .post(
            &me,
            &format!("/api/courses/{course}/practice"),
            &json!({"retry_wrong_of": id}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        retry["questions"].as_array().unwrap().len() as u32,
        total - right
    );
    let history: Vec<Value> = app
        .get(&me, &format!("/api/courses/{course}/practice/attempts"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1]["score"], json!(right * 100 / total));

    let stranger = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&stranger, &format!("/api/practice/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
