//! Group sessions (集中学习, DESIGN.md §8): scheduling by the office, the proctor's console,
//! seats signing in by PIN behind one address, studying through the ledger, roll calls,
//! closing and corrections. Times are counted in exact seconds under a frozen test clock.

use crate::helpers::{
    demo_group_session, error_of, freeze_clock_in_the_morning, insert_admin, now,
    open_group_session, registration, unique_id_number, unit_in_region, Events, TestApp,
    DEMO_GRADED, DEMO_PASSWORD, DEMO_UNGRADED,
};
use qinxue_core::Role;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A session scheduled by `quanzhou-admin` for 鲤城区, run by `proctor-demo`.
struct Room<'a> {
    app: &'a TestApp,
    office: Client,
    proctor: Client,
    id: i64,
    code: String,
    /// The lessons of its course (text ones first).
    lessons: Vec<i64>,
}

/// The server's clock, Unix seconds.
fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap()
        .to_rfc3339()
}

/// A public course of the catalogue with text lessons: (id, its text lesson ids).
async fn course(app: &TestApp) -> (i64, Vec<i64>) {
    let courses: Vec<Value> = app
        .get(&app.client(), "/api/courses")
        .await
        .json()
        .await
        .unwrap();
    let c = courses
        .iter()
        .find(|c| c["category"] == "public")
        .expect("the demo has public courses");
    let lessons = c["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "text")
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    (c["id"].as_i64().unwrap(), lessons)
}

/// A schedule body starting a minute from `at`, three hours long.
async fn body(app: &TestApp, at: i64) -> Value {
    let (course_id, _) = course(app).await;
    json!({
        "title": "鲤城区机房集中学习",
        "room": "区机关事务服务中心三楼机房",
        "starts_at": rfc3339(at + 60),
        "ends_at": rfc3339(at + 60 + 3 * 3600),
        "capacity": 60,
        "course_id": course_id,
        "proctor_login": "proctor-demo",
        "format": "seats",
        "region_code": "350502",
    })
}

impl<'a> Room<'a> {
    /// Schedules a session with `body` changed by `adjust`.
    async fn schedule(app: &'a TestApp, adjust: impl FnOnce(&mut Value)) -> Room<'a> {
        let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
        let proctor = app.login_as("proctor-demo", DEMO_PASSWORD).await;
        let mut b = body(app, now(app).await).await;
        adjust(&mut b);
        let res = app.post(&office, "/api/group-sessions", &b).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let created: Value = res.json().await.unwrap();
        Room {
            app,
            office,
            proctor,
            id: created["id"].as_i64().unwrap(),
            code: created["code"].as_str().unwrap().to_owned(),
            lessons: course(app).await.1,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/api/group-sessions/{}{rest}", self.id)
    }

    /// The proctor opens the session; answers its PIN.
    async fn open(&self) -> String {
        let res = self
            .app
            .post(&self.proctor, &self.path("/open"), &json!({}))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["status"], "open");
        v["pin"].as_str().unwrap().to_owned()
    }

    async fn view(&self) -> Value {
        let res = self.app.get(&self.proctor, &self.path("")).await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json().await.unwrap()
    }

    /// A new terminal of the room (its own cookies), as the kiosk page opens it.
    async fn terminal(&self) -> Client {
        let t = self.app.client();
        let res = self.app.get(&t, &format!("/api/rooms/{}", self.code)).await;
        assert_eq!(res.status(), StatusCode::OK);
        t
    }

    async fn sign_in_raw(
        &self,
        terminal: &Client,
        id_number: &str,
        pin: &str,
    ) -> reqwest::Response {
        self.app
            .post(
                terminal,
                &format!("/api/rooms/{}/sign-in", self.code),
                &json!({"id_number": id_number, "pin": pin}),
            )
            .await
    }

    /// A terminal with `id_number` seated by PIN.
    async fn seat(&self, id_number: &str, pin: &str) -> Client {
        let t = self.terminal().await;
        let res = self.sign_in_raw(&t, id_number, pin).await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        t
    }

    async fn roll_call(&self) -> Value {
        let res = self
            .app
            .post(&self.proctor, &self.path("/roll-calls"), &json!({}))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        res.json().await.unwrap()
    }

    async fn seat_of(&self, trainee_id: i64) -> Value {
        let v = self.view().await;
        v["seats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["trainee_id"] == trainee_id)
            .cloned()
            .unwrap_or_else(|| panic!("trainee {trainee_id} has a seat: {v}"))
    }
}

/// Opens a study session at a seat; answers its id.
async fn start(app: &TestApp, seat: &Client, lesson: i64) -> i64 {
    let res = app
        .post(seat, "/api/study/sessions", &json!({"lesson_id": lesson}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    res.json::<Value>().await.unwrap()["session_id"]
        .as_i64()
        .unwrap()
}

async fn beat_raw(app: &TestApp, seat: &Client, session: i64, seq: i64) -> reqwest::Response {
    app.post(
        seat,
        &format!("/api/study/sessions/{session}/heartbeat"),
        &json!({"seq": seq, "visible": true, "position_secs": 0}),
    )
    .await
}

async fn beat(app: &TestApp, seat: &Client, session: i64, seq: i64) -> Value {
    let res = beat_raw(app, seat, session, seq).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// A new trainee of 鲤城区's demo unit, registered and (when `paid`) enrolled for the year:
/// (id, 身份证号).
async fn trainee(app: &TestApp, paid: bool) -> (i64, String) {
    let unit = unit_in_region(app, "350502").await;
    let body = registration(unit, "junior");
    let res = app.post(&app.client(), "/api/auth/register", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    if paid {
        let db = app.db().await;
        let year = chrono::Datelike::year(&qinxue_core::time::local_date(
            chrono::DateTime::from_timestamp(now(app).await, 0).unwrap(),
        ));
        db.write(move |c| {
            Box::pin(async move {
                Ok(qinxue_server::storage::enrolments::insert(
                    c,
                    id,
                    year,
                    qinxue_core::Grade::Junior,
                    qinxue_server::storage::enrolments::ACTIVE,
                    0,
                )
                .await?)
            })
        })
        .await
        .expect("enrolled");
        db.close().await;
    }
    (id, body["id_number"].as_str().unwrap().to_owned())
}

async fn me_id(app: &TestApp, login: &str) -> i64 {
    let c = app.login_as(login, DEMO_PASSWORD).await;
    app.get(&c, "/api/me").await.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_office_admin_schedules_changes_and_cancels_inside_their_subtree_only() {
    let app = TestApp::spawn().await;
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let at = now(&app).await;
    let good = body(&app, at).await;

    // Every other role is refused.
    for login in ["unit-demo", "proctor-demo", "province-admin", DEMO_GRADED] {
        let c = app.login_as(login, DEMO_PASSWORD).await;
        let res = app.post(&c, "/api/group-sessions", &good).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{login}");
    }
    let res = app.post(&app.client(), "/api/group-sessions", &good).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Each fault names its field.
    let mut bad = good.clone();
    bad["ends_at"] = bad["starts_at"].clone();
    bad["capacity"] = json!(0);
    bad["proctor_login"] = json!("nobody");
    bad["region_code"] = json!("350100");
    let res = app.post(&office, "/api/group-sessions", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e = error_of(res).await;
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["ends_at", "capacity"]);
    bad["ends_at"] = good["ends_at"].clone();
    bad["capacity"] = json!(60);
    let res = app.post(&office, "/api/group-sessions", &bad).await;
    let e = error_of(res).await;
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["region_code", "proctor_login"]);

    // A trainee of 福州 cannot be assigned to a session of 鲤城区.
    let fuzhou = unit_in_region(&app, "350100").await;
    let outsider = app
        .post(
            &app.client(),
            "/api/auth/register",
            &registration(fuzhou, "junior"),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let wang = me_id(&app, DEMO_GRADED).await;
    let mut assigned = good.clone();
    assigned["trainee_ids"] = json!([wang, outsider]);
    let res = app
        .post(&app.client(), "/api/group-sessions", &assigned)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.post(&office, "/api/group-sessions", &assigned).await;
    let e = error_of(res).await;
    assert_eq!(e["fields"][0]["field"], "trainee_ids");
    assert_eq!(e["fields"][0]["code"], "not_in_region");

    assigned["trainee_ids"] = json!([wang]);
    let res = app.post(&office, "/api/group-sessions", &assigned).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    let code = created["code"].as_str().unwrap();
    assert_eq!(code.len(), 8);

    // The office and its proctor see it; another city's office and other proctors do not.
    let proctor = app.login_as("proctor-demo", DEMO_PASSWORD).await;
    for c in [&office, &proctor] {
        let list: Vec<Value> = app
            .get(c, "/api/group-sessions")
            .await
            .json()
            .await
            .unwrap();
        assert!(list.iter().any(|s| s["id"] == id && s["assigned"] == 1));
        let v: Value = app
            .get(c, &format!("/api/group-sessions/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(v["status"], "scheduled");
        assert_eq!(v["trainee_ids"], json!([wang]));
        // By name too, for the console to seat them by touch; the 身份证号 masked.
        assert_eq!(
            v["trainees"],
            json!([{"trainee_id": wang, "name": "王建国",
                    "id_number": qinxue_core::id_number::mask_id_number(DEMO_GRADED)}])
        );
        assert_ne!(v["trainees"][0]["id_number"], DEMO_GRADED);
        assert_eq!(v["pin"], Value::Null);
        assert_eq!(v["region_name"], "福建省 泉州市 鲤城区");
    }
    insert_admin(&app, Role::OfficeAdmin, "fuzhou-admin", None, "350100").await;
    insert_admin(&app, Role::Proctor, "proctor-fuzhou", None, "350100").await;
    for login in ["fuzhou-admin", "proctor-fuzhou"] {
        let c = app.login_as(login, DEMO_PASSWORD).await;
        let res = app.get(&c, &format!("/api/group-sessions/{id}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{login}");
        let list: Vec<Value> = app
            .get(&c, "/api/group-sessions")
            .await
            .json()
            .await
            .unwrap();
        assert!(list.is_empty(), "{login}");
    }
    let c = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&c, &format!("/api/group-sessions/{id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // It is on the assigned trainee's home page; not on that of someone not assigned.
    let mine: Vec<Value> = app
        .get(&c, "/api/me/group-sessions")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.iter().any(|s| s["id"] == id));

    // Changed before it starts; then cancelled.
    let mut changed = assigned.clone();
    changed["room"] = json!("二楼多媒体教室");
    changed["trainee_ids"] = Value::Null;
    let res = app
        .client()
        .put(app.url(&format!("/api/group-sessions/{id}")))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = office
        .put(app.url(&format!("/api/group-sessions/{id}")))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        (v["room"].as_str(), v["open_to_region"].as_bool()),
        (Some("二楼多媒体教室"), Some(true))
    );
    assert_eq!(
        v["trainees"],
        json!([]),
        "open to the region: nobody assigned"
    );
    let res = app
        .post(
            &office,
            &format!("/api/group-sessions/{id}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "cancelled");
    let res = app
        .post(
            &office,
            &format!("/api/group-sessions/{id}/cancel"),
            &json!({}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "session_started");

    // Once started, it can be neither changed nor cancelled.
    let room = Room::schedule(&app, |_| {}).await;
    app.advance_clock(61).await;
    let res = office
        .put(app.url(&room.path("")))
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(res).await["code"], "session_started");
    let res = app.post(&office, &room.path("/cancel"), &json!({})).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn seats_sign_in_by_pin_and_study_at_a_seat_through_the_ledger_in_exact_seconds() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let room = Room::schedule(&app, |_| {}).await;

    // Not open yet: the kiosk says so, with no PIN to try.
    let t = room.terminal().await;
    let res = room.sign_in_raw(&t, DEMO_GRADED, "000000").await;
    assert_eq!(error_of(res).await["code"], "room_not_open");
    // Only its proctor opens it.
    let office_open = app
        .post(&room.office, &room.path("/open"), &json!({}))
        .await;
    assert_eq!(office_open.status(), StatusCode::FORBIDDEN);
    let pin = room.open().await;
    assert!(pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()));

    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let res = room.sign_in_raw(&t, DEMO_GRADED, wrong).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(res).await["code"], "wrong_pin");
    let res = room.sign_in_raw(&t, "350502198001011234", &pin).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = room.sign_in_raw(&t, DEMO_GRADED, &pin).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let seat_cookie = cookies
        .iter()
        .find(|c| c.starts_with("qinxue_seat="))
        .unwrap();
    assert!(seat_cookie.contains("HttpOnly") && seat_cookie.contains("SameSite=Strict"));
    assert!(
        cookies.iter().any(|c| c.starts_with("qinxue_session=;")),
        "account signed out"
    );
    let seated: Value = res.json().await.unwrap();
    assert_eq!(seated["name"], "王建国");
    assert_eq!(seated["credited_secs"], 0);

    // The seat credential opens nothing else.
    for path in [
        "/api/me",
        "/api/study/progress",
        "/api/orders",
        "/api/selections",
    ] {
        let res = app.get(&t, path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(error_of(res).await["code"], "seat_only", "{path}");
    }
    let res = app.get(&t, "/api/courses").await;
    assert_eq!(res.status(), StatusCode::OK, "the catalogue stays public");

    // Another course's lesson is not the seat's.
    let other = app
        .get(&app.client(), "/api/courses")
        .await
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .iter()
        .find(|c| c["id"] != seated["course_id"])
        .map(|c| c["lessons"][0]["id"].as_i64().unwrap())
        .unwrap();
    let res = app
        .post(&t, "/api/study/sessions", &json!({"lesson_id": other}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&t, &format!("/api/lessons/{other}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let lesson = room.lessons[0];
    let res = app.get(&t, &format!("/api/lessons/{lesson}")).await;
    assert_eq!(res.status(), StatusCode::OK);

    let s = start(&app, &t, lesson).await;
    let wang = seated_id(&room, "王建国").await;
    assert_eq!(room.seat_of(wang).await["state"], "active");
    let mut credited = 0;
    for seq in 1..=5 {
        app.advance_clock(20).await;
        let reply = beat(&app, &t, s, seq).await;
        assert_eq!(reply["check"], Value::Null, "no check of its own at a seat");
        credited += reply["credited_secs"].as_i64().unwrap();
    }
    assert_eq!(credited, 100);
    let seat = room.seat_of(wang).await;
    assert_eq!(seat["credited_secs"], 100);
    assert_eq!(seat["lesson_id"], lesson);
    assert_eq!(
        (seat["state"].as_str(), seat["silent_secs"].as_i64()),
        (Some("active"), Some(0))
    );

    // The network goes for a minute: the console sees it, and the silence earns nothing.
    app.advance_clock(59).await;
    assert_eq!(room.seat_of(wang).await["state"], "active");
    app.advance_clock(1).await;
    let seat = room.seat_of(wang).await;
    assert_eq!(
        (seat["state"].as_str(), seat["silent_secs"].as_i64()),
        (Some("disconnected"), Some(60))
    );
    app.advance_clock(20).await;
    let reply = beat(&app, &t, s, 6).await;
    assert_eq!(reply["credited_secs"], 0);
    for seq in 7..=9 {
        app.advance_clock(20).await;
        beat(&app, &t, s, seq).await;
    }
    assert_eq!(
        room.seat_of(wang).await["credited_secs"],
        160,
        "100 s before, 60 s after"
    );

    // 王建国's own account cannot carry on the seat's study session, nor the seat his own.
    let own = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let res = beat_raw(&app, &own, s, 10).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Signing out at the seat ends it; the credential is gone.
    let res = app
        .post(
            &t,
            &format!("/api/rooms/{}/sign-out", room.code),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(res
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("qinxue_seat=;")));
    let res = beat_raw(&app, &t, s, 10).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let seat = room.seat_of(wang).await;
    assert_eq!(
        (seat["state"].as_str(), seat["left_reason"].as_str()),
        (Some("left"), Some("signed_out"))
    );
    assert_eq!(seat["credited_secs"], 160);
}

/// The id of the seated person of this name.
async fn seated_id(room: &Room<'_>, name: &str) -> i64 {
    room.view().await["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["trainee_id"].as_i64())
        .unwrap_or_else(|| panic!("{name} is seated"))
}

#[tokio::test]
async fn a_seat_refuses_outsiders_the_unpaid_the_unassigned_and_a_full_room() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (paid, paid_id_number) = trainee(&app, true).await;
    let (_, unpaid_id_number) = trainee(&app, false).await;
    let room = Room::schedule(&app, |b| {
        b["capacity"] = json!(1);
        b["trainee_ids"] = json!([paid]);
    })
    .await;
    let pin = room.open().await;
    let t = room.terminal().await;
    // 林晓梅 works in 晋江, not 鲤城区.
    let res = room.sign_in_raw(&t, DEMO_UNGRADED, &pin).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await["code"], "not_in_region");
    // 王建国 is of the region and paid, but not on this session's list.
    let res = room.sign_in_raw(&t, DEMO_GRADED, &pin).await;
    assert_eq!(error_of(res).await["code"], "not_assigned");
    // Nobody registered with this 身份证号.
    let res = room.sign_in_raw(&t, &unique_id_number(), &pin).await;
    assert_eq!(error_of(res).await["code"], "not_enrolled");

    let open = Room::schedule(&app, |b| b["capacity"] = json!(1)).await;
    let pin2 = open.open().await;
    let res = open.sign_in_raw(&t, &unpaid_id_number, &pin2).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await["code"], "not_enrolled");
    open.seat(&paid_id_number, &pin2).await;
    let res = open
        .sign_in_raw(&open.terminal().await, DEMO_GRADED, &pin2)
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "room_full");
    // Nothing was credited and nobody else sits.
    assert_eq!(open.view().await["seats"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_pins_are_limited_per_terminal_and_renew_the_pin_per_session_never_per_address() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let wrong = if pin == "000000" { "111111" } else { "000000" };
    let t = room.terminal().await;
    for _ in 0..5 {
        let res = room.sign_in_raw(&t, DEMO_GRADED, wrong).await;
        assert_eq!(error_of(res).await["code"], "wrong_pin");
    }
    let res = room.sign_in_raw(&t, DEMO_GRADED, &pin).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the terminal waits"
    );
    // Every terminal shares the test's address; the one next to it is not held up.
    room.seat(DEMO_GRADED, &pin).await;
    // Ten minutes later the first terminal may try again.
    app.advance_clock(600).await;
    let res = room.sign_in_raw(&t, DEMO_GRADED, &pin).await;
    assert_eq!(res.status(), StatusCode::OK);

    // Guessing from many terminals: at the 50th wrong PIN the session's PIN is renewed.
    for _ in 0..(50 - 5 - 1) / 4 + 1 {
        let t = room.terminal().await;
        for _ in 0..4 {
            room.sign_in_raw(&t, DEMO_GRADED, wrong).await;
        }
    }
    let renewed = room.view().await["pin"].as_str().unwrap().to_owned();
    assert_ne!(renewed, pin);
    let res = room
        .sign_in_raw(&room.terminal().await, DEMO_GRADED, &pin)
        .await;
    assert_eq!(error_of(res).await["code"], "wrong_pin");
    room.seat(DEMO_GRADED, &renewed).await;
}

#[tokio::test]
async fn a_second_seat_signs_the_first_out_and_the_next_person_clears_the_terminal() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (_, other) = trainee(&app, true).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let first = room.seat(DEMO_GRADED, &pin).await;
    let s = start(&app, &first, room.lessons[0]).await;
    app.advance_clock(20).await;
    assert_eq!(beat(&app, &first, s, 1).await["credited_secs"], 20);

    let second = room.seat(DEMO_GRADED, &pin).await;
    app.advance_clock(20).await;
    let res = beat_raw(&app, &first, s, 2).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let e = error_of(res).await;
    assert_eq!(e["code"], "seat_moved");
    assert!(e["message"].as_str().unwrap().contains("另一个座位"));
    let res = app
        .get(&first, &format!("/api/rooms/{}/seat", room.code))
        .await;
    assert_eq!(error_of(res).await["code"], "seat_moved");

    // The next person at the second terminal signs 王建国 out of it.
    let s2 = start(&app, &second, room.lessons[0]).await;
    app.advance_clock(20).await;
    beat(&app, &second, s2, 1).await;
    let res = room.sign_in_raw(&second, &other, &pin).await;
    assert_eq!(res.status(), StatusCode::OK);
    let seat: Value = app
        .get(&second, &format!("/api/rooms/{}/seat", room.code))
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(seat["name"], "王建国");
    let wang = seated_id(&room, "王建国").await;
    let view = room.seat_of(wang).await;
    assert_eq!(
        (view["state"].as_str(), view["left_reason"].as_str()),
        (Some("left"), Some("replaced"))
    );
    assert_eq!(view["credited_secs"], 40);
    let res = beat_raw(&app, &second, s2, 2).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the new person's seat has no such session"
    );
}

#[tokio::test]
async fn roll_calls_replace_the_checks_and_a_missed_one_blocks_until_the_next_is_answered() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (_, other) = trainee(&app, true).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let a = room.seat(DEMO_GRADED, &pin).await;
    let b = room.seat(&other, &pin).await;
    let (sa, sb) = (
        start(&app, &a, room.lessons[0]).await,
        start(&app, &b, room.lessons[0]).await,
    );
    app.advance_clock(20).await;
    beat(&app, &a, sa, 1).await;
    beat(&app, &b, sb, 1).await;

    // Only the proctor calls the roll; one at a time.
    let res = app
        .post(&room.office, &room.path("/roll-calls"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let rc = room.roll_call().await;
    let res = app
        .post(&room.proctor, &room.path("/roll-calls"), &json!({}))
        .await;
    assert_eq!(error_of(res).await["code"], "roll_call_open");

    app.advance_clock(20).await;
    let ra = beat(&app, &a, sa, 2).await;
    let rb = beat(&app, &b, sb, 2).await;
    for r in [&ra, &rb] {
        assert_eq!(r["check"]["kind"], "roll_call");
        assert_eq!(r["check"]["options"], json!(["我在"]));
        assert_eq!(r["verdict"], "held");
    }
    let wang = seated_id(&room, "王建国").await;
    assert_eq!(room.seat_of(wang).await["roll_call"], "pending");
    let res = app
        .post(
            &a,
            &format!("/api/study/checks/{}", ra["check"]["id"].as_str().unwrap()),
            &json!({"answer": "我在"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["credited_secs"],
        20,
        "the held 20 s"
    );
    assert_eq!(room.seat_of(wang).await["roll_call"], "answered");

    // B misses it: the 20 s held are lost and nothing more is credited.
    app.advance_clock(41).await;
    let rb = beat(&app, &b, sb, 3).await;
    assert_eq!(
        (rb["verdict"].as_str(), rb["check"].clone()),
        (Some("blocked"), Value::Null)
    );
    let other_id = room.view().await["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["trainee_id"] != wang)
        .and_then(|s| s["trainee_id"].as_i64())
        .unwrap();
    let seat_b = room.seat_of(other_id).await;
    assert_eq!(
        (seat_b["roll_call"].as_str(), seat_b["state"].as_str()),
        (Some("missed"), Some("idle"))
    );
    assert_eq!(
        room.view().await["seats"][0]["trainee_id"],
        other_id,
        "problems first"
    );
    for seq in 4..=6 {
        app.advance_clock(20).await;
        assert_eq!(beat(&app, &b, sb, seq).await["credited_secs"], 0);
    }
    // A new lesson does not escape the missed roll call either.
    let sb2 = start(&app, &b, room.lessons[1]).await;
    app.advance_clock(20).await;
    assert_eq!(beat(&app, &b, sb2, 1).await["verdict"], "blocked");
    assert_eq!(room.seat_of(other_id).await["credited_secs"], 20);

    // The proctor ticks B at the next roll call: crediting resumes from there.
    let rc2 = room.roll_call().await;
    assert_ne!(rc2["id"], rc["id"]);
    let res = app
        .post(
            &room.proctor,
            &room.path(&format!("/roll-calls/{}/ticks", rc2["id"])),
            &json!({"trainee_id": other_id}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    app.advance_clock(20).await;
    let rb = beat(&app, &b, sb2, 2).await;
    assert_eq!(
        (rb["verdict"].as_str(), rb["credited_secs"].as_i64()),
        (Some("credited"), Some(20))
    );
    assert_eq!(room.seat_of(other_id).await["roll_call"], "answered");
    // A late tick is refused.
    app.advance_clock(61).await;
    let res = app
        .post(
            &room.proctor,
            &room.path(&format!("/roll-calls/{}/ticks", rc2["id"])),
            &json!({"trainee_id": wang}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "check_expired");

    // The server's own roll calls come at random, 5 to 15 minutes apart.
    let tick = |app: &TestApp| {
        let c = app.client();
        let url = app.url("/api/test/group-sessions/tick");
        async move {
            c.post(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(tick(&app).await["roll_calls"], 0);
    app.advance_clock(15 * 60).await;
    assert_eq!(tick(&app).await["roll_calls"], 1);
    let v = room.view().await;
    assert_eq!(v["roll_call"]["by_server"], true);
}

#[tokio::test]
async fn closing_signs_every_seat_out_and_keeps_each_persons_time_which_only_the_office_corrects() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (_, other) = trainee(&app, true).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let a = room.seat(DEMO_GRADED, &pin).await;
    let b = room.seat(&other, &pin).await;
    let (sa, sb) = (
        start(&app, &a, room.lessons[0]).await,
        start(&app, &b, room.lessons[0]).await,
    );
    for seq in 1..=6 {
        app.advance_clock(20).await;
        beat(&app, &a, sa, seq).await;
        // B leaves early, after 40 s.
        if seq <= 2 {
            beat(&app, &b, sb, seq).await;
        }
        if seq == 2 {
            let res = app
                .post(
                    &b,
                    &format!("/api/rooms/{}/sign-out", room.code),
                    &json!({}),
                )
                .await;
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
        }
    }
    let res = app
        .post(
            &room.office,
            &room.path("/corrections"),
            &json!({"trainee_id": 1, "credited_secs": 0, "reason": "x"}),
        )
        .await;
    assert_eq!(error_of(res).await["code"], "not_closed");

    let res = app
        .post(&room.office, &room.path("/close"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "the proctor closes");
    let res = app
        .post(&room.proctor, &room.path("/close"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let closed: Value = res.json().await.unwrap();
    assert_eq!(
        (closed["status"].as_str(), closed["pin"].clone()),
        (Some("closed"), Value::Null)
    );
    let attendance = closed["attendance"].as_array().unwrap();
    let wang = seated_id(&room, "王建国").await;
    let row = |id: i64| {
        attendance
            .iter()
            .find(|r| r["trainee_id"] == id)
            .unwrap()
            .clone()
    };
    let ra = row(wang);
    assert_eq!(ra["credited_secs"], 120);
    assert_eq!(
        ra["by_source"],
        json!({"seat": 120, "lecture": 0, "correction": 0})
    );
    let other_id = attendance.iter().find(|r| r["trainee_id"] != wang).unwrap()["trainee_id"]
        .as_i64()
        .unwrap();
    assert_eq!(row(other_id)["credited_secs"], 40, "only the time present");
    assert!(ra["id_number"].as_str().unwrap().contains('*'), "masked");

    // Every seat is out; nothing more is credited.
    app.advance_clock(20).await;
    let res = beat_raw(&app, &a, sa, 7).await;
    assert_eq!(error_of(res).await["code"], "room_closed");
    let res = room
        .sign_in_raw(&room.terminal().await, DEMO_GRADED, &pin)
        .await;
    assert_eq!(error_of(res).await["code"], "room_closed");
    let res = app
        .post(&room.proctor, &room.path("/roll-calls"), &json!({}))
        .await;
    assert_eq!(error_of(res).await["code"], "room_closed");

    // The office corrects, with a reason; the proctor cannot.
    let correction = json!({"trainee_id": other_id, "credited_secs": 300, "reason": "平板断网，监考员核实全程在场"});
    let res = app
        .post(&room.proctor, &room.path("/corrections"), &correction)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &room.office,
            &room.path("/corrections"),
            &json!({"trainee_id": other_id, "credited_secs": 300, "reason": " "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(
            &room.office,
            &room.path("/corrections"),
            &json!({"trainee_id": other_id, "credited_secs": 4 * 3600, "reason": "多记"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post(&room.office, &room.path("/corrections"), &correction)
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let v: Value = res.json().await.unwrap();
    let corrected = v["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trainee_id"] == other_id)
        .unwrap()
        .clone();
    assert_eq!(corrected["credited_secs"], 300);
    assert_eq!(
        corrected["by_source"],
        json!({"seat": 40, "lecture": 0, "correction": 260})
    );

    // The correction is in the audit log with its reason.
    let db = app.db().await;
    let mut conn = db.read().await.unwrap();
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'group_session.correct' ORDER BY id DESC",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    assert!(
        detail.contains("40s -> 300s") && detail.contains("平板断网"),
        "{detail}"
    );
    drop(conn);
    db.close().await;
}

#[tokio::test]
async fn a_session_closes_itself_at_its_end() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let a = room.seat(DEMO_GRADED, &pin).await;
    start(&app, &a, room.lessons[0]).await;
    app.advance_clock(60 + 3 * 3600).await;
    let res = app
        .client()
        .post(app.url("/api/test/group-sessions/tick"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["closed"], 1);
    let v = room.view().await;
    assert_eq!(v["status"], "closed");
    assert_eq!(v["seats"][0]["left_reason"], "closed");
    assert!(v["attendance"].is_array());
}

#[tokio::test]
async fn the_console_streams_a_snapshot_then_each_change_and_starts_over_on_reconnect() {
    let app = TestApp::spawn().await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let res = app.get(&app.client(), &room.path("/events")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&trainee, &room.path("/events")).await.status(),
        StatusCode::FORBIDDEN
    );

    let res = app.get(&room.proctor, &room.path("/events")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut res = Events::new(res);
    let first = res.next().await;
    assert!(first.starts_with("event: snapshot"), "{first}");
    assert!(first.contains(&format!("\"pin\":\"{pin}\"")));

    let started = std::time::Instant::now();
    room.seat(DEMO_GRADED, &pin).await;
    let change = res.next().await;
    assert!(change.starts_with("event: seat"), "{change}");
    assert!(
        change.contains("王建国") && change.contains("\"state\":\"idle\""),
        "{change}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "within 2 s"
    );

    // A new PIN changes more than a seat: a whole snapshot.
    app.post(&room.proctor, &room.path("/pin"), &json!({}))
        .await;
    let snap = res.next().await;
    assert!(
        snap.starts_with("event: snapshot") && !snap.contains(&format!("\"pin\":\"{pin}\"")),
        "{snap}"
    );
    drop(res);

    // A reconnect starts with the whole view again.
    let mut again = Events::new(app.get(&room.office, &room.path("/events")).await);
    let first = again.next().await;
    assert!(
        first.starts_with("event: snapshot") && first.contains("王建国"),
        "{first}"
    );
}

#[tokio::test]
async fn the_demo_has_a_session_of_today_that_its_proctor_opens_and_wang_sits_in() {
    let app = TestApp::spawn().await;
    let proctor = app.login_as("proctor-demo", DEMO_PASSWORD).await;
    let demo = demo_group_session(&app, &proctor).await;
    assert_eq!(
        (
            demo["region_code"].as_str(),
            demo["format"].as_str(),
            demo["open_to_region"].as_bool()
        ),
        (Some("350502"), Some("seats"), Some(true))
    );
    let office = app.login_as("quanzhou-admin", DEMO_PASSWORD).await;
    let list: Vec<Value> = app
        .get(&office, "/api/group-sessions")
        .await
        .json()
        .await
        .unwrap();
    assert!(list.iter().any(|s| s["id"] == demo["id"]));
    let pin = open_group_session(&app, &proctor, &demo["id"]).await;
    let t = app.client();
    let code = qinxue_server::seed::DEMO_ROOM_CODE;
    assert_eq!(
        app.get(&t, &format!("/api/rooms/{code}")).await.status(),
        StatusCode::OK
    );
    let res = app
        .post(
            &t,
            &format!("/api/rooms/{code}/sign-in"),
            &json!({"id_number": DEMO_GRADED, "pin": pin}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let trainee = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
    let mine: Vec<Value> = app
        .get(&trainee, "/api/me/group-sessions")
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.iter().any(|s| s["code"] == code), "on his home page");
}

/// What a kiosk nobody sits at asks every few seconds.
async fn ask_terminal(room: &Room<'_>, kiosk: &Client) -> reqwest::Response {
    room.app
        .post(
            kiosk,
            &format!("/api/rooms/{}/terminal", room.code),
            &json!({}),
        )
        .await
}

async fn seat_code(room: &Room<'_>, kiosk: &Client) -> String {
    let res = ask_terminal(room, kiosk).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert!(v["seat"].is_null(), "{v}");
    v["seat_code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_proctor_seats_a_person_at_the_kiosk_showing_its_seat_code() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (unpaid, _) = trainee(&app, false).await;
    let (paid, _) = trainee(&app, true).await;
    let room = Room::schedule(&app, |_| {}).await;
    let kiosk = room.terminal().await;
    let res = ask_terminal(&room, &kiosk).await;
    assert_eq!(error_of(res).await["code"], "room_not_open");
    room.open().await;

    // A terminal keeps its code; each terminal has its own.
    let code = seat_code(&room, &kiosk).await;
    assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(seat_code(&room, &kiosk).await, code);
    let kiosk2 = room.terminal().await;
    let code2 = seat_code(&room, &kiosk2).await;
    assert_ne!(code, code2);

    // Bad input: each refused with its field, nobody seated.
    let seat = |body: Value| {
        let (app, path, proctor) = (room.app, room.path("/seats"), room.proctor.clone());
        async move { app.post(&proctor, &path, &body).await }
    };
    let unknown = (0..10_000)
        .map(|n| format!("{n:04}"))
        .find(|c| *c != code && *c != code2)
        .unwrap();
    for (body, field) in [
        (
            json!({"seat_code": "12", "id_number": DEMO_GRADED}),
            "seat_code",
        ),
        (
            json!({"seat_code": unknown, "id_number": DEMO_GRADED}),
            "seat_code",
        ),
        (json!({"seat_code": code}), "id_number"),
        (
            json!({"seat_code": code, "id_number": "350502198001011234"}),
            "id_number",
        ),
        (
            json!({"seat_code": code, "trainee_id": 987_654_321}),
            "trainee_id",
        ),
    ] {
        let res = seat(body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_of(res).await["fields"][0]["field"], field, "{body}");
    }
    let res = seat(json!({"seat_code": code, "trainee_id": unpaid})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await["code"], "not_enrolled");
    let res = seat(json!({"seat_code": code, "id_number": DEMO_UNGRADED})).await;
    assert_eq!(error_of(res).await["code"], "not_in_region");
    // The office schedules; only the proctor seats.
    let res = app
        .post(
            &room.office,
            &room.path("/seats"),
            &json!({"seat_code": code, "id_number": DEMO_GRADED}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(room.view().await["seats"].as_array().unwrap().is_empty());

    // 王建国 by his 身份证号, the new trainee from the list by id.
    let res = seat(json!({"seat_code": code, "id_number": DEMO_GRADED})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = seat(json!({"seat_code": code2, "trainee_id": paid})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = room.view().await;
    let seats = v["seats"].as_array().unwrap();
    assert_eq!(seats.len(), 2);
    assert!(seats
        .iter()
        .all(|s| s["by_proctor"] == true && s["state"] == "idle"));

    // The kiosk has no seat credential until it asks; then it takes its seat and studies.
    let res = app
        .get(&kiosk, &format!("/api/rooms/{}/seat", room.code))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = ask_terminal(&room, &kiosk).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert!(v["seat_code"].is_null());
    assert_eq!(v["seat"]["name"], "王建国");
    let wang = seated_id(&room, "王建国").await;
    let session = start(&app, &kiosk, room.lessons[0]).await;
    app.advance_clock(20).await;
    assert_eq!(beat(&app, &kiosk, session, 1).await["credited_secs"], 20);
    assert_eq!(room.seat_of(wang).await["credited_secs"], 20);
    // The seat is taken once: the next ask shows the code again (nobody pending).
    assert_eq!(seat_code(&room, &kiosk).await, code);
    let res = ask_terminal(&room, &kiosk2).await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["seat"]["group_session_id"],
        room.id
    );

    // Closing ends the terminal's codes with the session.
    app.post(&room.proctor, &room.path("/close"), &json!({}))
        .await;
    let res = ask_terminal(&room, &kiosk).await;
    assert_eq!(error_of(res).await["code"], "room_closed");
}

/// A text lesson's nominal duration, from the catalogue.
async fn duration_of(app: &TestApp, lesson: i64) -> i64 {
    let courses: Vec<Value> = app
        .get(&app.client(), "/api/courses")
        .await
        .json()
        .await
        .unwrap();
    courses
        .iter()
        .flat_map(|c| c["lessons"].as_array().unwrap().iter())
        .find(|l| l["id"] == lesson)
        .and_then(|l| l["duration_secs"].as_i64())
        .expect("the lesson is in the catalogue")
}

impl Room<'_> {
    async fn presence(&self, roll_call: i64, body: Value) -> reqwest::Response {
        self.app
            .post(
                &self.proctor,
                &self.path(&format!("/roll-calls/{roll_call}/presence")),
                &body,
            )
            .await
    }

    async fn mark(&self, roll_call: i64, trainee_id: i64, present: bool) -> Value {
        let res = self
            .presence(
                roll_call,
                json!({"trainee_id": trainee_id, "present": present}),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        res.json().await.unwrap()
    }
}

fn attendee(view: &Value, trainee_id: i64) -> Value {
    view["lecture"]["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["trainee_id"] == trainee_id)
        .cloned()
        .unwrap_or_else(|| panic!("{trainee_id} attends: {view}"))
}

#[tokio::test]
async fn a_lecture_credits_the_time_between_roll_calls_each_person_was_marked_present_at() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (a, _) = trainee(&app, true).await;
    let (b, _) = trainee(&app, true).await;
    let (unpaid, _) = trainee(&app, false).await;
    let wang = me_id(&app, DEMO_GRADED).await;
    let room = Room::schedule(&app, |b| b["format"] = json!("lecture")).await;
    let lesson = room.lessons[0];
    let d = duration_of(&app, lesson).await;
    room.open().await;
    let v = room.view().await;
    assert!(
        v["lecture"]["lesson_id"].is_i64(),
        "the course's first lesson: {v}"
    );
    assert!(v["seats"].as_array().unwrap().is_empty());

    // The lesson played is one of the session's course; a seats session has none.
    let set = |body: Value| {
        let (app, path, proctor) = (room.app, room.path("/lecture"), room.proctor.clone());
        async move {
            proctor
                .put(app.url(&path))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = set(json!({"lesson_id": 987_654_321})).await;
    assert_eq!(error_of(res).await["fields"][0]["field"], "lesson_id");
    let res = set(json!({"lesson_id": lesson})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["lecture"]["lesson_id"],
        lesson
    );
    let seats = Room::schedule(&app, |_| {}).await;
    let res = seats
        .proctor
        .put(app.url(&seats.path("/lecture")))
        .json(&json!({"lesson_id": lesson}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(res).await["fields"][0]["field"], "format");

    // B had credit today already: 100 s are left of the daily cap (480 min).
    let db = app.db().await;
    let day = qinxue_server::storage::study::day_key(qinxue_core::time::local_date(
        chrono::DateTime::from_timestamp(now(&app).await, 0).unwrap(),
    ));
    db.write(move |c| {
        Box::pin(async move {
            sqlx::query("INSERT INTO study_days (user_id, day, credited_secs) VALUES ($1, $2, $3)")
                .bind(b)
                .bind(day)
                .bind(480 * 60 - 100)
                .execute(c)
                .await?;
            Ok(())
        })
    })
    .await
    .unwrap();
    db.close().await;

    // The opening roll call: A and 王建国 (by his 身份证号) present, B not yet there.
    let rc1 = room.roll_call().await["id"].as_i64().unwrap();
    room.mark(rc1, a, true).await;
    let res = room
        .presence(rc1, json!({"id_number": DEMO_GRADED, "present": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    room.mark(rc1, b, false).await;
    // Bad input: nobody named, someone unpaid, someone of another region.
    let res = room.presence(rc1, json!({"present": true})).await;
    assert_eq!(error_of(res).await["fields"][0]["field"], "id_number");
    let res = room
        .presence(rc1, json!({"trainee_id": unpaid, "present": true}))
        .await;
    assert_eq!(error_of(res).await["code"], "not_enrolled");
    let res = room
        .presence(rc1, json!({"id_number": DEMO_UNGRADED, "present": true}))
        .await;
    assert_eq!(error_of(res).await["code"], "not_in_region");
    // A mark is final.
    let res = room
        .presence(rc1, json!({"trainee_id": a, "present": false}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "already_answered");
    let v = room.mark(rc1, a, true).await;
    assert_eq!(attendee(&v, a)["present"], true);
    assert_eq!(attendee(&v, b)["present"], false);

    // 601 s later (the opening roll call's 10 minutes are over) the next one.
    app.advance_clock(601).await;
    let rc2 = room.roll_call().await["id"].as_i64().unwrap();
    let res = room
        .presence(rc1, json!({"trainee_id": b, "present": true}))
        .await;
    assert_eq!(error_of(res).await["code"], "check_expired");
    let v = room.mark(rc2, a, true).await;
    assert_eq!(attendee(&v, a)["credited_secs"], 601.min(d));
    room.mark(rc2, wang, false).await;
    let v = room.mark(rc2, b, true).await;
    assert_eq!(
        attendee(&v, b)["credited_secs"],
        0,
        "absent at the opening roll call"
    );

    // The closing one, a lesson's length later: A reaches the lesson's nominal duration, B
    // the daily cap; 王建国 left after the first stretch was over and gets nothing.
    app.advance_clock(d + 100).await;
    let rc3 = room.roll_call().await["id"].as_i64().unwrap();
    room.mark(rc3, a, true).await;
    room.mark(rc3, b, true).await;
    let v = room.mark(rc3, wang, true).await;
    assert_eq!(attendee(&v, a)["credited_secs"], d);
    assert_eq!(attendee(&v, b)["credited_secs"], 100);
    assert_eq!(attendee(&v, wang)["credited_secs"], 0);
    assert_eq!(attendee(&v, wang)["present_count"], 2);

    // The server prompts the console with random roll calls, as for seats.
    app.advance_clock(600 + 15 * 60 + 1).await;
    let res = app
        .client()
        .post(app.url("/api/test/group-sessions/tick"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["roll_calls"], 1);
    let v = room.view().await;
    assert_eq!(v["roll_call"]["by_server"], true);

    // The credit is the ledger's: 王建国's year shows none, the attendance has it by source.
    let closed: Value = app
        .post(&room.proctor, &room.path("/close"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let rows = closed["attendance"].as_array().unwrap();
    let row = |id: i64| rows.iter().find(|r| r["trainee_id"] == id).unwrap().clone();
    assert_eq!(row(a)["by_source"]["lecture"], d);
    assert_eq!(row(a)["credited_secs"], d);
    assert_eq!(row(b)["by_source"]["lecture"], 100);
    assert_eq!(row(wang)["roll_calls_missed"], 1);
    let db = app.db().await;
    let credited: Vec<(i64, i64)> = db
        .write(move |c| {
            Box::pin(async move {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT user_id, credited_secs FROM lesson_progress WHERE lesson_id = $1 \
                     AND user_id IN ($2, $3) ORDER BY user_id",
                )
                .bind(lesson)
                .bind(a)
                .bind(b)
                .fetch_all(c)
                .await?;
                Ok(rows)
            })
        })
        .await
        .unwrap();
    db.close().await;
    assert_eq!(credited, [(a, d), (b, 100)]);
}

#[tokio::test]
async fn the_proctor_pushes_practice_to_every_seat_and_sees_the_answers_per_question() {
    let app = TestApp::spawn().await;
    freeze_clock_in_the_morning(&app).await;
    let (a, a_id_number) = trainee(&app, true).await;
    let (b, _) = trainee(&app, true).await;
    let room = Room::schedule(&app, |_| {}).await;
    let pin = room.open().await;
    let kiosk = room.seat(DEMO_GRADED, &pin).await;
    let kiosk_a = room.seat(&a_id_number, &pin).await;
    let seat_path = |rest: &str| format!("/api/rooms/{}{rest}", room.code);
    let res = app.get(&kiosk, &seat_path("/practice")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(res).await["message"], "监考员还没有发布练习");

    // The seat's event stream hears of the push.
    let res = app.get(&kiosk, &seat_path("/events")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut events = Events::new(res);
    let push = |body: Value| {
        let (app, path, proctor) = (room.app, room.path("/practice"), room.proctor.clone());
        async move { app.post(&proctor, &path, &body).await }
    };
    let res = push(json!({"question_ids": [987_654_321]})).await;
    assert_eq!(error_of(res).await["fields"][0]["field"], "question_ids");
    let res = push(json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    let practice = v["practice"]["id"].as_i64().unwrap();
    let questions = v["practice"]["questions"].as_array().unwrap().clone();
    assert!(questions.len() >= 2, "{v}");
    assert!(questions.iter().all(|q| q["answered"] == 0));
    let event = events.next().await;
    assert!(event.starts_with("event: practice"), "{event}");
    assert!(event.contains(&format!("\"id\":{practice}")), "{event}");

    // Seats answer through the practice rules: graded at once, once per question.
    let attempt: Value = app
        .get(&kiosk, &seat_path("/practice"))
        .await
        .json()
        .await
        .unwrap();
    let q1 = attempt["questions"][0]["id"].as_i64().unwrap();
    let q2 = attempt["questions"][1]["id"].as_i64().unwrap();
    let answer = |seat: &Client, q: i64, chosen: Value| {
        let (app, path, seat) = (room.app, seat_path("/practice/answers"), seat.clone());
        async move {
            app.post(&seat, &path, &json!({"question_id": q, "chosen": chosen}))
                .await
        }
    };
    let graded: Value = answer(&kiosk, q1, json!([0])).await.json().await.unwrap();
    assert!(
        graded["correct"].is_boolean() && graded["explanation"].is_string(),
        "{graded}"
    );
    let res = answer(&kiosk, q1, json!([0])).await;
    assert_eq!(error_of(res).await["code"], "already_answered");
    let res = answer(&kiosk_a, q1, json!([99])).await;
    assert_eq!(error_of(res).await["fields"][0]["field"], "chosen");
    let res = answer(&kiosk_a, q1, json!([1])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let right = [&graded, &res.json::<Value>().await.unwrap()]
        .iter()
        .filter(|g| g["correct"] == true)
        .count();

    // B answered on paper: the proctor records it (B sits nowhere).
    let paper = |body: Value| {
        let (app, path, proctor) = (
            room.app,
            room.path(&format!("/practice/{practice}/answers")),
            room.proctor.clone(),
        );
        async move { app.post(&proctor, &path, &body).await }
    };
    let res = paper(json!({"trainee_id": b, "question_id": q2, "chosen": [0]})).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = paper(json!({"id_number": DEMO_UNGRADED, "question_id": q2, "chosen": [0]})).await;
    assert_eq!(error_of(res).await["code"], "not_in_region");
    let res = app
        .post(
            &room.proctor,
            &room.path(&format!("/practice/{}/answers", practice + 1)),
            &json!({"trainee_id": b, "question_id": q2, "chosen": [0]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let v = room.view().await;
    let tally = |q: i64| {
        v["practice"]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["question_id"] == q)
            .cloned()
            .unwrap()
    };
    let first = tally(q1);
    assert_eq!(first["answered"], 2);
    assert_eq!(first["right"], right);
    assert_eq!(first["wrong"], 2 - right);
    assert_eq!(tally(q2)["answered"], 1);
    // Practice credits no study time.
    assert_eq!(room.seat_of(a).await["credited_secs"], 0);

    // Closing ends the seat's stream with why.
    app.post(&room.proctor, &room.path("/close"), &json!({}))
        .await;
    let mut last = events.next().await;
    while last.starts_with("event: ping") {
        last = events.next().await;
    }
    assert!(last.starts_with("event: ended"), "{last}");
    assert!(last.contains("room_closed"), "{last}");
}
