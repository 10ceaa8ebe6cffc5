//! Course management by the provincial admin: roles, building and publishing a course,
//! unpublishing without losing anyone's credit, uploads, and CSV question import.

use crate::helpers::{
    error_of, fields_of, freeze_clock, registration, Learner, Options, TestApp, DEMO_PASSWORD,
};
use crate::sim::count;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ADMIN: &str = "province-admin";

async fn province(app: &TestApp) -> Client {
    app.login_as(ADMIN, DEMO_PASSWORD).await
}

/// Sends `body` with `method` and answers the status and JSON body.
async fn send(
    app: &TestApp,
    client: &Client,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = client.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Sends a raw file body.
async fn upload(
    app: &TestApp,
    client: &Client,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let res = client
        .request(method, app.url(path))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn course_input(title: &str) -> Value {
    json!({
        "title": title,
        "category": "trade",
        "trades": ["电工"],
        "hours": 1,
        "description": "低压电气设备的日常检查。",
    })
}

fn text_lesson(title: &str, secs: i64) -> Value {
    json!({
        "title": title,
        "kind": "text",
        "duration_secs": secs,
        "body": "## 检查要点\n\n- 先断电\n- 再验电",
    })
}

fn true_false(stem: &str) -> Value {
    json!({"kind": "true_false", "stem": stem, "answer": [0], "explanation": "规程如此要求。"})
}

/// A new course; answers its id.
async fn new_course(app: &TestApp, admin: &Client, title: &str) -> i64 {
    let (status, course) = send(
        app,
        admin,
        reqwest::Method::POST,
        "/api/admin/courses",
        Some(course_input(title)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    course["id"].as_i64().unwrap()
}

/// A course ready to publish: one 1-学时 text lesson and one question.
async fn complete_course(app: &TestApp, admin: &Client, title: &str) -> Value {
    let id = new_course(app, admin, title).await;
    let path = format!("/api/admin/courses/{id}/lessons");
    let (status, _) = send(
        app,
        admin,
        reqwest::Method::POST,
        &path,
        Some(text_lesson("验电", 2700)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("/api/admin/courses/{id}/questions");
    let (status, course) = send(
        app,
        admin,
        reqwest::Method::POST,
        &path,
        Some(true_false("停电检修前必须验电。")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    course
}

async fn catalogue_ids(app: &TestApp, client: &Client) -> Vec<i64> {
    let list: Vec<Value> = app.get(client, "/api/courses").await.json().await.unwrap();
    list.iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

/// A new signed-in trainee of `trade`.
async fn trainee(app: &TestApp, trade: &str) -> Client {
    let client = app.client();
    let mut body = registration(app.some_unit_id().await, "junior");
    body["trade"] = json!(trade);
    let res = app.post(&client, "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    client
}

#[tokio::test]
async fn only_the_provincial_admin_manages_courses() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/api/admin/courses").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    for login in [
        crate::helpers::DEMO_GRADED,
        "unit-demo",
        "quanzhou-admin",
        "proctor-demo",
    ] {
        let client = app.login_as(login, DEMO_PASSWORD).await;
        for (method, path, body) in [
            (reqwest::Method::GET, "/api/admin/courses", None),
            (
                reqwest::Method::POST,
                "/api/admin/courses",
                Some(course_input("越权课程")),
            ),
            (
                reqwest::Method::POST,
                "/api/admin/courses/1/unpublish",
                None,
            ),
            (reqwest::Method::GET, "/api/admin/upload-limits", None),
        ] {
            let res = client
                .request(method, app.url(path))
                .json(&body.unwrap_or(json!({})))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login} {path}");
            assert_eq!(error_of(res).await["code"], "forbidden");
        }
    }
    let admin = province(&app).await;
    let (status, list) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/admin/courses",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().unwrap().len() >= 11);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM courses WHERE title = '越权课程'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_course_is_built_checked_published_and_audited() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let anyone = app.client();

    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/admin/courses",
        Some(json!({"title": " ", "category": "public", "trades": ["电工"], "hours": 0, "description": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields: Vec<String> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(fields, ["description", "hours", "title", "trades"]);

    let id = new_course(&app, &admin, "低压电工安全").await;
    let (_, course) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("/api/admin/courses/{id}"),
        None,
    )
    .await;
    assert_eq!(course["published"], false);
    assert_eq!(course["cover"], "/uploads/default-cover.svg");
    let cover = anyone
        .get(app.url("/uploads/default-cover.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(cover.headers()["content-type"], "image/svg+xml");
    assert!(!catalogue_ids(&app, &anyone).await.contains(&id));

    // Nothing to publish yet: the answer says what is missing.
    let publish = format!("/api/admin/courses/{id}/publish");
    let (status, e) = send(&app, &admin, reqwest::Method::POST, &publish, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "course_incomplete");
    let message = e["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("没有课时") && message.contains("没有练习题"),
        "{message}"
    );

    let lessons = format!("/api/admin/courses/{id}/lessons");
    for (title, secs) in [("第一课", 1500), ("第二课", 1000)] {
        let (status, _) = send(
            &app,
            &admin,
            reqwest::Method::POST,
            &lessons,
            Some(text_lesson(title, secs)),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &lessons,
        Some(json!({"title": "练习", "kind": "practice", "duration_secs": 60, "body": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_of(&e["error"]), ["kind"]);
    let questions = format!("/api/admin/courses/{id}/questions");
    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &questions,
        Some(json!({"kind": "single", "stem": "选哪个？", "options": ["甲", "乙"], "answer": [0, 1], "explanation": "因为。"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields_of(&e["error"]), ["answer"]);
    for q in [
        true_false("停电检修前必须验电。"),
        json!({"kind": "multiple", "stem": "哪些是绝缘用具？", "options": ["绝缘手套", "绝缘靴", "铁锤"], "answer": [0, 1], "explanation": "铁锤导电。"}),
    ] {
        let (status, _) = send(&app, &admin, reqwest::Method::POST, &questions, Some(q)).await;
        assert_eq!(status, StatusCode::CREATED);
    }

    // Lessons in a new order; the practice lesson made from the questions stays last.
    let (_, course) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("/api/admin/courses/{id}"),
        None,
    )
    .await;
    let ls = course["lessons"].as_array().unwrap();
    assert_eq!(ls.len(), 3);
    assert_eq!(
        (ls[2]["kind"].as_str(), ls[2]["duration_secs"].as_i64()),
        (Some("practice"), Some(120))
    );
    let (first, second) = (ls[0]["id"].as_i64().unwrap(), ls[1]["id"].as_i64().unwrap());
    let order = format!("/api/admin/courses/{id}/lesson-order");
    for bad in [
        json!([first]),
        json!([first, second, ls[2]["id"]]),
        json!([first, first]),
    ] {
        let (status, e) = send(
            &app,
            &admin,
            reqwest::Method::PUT,
            &order,
            Some(json!({"ids": bad})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(e["error"]["fields"][0]["code"], "invalid_order");
    }
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &order,
        Some(json!({"ids": [second, first]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let titles: Vec<&str> = course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["第二课", "第一课", "课后练习"]);

    // 1500 + 1000 s of reading do not cover 1 学时 (2700 s).
    let (status, e) = send(&app, &admin, reqwest::Method::POST, &publish, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不足 1 学时"),
        "{e}"
    );
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/api/admin/courses/{id}/lessons/{first}"),
        Some(text_lesson("第一课（修订）", 1700)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, course) = send(&app, &admin, reqwest::Method::POST, &publish, None).await;
    assert_eq!(status, StatusCode::OK, "{course}");
    assert_eq!(course["published"], true);

    // In the catalogue for an electrician, with the lessons in the admin's order.
    let electrician = trainee(&app, "电工").await;
    let list: Vec<Value> = app
        .get(&electrician, "/api/courses?trade=电工")
        .await
        .json()
        .await
        .unwrap();
    let listed = list
        .iter()
        .find(|c| c["id"] == id)
        .expect("published course listed");
    assert_eq!(listed["title"], "低压电工安全");
    assert_eq!(listed["lessons"][1]["title"], "第一课（修订）");
    assert_eq!(listed["lessons"].as_array().unwrap().len(), 3);

    // While published, a change that breaks the rules is refused and changes nothing.
    let mut more_hours = course_input("低压电工安全");
    more_hours["hours"] = json!(2);
    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/api/admin/courses/{id}"),
        Some(more_hours),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "course_incomplete");
    assert_eq!(
        count(&app, &format!("SELECT hours FROM courses WHERE id = {id}")).await,
        1
    );
    let mut renamed = course_input("低压电工安全操作");
    renamed["trades"] = json!(["电工", "管道工"]);
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/api/admin/courses/{id}"),
        Some(renamed),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(course["trades"], json!(["电工", "管道工"]));

    let audited = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE target = 'course:{id}' AND actor_id IS NOT NULL"
        ),
    )
    .await;
    // create, 2 lessons, 2 questions, reorder, lesson edit, publish, rename.
    assert_eq!(audited, 9);
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/admin/courses/999999",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unpublishing_keeps_credit_and_plans_but_takes_the_course_out_of_the_catalogue() {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let admin = province(&app).await;
    let me = Learner::demo(&app).await;
    let plan: Value = app
        .get(&me.client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    let course = plan["courses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "public")
        .unwrap()
        .clone();
    let course_id = course["id"].as_i64().unwrap();
    let lesson = course["lessons"][0]["id"].as_i64().unwrap();
    let session = me.start(lesson).await;
    let (credited, _) = me.study(session, 1, 3).await;
    assert!(credited > 0);
    let before = me.year_secs().await;

    let (status, c) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/admin/courses/{course_id}/unpublish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["published"], false);
    assert!(c["selected_by"].as_i64().unwrap() >= 1);
    assert!(c["lessons"][0]["studied_by"].as_i64().unwrap() >= 1);

    // Gone from the catalogue, for everyone.
    assert!(!catalogue_ids(&app, &me.client).await.contains(&course_id));
    assert!(!catalogue_ids(&app, &app.client())
        .await
        .contains(&course_id));
    // The trainee keeps the course in the plan, the credit, and may go on studying it.
    let plan: Value = app
        .get(&me.client, "/api/selections")
        .await
        .json()
        .await
        .unwrap();
    assert!(plan["courses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == course_id));
    assert_eq!(me.year_secs().await, before);
    let again = me.start(lesson).await;
    let (more, _) = me.study(again, 1, 1).await;
    assert!(more > 0);
    let res = app.get(&me.client, &format!("/api/lessons/{lesson}")).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Nobody else can select it, study it or practise it.
    let newcomer = trainee(&app, "电工").await;
    let res = app
        .post(
            &newcomer,
            "/api/selections",
            &json!({"course_id": course_id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post(
            &newcomer,
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post(
            &newcomer,
            &format!("/api/courses/{course_id}/practice"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A studied lesson is never deleted.
    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("/api/admin/courses/{course_id}/lessons/{lesson}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "lesson_studied");

    // Republished, it is back for everyone.
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/admin/courses/{course_id}/publish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(catalogue_ids(&app, &newcomer).await.contains(&course_id));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM audit_log WHERE target = 'course:{course_id}' AND action IN ('course.unpublish', 'course.publish')"),
        )
        .await,
        2
    );
}

#[tokio::test]
async fn answered_questions_and_studied_lessons_stay_unused_ones_can_go() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let course = complete_course(&app, &admin, "删除规则").await;
    let id = course["id"].as_i64().unwrap();
    let questions = format!("/api/admin/courses/{id}/questions");
    let (_, course) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &questions,
        Some(true_false("验电器使用前应先在有电设备上试验。")),
    )
    .await;
    let q: Vec<i64> = course["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    // A draft's lessons and practice are no trainee's business yet.
    let electrician = trainee(&app, "电工").await;
    let lesson = format!("/api/lessons/{}", course["lessons"][0]["id"]);
    let res = app.get(&electrician, &lesson).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .post(
            &electrician,
            &format!("/api/courses/{id}/practice"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/admin/courses/{id}/publish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.get(&electrician, &lesson).await.status(),
        StatusCode::OK
    );

    // The electrician practises and answers the first question.
    let res = app
        .post(
            &electrician,
            &format!("/api/courses/{id}/practice"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let attempt: Value = res.json().await.unwrap();
    let res = app
        .post(
            &electrician,
            &format!("/api/practice/{}/answers", attempt["id"]),
            &json!({"question_id": q[0], "chosen": [0]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("{questions}/{}", q[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(e["error"]["code"], "question_answered");
    // Editing it is allowed.
    let mut edited = true_false("停电检修前，必须先验电。");
    edited["answer"] = json!([0]);
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("{questions}/{}", q[0]),
        Some(edited),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(course["questions"][0]["answered"], 1);
    // Questions in a new order, then the unanswered one deleted; the practice lesson shrinks.
    let order = format!("/api/admin/courses/{id}/question-order");
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &order,
        Some(json!({"ids": [q[1], q[0]]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(course["questions"][0]["id"], q[1]);
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("{questions}/{}", q[1]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{course}");
    assert_eq!(course["questions"].as_array().unwrap().len(), 1);
    let practice = course["lessons"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            practice["kind"].as_str(),
            practice["duration_secs"].as_i64()
        ),
        (Some("practice"), Some(60))
    );
    // The last question of a published course cannot go: the course needs practice.
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("{questions}/{}", q[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // An unstudied lesson can be deleted from an unpublished course; the practice lesson never.
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/admin/courses/{id}/unpublish"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let lesson = course["lessons"][0]["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("/api/admin/courses/{id}/lessons/{}", practice["id"]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::DELETE,
        &format!("/api/admin/courses/{id}/lessons/{lesson}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(course["lessons"].as_array().unwrap().len(), 1);
}

fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    bytes.resize(len.max(bytes.len()), 0);
    bytes
}

fn mp4(len: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
    bytes.resize(len.max(bytes.len()), 0);
    bytes
}

/// Every file in a folder and its subfolders.
fn files_in(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() {
                files_in(&p)
            } else {
                vec![p]
            }
        })
        .collect()
}

/// A chunked upload (no Content-Length, as a stream would be sent), over a raw connection;
/// answers the status line's code.
async fn chunked_put(app: &TestApp, cookie: &str, path: &str, chunks: usize, chunk: &[u8]) -> u16 {
    let addr = app.base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "PUT {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for _ in 0..chunks {
        // The server may stop reading once the limit is passed.
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .is_err()
            || s.write_all(chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn uploads_are_judged_by_content_and_size_and_refusals_leave_nothing() {
    let app = TestApp::start_with(Options::default(), |c| {
        c.media.max_cover_bytes = 4096;
        c.media.max_video_bytes = 16384;
    })
    .await;
    let login = app
        .client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"login": ADMIN, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let admin = province(&app).await;
    let id = new_course(&app, &admin, "上传测试").await;
    let cover = format!("/api/admin/courses/{id}/cover");
    let put = reqwest::Method::PUT;

    let (status, limits) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        "/api/admin/upload-limits",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(limits["max_cover_bytes"], 4096);

    let (status, course) = upload(&app, &admin, put.clone(), &cover, "image/png", png(1000)).await;
    assert_eq!(status, StatusCode::OK, "{course}");
    let url = course["cover"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("/uploads/covers/") && url.ends_with(".png"),
        "{url}"
    );
    let served = app.client().get(app.url(&url)).send().await.unwrap();
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert!(served.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(served.bytes().await.unwrap().len(), 1000);

    // Wrong content whatever its declared type; SVG refused; too large; empty.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    for (content_type, bytes, want, code) in [
        (
            "image/png",
            b"GIF89a\x01\0\x01\0".to_vec(),
            415,
            "unsupported_file_type",
        ),
        ("image/svg+xml", svg, 415, "unsupported_file_type"),
        ("image/png", mp4(2000), 415, "unsupported_file_type"),
        ("image/png", png(5000), 413, "file_too_large"),
        ("image/png", vec![], 400, "unsupported_file_type"),
    ] {
        let (status, e) = upload(&app, &admin, put.clone(), &cover, content_type, bytes).await;
        assert_eq!(status.as_u16(), want, "{e}");
        assert_eq!(e["error"]["code"], code);
        let message = e["error"]["message"].as_str().unwrap();
        assert!(!message.is_ascii(), "{message}");
        if want == 413 {
            assert!(message.contains("4 KB"), "{message}");
        }
    }
    // Sent in chunks with no declared length, an oversized file is still stopped.
    assert_eq!(
        chunked_put(&app, &cookie, &cover, 20, &png(1024)).await,
        413
    );
    assert_eq!(chunked_put(&app, &cookie, &cover, 2, &png(1024)).await, 200);

    // Videos: on a video lesson only, MP4 or WebM.
    let lessons = format!("/api/admin/courses/{id}/lessons");
    send(&app, &admin, reqwest::Method::POST, &lessons, Some(json!({
        "title": "视频课", "kind": "video", "duration_secs": 60, "body": "简介", "transcript": "文字稿"
    }))).await;
    let (_, course) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &lessons,
        Some(text_lesson("图文课", 600)),
    )
    .await;
    let video_lesson = course["lessons"][0]["id"].as_i64().unwrap();
    let text = course["lessons"][1]["id"].as_i64().unwrap();
    let (status, _) = upload(
        &app,
        &admin,
        put.clone(),
        &format!("{lessons}/{text}/video"),
        "video/mp4",
        mp4(1000),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let video = format!("{lessons}/{video_lesson}/video");
    let (status, e) = upload(&app, &admin, put.clone(), &video, "video/mp4", png(1000)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{e}");
    let (status, e) = upload(&app, &admin, put.clone(), &video, "video/mp4", mp4(20000)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    let webm = b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01\x42\x82\x84webm".to_vec();
    let (status, course) = upload(&app, &admin, put.clone(), &video, "video/webm", webm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(course["lessons"][0]["video"]
        .as_str()
        .unwrap()
        .ends_with(".webm"));
    let (status, course) = upload(&app, &admin, put.clone(), &video, "video/mp4", mp4(10000)).await;
    assert_eq!(status, StatusCode::OK);
    let video_url = course["lessons"][0]["video"].as_str().unwrap().to_owned();
    assert!(video_url.starts_with("/uploads/videos/") && video_url.ends_with(".mp4"));
    // Served with ranges, so that the player can seek.
    let part = app
        .client()
        .get(app.url(&video_url))
        .header("range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.unwrap().len(), 100);

    // What was refused left nothing behind: two covers, two videos, no partial files.
    let mut kept: Vec<String> = files_in(&app.media_dir())
        .iter()
        .map(|p| {
            p.strip_prefix(app.media_dir())
                .unwrap()
                .parent()
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    kept.sort();
    assert_eq!(kept, ["covers", "covers", "videos", "videos"]);

    // Housekeeping removes the replaced cover and video once they are old enough (here at
    // once), and keeps what the course names.
    let in_use: std::collections::HashSet<String> = {
        let db = app.db().await;
        let mut conn = db.read().await.unwrap();
        let urls = qinxue_server::storage::course_admin::media_in_use(&mut conn)
            .await
            .unwrap();
        drop(conn);
        db.close().await;
        urls.into_iter().collect()
    };
    let removed =
        qinxue_server::storage::media::sweep(&app.media_dir(), &in_use, std::time::Duration::ZERO);
    assert_eq!(removed, 2);
    let (_, course) = send(
        &app,
        &admin,
        reqwest::Method::GET,
        &format!("/api/admin/courses/{id}"),
        None,
    )
    .await;
    for url in [
        course["cover"].as_str().unwrap(),
        course["lessons"][0]["video"].as_str().unwrap(),
    ] {
        let res = app.client().get(app.url(url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{url}");
    }
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM audit_log WHERE target = 'course:{id}' AND action IN ('course.cover', 'lesson.video')")).await,
        4
    );
}

const HEADER: &str = "题型,题目,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析\n";

async fn import(app: &TestApp, admin: &Client, id: i64, bytes: Vec<u8>) -> (StatusCode, Value) {
    upload(
        app,
        admin,
        reqwest::Method::POST,
        &format!("/api/admin/courses/{id}/questions/import"),
        "text/csv",
        bytes,
    )
    .await
}

#[tokio::test]
async fn a_csv_import_takes_every_row_or_none_and_names_every_bad_row() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let id = new_course(&app, &admin, "题库导入").await;

    let bad = format!(
        "{HEADER}单选,触电者脱离电源后首先应做什么？,判断意识和呼吸,喂水,,,,,A,先判断再施救。\n\
         问答,什么是接地？,,,,,,,A,无\n\
         单选,\"题目里有逗号，\n还有换行\",甲,乙,,,,,E,解析\n\
         多选,哪些是安全色？,红,黄,,,,,AB,\n\
         判断,漏电保护器应每月试验一次。,,,,,,,可能,解析\n"
    );
    let (status, e) = import(&app, &admin, id, bad.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["code"], "invalid_import");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("4 行"),
        "{e}"
    );
    let rows = e["error"]["rows"].as_array().unwrap();
    let lines: Vec<i64> = rows.iter().map(|r| r["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 6, 7], "{e}");
    assert!(rows[0]["message"].as_str().unwrap().contains("问答"));
    assert!(rows[2]["message"].as_str().unwrap().contains("多选题"));
    assert!(rows[2]["message"].as_str().unwrap().contains("答案解析"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM questions WHERE course_id = {id}")
        )
        .await,
        0
    );

    // Excel's UTF-8 with BOM, CRLF, quoted commas and line breaks.
    let good = format!(
        "\u{feff}{}单选,触电者脱离电源后首先应做什么？,判断意识和呼吸,喂水,,,,,A,先判断再施救。\r\n\
         多选,\"下列哪些是\n绝缘安全用具？\",绝缘手套,绝缘靴,\"铁锤, 扳手\",,,,\"A,B\",铁锤导电。\r\n\
         判断,漏电保护器应定期按试验按钮检查。,,,,,,,正确,按说明书定期试验。\r\n",
        HEADER.replace('\n', "\r\n")
    );
    let (status, report) = import(&app, &admin, id, good.clone().into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["imported"], 3);
    let qs = report["course"]["questions"].as_array().unwrap();
    assert_eq!(qs[1]["stem"], "下列哪些是\n绝缘安全用具？");
    assert_eq!(qs[1]["options"][2], "铁锤, 扳手");
    assert_eq!(qs[1]["answer"], json!([0, 1]));
    assert_eq!(qs[2]["kind"], "true_false");

    // The same file again: every row is a duplicate, nothing is added.
    let (status, e) = import(&app, &admin, id, good.into_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["rows"].as_array().unwrap().len(), 3);

    // GBK, as Chinese Excel saves "CSV (逗号分隔)".
    let gbk_text = format!("{HEADER}判断,配电箱门应加锁并有警示标志。,,,,,,,对,防止误入。\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&gbk_text);
    let (status, report) = import(&app, &admin, id, gbk.into_owned()).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(
        report["course"]["questions"][3]["stem"],
        "配电箱门应加锁并有警示标志。"
    );

    // A file that is not the layout at all.
    let (status, e) = import(&app, &admin, id, b"name,answer\nx,y\n".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("题型"),
        "{e}"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM questions WHERE course_id = {id}")
        )
        .await,
        4
    );
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM audit_log WHERE target = 'course:{id}' AND action = 'question.import'")).await,
        2
    );
}

#[tokio::test]
async fn a_video_lesson_joins_a_published_course_with_its_video_uploaded_first() {
    let app = TestApp::spawn().await;
    let admin = province(&app).await;
    let course = complete_course(&app, &admin, "视频课程").await;
    let id = course["id"].as_i64().unwrap();
    let publish = format!("/api/admin/courses/{id}/publish");
    let (status, _) = send(&app, &admin, reqwest::Method::POST, &publish, None).await;
    assert_eq!(status, StatusCode::OK);
    let lessons = format!("/api/admin/courses/{id}/lessons");
    let video_lesson = |video: Option<&str>| {
        json!({"title": "验电演示", "kind": "video", "duration_secs": 60,
               "body": "演示。", "transcript": "先试验验电器。", "video": video})
    };

    // Without its file, a video lesson would leave the published course incomplete.
    let (status, e) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &lessons,
        Some(video_lesson(None)),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("先下架"),
        "{e}"
    );

    let trainee = app
        .login_as(crate::helpers::DEMO_GRADED, DEMO_PASSWORD)
        .await;
    let (status, _) = upload(
        &app,
        &trainee,
        reqwest::Method::POST,
        "/api/admin/uploads/videos",
        "video/mp4",
        mp4(1000),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A real clip (the demo's 46 s one): its length comes back, for the lesson's duration.
    let clip = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../public/media/public-safety-3.mp4"),
    )
    .unwrap();
    let (status, uploaded) = upload(
        &app,
        &admin,
        reqwest::Method::POST,
        "/api/admin/uploads/videos",
        "video/mp4",
        clip,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    assert_eq!(uploaded["duration_secs"], 46);
    let url = uploaded["url"].as_str().unwrap();

    // Only a file this server holds can be named.
    for bad in [
        "/uploads/videos/0123456789abcdef.mp4",
        "/uploads/videos/../../qinxue.db",
        "https://example.com/x.mp4",
    ] {
        let (status, e) = send(
            &app,
            &admin,
            reqwest::Method::POST,
            &lessons,
            Some(video_lesson(Some(bad))),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(fields_of(&e["error"]), ["video"], "{bad}");
    }
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::POST,
        &lessons,
        Some(video_lesson(Some(url))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    assert_eq!(course["published"], true);
    let lesson = &course["lessons"][1];
    assert_eq!(
        (lesson["kind"].as_str(), lesson["video"].as_str()),
        (Some("video"), Some(url))
    );

    // Saved again without naming a file, it keeps its video.
    let (status, course) = send(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("{lessons}/{}", lesson["id"]),
        Some(video_lesson(None)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{course}");
    assert_eq!(course["lessons"][1]["video"], url);
    let served = app.client().get(app.url(url)).send().await.unwrap();
    assert_eq!(served.headers()["content-type"], "video/mp4");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'media.upload'"
        )
        .await,
        1
    );
}
