//! The study-time ledger over HTTP: honest study earns its time; every way of cheating listed
//! in the study issue earns exactly nothing more. The clock is frozen and moved by the test,
//! so every assertion is on exact seconds.

use crate::helpers::{error_of, freeze_clock, lesson_of_kind, Learner, TestApp, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn setup(kind: &str) -> (TestApp, i64, i64) {
    let app = TestApp::spawn().await;
    freeze_clock(&app).await;
    let (lesson, duration) = lesson_of_kind(&app, kind).await;
    (app, lesson, duration)
}

#[tokio::test]
async fn honest_heartbeats_earn_their_intervals_and_show_in_the_year() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (credited, _) = me.study(s, 1, 3).await;
    assert_eq!(credited, 60);
    assert_eq!(me.year_secs().await, 60);
    let l: Value = app
        .get(&me.client, &format!("/api/lessons/{lesson}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["progress"]["credited_secs"], 60);
}

#[tokio::test]
async fn early_heartbeats_earn_nothing() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(5).await;
    let early = me.beat(s, 1, 0).await;
    assert_eq!(
        (early["credited_secs"].clone(), early["verdict"].clone()),
        (json!(0), json!("early"))
    );
    app.advance_clock(5).await;
    assert_eq!(me.beat(s, 2, 0).await["credited_secs"], 0);
    app.advance_clock(10).await;
    // The interval opened at the start closes once: 20 s, not 20 per heartbeat.
    assert_eq!(me.beat(s, 3, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, 20);
}

#[tokio::test]
async fn replayed_and_skipping_sequence_numbers_earn_nothing() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, 1, 0).await["credited_secs"], 20);
    app.advance_clock(20).await;
    for _ in 0..5 {
        let replay = me.beat(s, 1, 0).await;
        assert_eq!(
            (replay["credited_secs"].clone(), replay["verdict"].clone()),
            (json!(0), json!("replayed"))
        );
    }
    let skip = me.beat(s, 7, 0).await;
    assert_eq!(skip["verdict"], "out_of_sequence");
    assert_eq!(me.beat(s, 2, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, 40);
}

#[tokio::test]
async fn client_timestamps_are_ignored_and_a_long_gap_earns_at_most_thirty_seconds() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(200).await;
    let reply = me
        .beat_with(s, json!({"seq": 1, "visible": true, "position_secs": 0, "timestamp": "2020-01-01T00:00:00Z", "elapsed_secs": 200}))
        .await;
    assert_eq!(reply["credited_secs"], 30);
}

#[tokio::test]
async fn a_second_tab_ends_the_first_which_is_told_why() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let first = me.start(lesson).await;
    app.advance_clock(20).await;
    assert_eq!(me.beat(first, 1, 0).await["credited_secs"], 20);
    let second = me.start(lesson).await;
    app.advance_clock(20).await;
    let res = me
        .beat_raw(
            first,
            json!({"seq": 2, "visible": true, "position_secs": 0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let error = error_of(res).await;
    assert_eq!(error["code"], "session_ended");
    assert!(error["message"].as_str().unwrap().contains("其他"));
    assert_eq!(me.beat(second, 1, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, 40);
}

#[tokio::test]
async fn a_second_device_takes_over_and_only_one_earns() {
    let (app, lesson, _) = setup("text").await;
    let phone = Learner::demo(&app).await;
    let tablet = Learner::demo(&app).await;
    let on_phone = phone.start(lesson).await;
    let on_tablet = tablet.start(lesson).await;
    let mut phone_credit = 0;
    for seq in 1..=3 {
        app.advance_clock(20).await;
        let res = phone
            .beat_raw(
                on_phone,
                json!({"seq": seq, "visible": true, "position_secs": 0}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        if res.status() == StatusCode::OK {
            phone_credit += 1;
        }
        assert_eq!(tablet.beat(on_tablet, seq, 0).await["credited_secs"], 20);
    }
    assert_eq!(phone_credit, 0);
    assert_eq!(tablet.year_secs().await, 60);
}

#[tokio::test]
async fn a_hidden_page_earns_nothing_for_the_time_it_was_hidden() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, 1, 0).await["credited_secs"], 20);
    app.advance_clock(240).await;
    let hidden = me
        .beat_with(s, json!({"seq": 2, "visible": false, "position_secs": 0}))
        .await;
    assert_eq!(
        (hidden["credited_secs"].clone(), hidden["verdict"].clone()),
        (json!(0), json!("hidden"))
    );
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, 3, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, 40);
}

/// Beats every 20 s until a check arrives; returns (check, next seq, credited so far).
async fn until_check(me: &Learner<'_>, s: i64) -> (Value, i64, i64) {
    let mut credited = 0;
    for seq in 1..=60 {
        me.app.advance_clock(20).await;
        let reply = me.beat(s, seq, 0).await;
        credited += reply["credited_secs"].as_i64().unwrap();
        if !reply["check"].is_null() {
            return (reply["check"].clone(), seq + 1, credited);
        }
    }
    panic!("no check within 20 minutes");
}

#[tokio::test]
async fn a_check_comes_within_fifteen_minutes_and_a_right_answer_keeps_every_second() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (check, seq, before) = until_check(&me, s).await;
    assert!(
        (300..=900).contains(&before),
        "first check after {before} s"
    );
    assert_eq!(check["options"].as_array().unwrap().len(), 4);
    app.advance_clock(20).await;
    let held = me.beat(s, seq, 0).await;
    assert_eq!(
        (held["verdict"].clone(), held["credited_secs"].clone()),
        (json!("held"), json!(0))
    );
    let res = me.answer(&check, true).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["credited_secs"], 20);
    assert_eq!(me.year_secs().await, before + 20);
}

#[tokio::test]
async fn an_unanswered_check_stops_credit_until_a_later_one_is_answered() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (first, mut seq, before) = until_check(&me, s).await;
    // Three more heartbeats: 60 s held, then the window closes unanswered.
    let mut next_check = Value::Null;
    for _ in 0..4 {
        app.advance_clock(20).await;
        let reply = me.beat(s, seq, 0).await;
        seq += 1;
        assert_eq!(reply["credited_secs"], 0);
        next_check = reply["check"].clone();
    }
    assert_ne!(
        next_check["id"], first["id"],
        "a new check replaced the expired one"
    );
    let late = me.answer(&first, true).await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    app.advance_clock(20).await;
    let blocked = me.beat(s, seq, 0).await;
    seq += 1;
    assert_eq!(
        (blocked["verdict"].clone(), blocked["credited_secs"].clone()),
        (json!("blocked"), json!(0))
    );
    assert_eq!(me.answer(&next_check, true).await.status(), StatusCode::OK);
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, seq, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, before + 20);
}

#[tokio::test]
async fn a_wrong_answer_forfeits_the_held_time_and_blocks_until_the_next_check() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (check, mut seq, before) = until_check(&me, s).await;
    app.advance_clock(20).await;
    me.beat(s, seq, 0).await;
    seq += 1;
    let wrong = me.answer(&check, false).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(wrong).await["code"], "wrong_answer");
    app.advance_clock(20).await;
    let reply = me.beat(s, seq, 0).await;
    seq += 1;
    assert_eq!(reply["verdict"], "blocked");
    assert_eq!(
        me.answer(&reply["check"], true).await.status(),
        StatusCode::OK
    );
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, seq, 0).await["credited_secs"], 20);
    assert_eq!(me.year_secs().await, before + 20);
}

#[tokio::test]
async fn seeking_ahead_in_a_video_earns_only_real_time_and_completes_nothing() {
    let (app, lesson, duration) = setup("video").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    let jump = me.beat(s, 1, duration).await;
    assert_eq!(jump["credited_secs"], 20);
    assert_eq!(jump["furthest_secs"], 22);
    app.advance_clock(20).await;
    let at_end = me.beat(s, 2, duration).await;
    assert!(at_end["lesson_credited_secs"].as_i64().unwrap() <= 40);
    assert!(at_end["furthest_secs"].as_i64().unwrap() < duration.min(45));
}

#[tokio::test]
async fn fast_playback_earns_no_more_than_one_times_speed() {
    let (app, lesson, duration) = setup("video").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let mut position = 0;
    let mut seq = 1;
    let mut credited = 0;
    while position + 40 <= duration {
        app.advance_clock(20).await;
        position += 40;
        credited += me.beat(s, seq, position).await["credited_secs"]
            .as_i64()
            .unwrap();
        seq += 1;
    }
    assert_eq!(credited, 20 * (seq - 1));
    assert_eq!(me.year_secs().await, credited);
}

#[tokio::test]
async fn a_lesson_never_earns_more_than_its_length() {
    let (app, lesson, duration) = setup("video").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let mut position = 0;
    for seq in 1..=(duration / 20 + 5) {
        app.advance_clock(20).await;
        position = (position + 20).min(duration);
        let reply = me.beat(s, seq, position).await;
        if !reply["check"].is_null() {
            me.answer(&reply["check"], true).await;
        }
    }
    assert_eq!(me.year_secs().await, duration);
}

#[tokio::test]
async fn a_day_never_earns_more_than_480_minutes_and_the_next_shanghai_day_starts_afresh() {
    let (app, _, _) = setup("text").await;
    let courses: Vec<Value> = app
        .get(&app.client(), "/api/courses")
        .await
        .json()
        .await
        .unwrap();
    let lessons: Vec<(i64, i64)> = courses
        .iter()
        .flat_map(|c| c["lessons"].as_array().unwrap().iter())
        .filter(|l| l["kind"] == "text")
        .map(|l| {
            (
                l["id"].as_i64().unwrap(),
                l["duration_secs"].as_i64().unwrap(),
            )
        })
        .collect();
    // Start right after a Shanghai midnight (16:00 UTC), so the whole day is in one day.
    let now: Value = app.advance_clock(0).await;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let to_midnight = (16 * 3600 - now.rem_euclid(86_400)).rem_euclid(86_400) + 1;
    app.advance_clock(to_midnight).await;
    let me = Learner::demo(&app).await;
    let mut total = 0;
    let mut lessons = lessons.into_iter();
    while total < 480 * 60 + 600 {
        let (lesson, duration) = lessons.next().expect("enough text lessons for a day");
        let s = me.start(lesson).await;
        let (credited, _) = me.study(s, 1, duration / 20).await;
        total += duration;
        assert!(credited <= duration);
    }
    assert_eq!(me.year_secs().await, 480 * 60);
    let (lesson, _) = lessons.next().unwrap();
    // About 8.5 h of the day are gone; 16 h more is past the next Shanghai midnight.
    app.advance_clock(16 * 3600).await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (credited, _) = me.study(s, 1, 3).await;
    assert_eq!(credited, 60, "a new Shanghai day has its own 480 minutes");
}

#[tokio::test]
async fn someone_elses_session_and_unknown_sessions_are_not_found() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let body = registration_client(&app).await;
    app.advance_clock(20).await;
    for path in [
        format!("/api/study/sessions/{s}/heartbeat"),
        "/api/study/sessions/999999/heartbeat".into(),
        "/api/study/sessions/abc/heartbeat".into(),
    ] {
        let res = app
            .post(
                &body,
                &path,
                &json!({"seq": 1, "visible": true, "position_secs": 0}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        error_of(res).await;
    }
    assert_eq!(
        me.beat(s, 1, 0).await["credited_secs"],
        20,
        "the owner's session was not touched"
    );
}

/// A new trainee's signed-in browser (registered, not enrolled).
async fn registration_client(app: &TestApp) -> reqwest::Client {
    let client = app.client();
    let res = app
        .post(
            &client,
            "/api/auth/register",
            &crate::helpers::registration(app.some_unit_id().await, "junior"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    client
}

#[tokio::test]
async fn bad_heartbeats_are_refused_and_credit_nothing() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    for (body, status, field) in [
        (
            json!({"seq": 1, "visible": true, "position_secs": -5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "position_secs",
        ),
        (
            json!({"seq": 1, "visible": true, "position_secs": 99_999_999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "position_secs",
        ),
        (
            json!({"seq": 0, "visible": true, "position_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "seq",
        ),
        (
            json!({"seq": -3, "visible": true, "position_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "seq",
        ),
        (
            json!({"visible": true, "position_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "seq",
        ),
        (
            json!({"seq": 1, "visible": "yes", "position_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "visible",
        ),
        (
            json!({"seq": 1.5, "visible": true, "position_secs": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "seq",
        ),
    ] {
        let res = me.beat_raw(s, body.clone()).await;
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(
            crate::helpers::fields_of(&error_of(res).await),
            [field],
            "{body}"
        );
    }
    assert_eq!(me.year_secs().await, 0);
    assert_eq!(
        me.beat(s, 1, 0).await["credited_secs"],
        20,
        "the refused heartbeats used no sequence number"
    );
}

#[tokio::test]
async fn only_enrolled_trainees_may_study() {
    let (app, lesson, _) = setup("text").await;
    // A newcomer who has not paid (林晓梅 has not paid either, but owes last year, which she
    // may study for: tests/api/completion.rs).
    let unit = app.some_unit_id().await;
    let unpaid = crate::helpers::client_with_cookie(
        &crate::helpers::register_trainee(&app, unit, "ungraded").await,
    );
    let res = app
        .post(
            &unpaid,
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(res).await["code"], "not_enrolled");
    let admin = app.login_as("province-admin", DEMO_PASSWORD).await;
    let res = app
        .post(&admin, "/api/study/sessions", &json!({"lesson_id": lesson}))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .post(
            &app.client(),
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let me = Learner::demo(&app).await;
    let res = app
        .post(
            &me.client,
            "/api/study/sessions",
            &json!({"lesson_id": 987_654}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn after_the_study_deadline_nothing_is_credited() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let me_info: Value = app.get(&me.client, "/api/me").await.json().await.unwrap();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(me_info["year"]["study_deadline"].as_str().unwrap())
            .unwrap();
    let now: Value = app.advance_clock(0).await;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap()).unwrap();
    app.advance_clock((deadline - now).num_seconds() + 1).await;
    let me = Learner {
        app: &app,
        client: app
            .login_as(crate::helpers::DEMO_GRADED, DEMO_PASSWORD)
            .await,
    };
    let res = me
        .beat_raw(s, json!({"seq": 1, "visible": true, "position_secs": 0}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(error_of(res).await["code"], "study_closed");
}

#[tokio::test]
async fn closing_the_page_credits_the_last_interval_and_resumes_where_it_left_off() {
    let (app, lesson, duration) = setup("video").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    app.advance_clock(20).await;
    me.beat(s, 1, 20).await;
    app.advance_clock(17).await;
    let res = app
        .post(
            &me.client,
            &format!("/api/study/sessions/{s}/end"),
            &json!({"last": {"seq": 2, "visible": true, "position_secs": 37}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = me
        .beat_raw(s, json!({"seq": 3, "visible": true, "position_secs": 40}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let l: Value = app
        .get(&me.client, &format!("/api/lessons/{lesson}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        l["progress"],
        json!({"credited_secs": 37, "furthest_secs": 37, "position_secs": 37})
    );
    assert!(duration > 37);
    // Another device picks up there.
    let tablet = Learner::demo(&app).await;
    let body: Value = app
        .post(
            &tablet.client,
            "/api/study/sessions",
            &json!({"lesson_id": lesson}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["progress"]["position_secs"], 37);
}

/// Signs in without a cookie jar; returns the session cookie to send by hand.
async fn cookie_of(app: &TestApp) -> String {
    let res = app
        .post(
            &app.client(),
            "/api/auth/login",
            &json!({"login": crate::helpers::DEMO_GRADED, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Heartbeats check the sign-in from memory (auth::sign_ins): a logout or an expiry must still
/// stop them at once.
#[tokio::test]
async fn heartbeats_with_a_signed_out_or_expired_cookie_are_refused_at_once() {
    let (app, lesson, _) = setup("text").await;
    let plain = reqwest::Client::new();
    let send = |cookie: &str, path: &str, body: Value| {
        plain
            .post(app.url(path))
            .header("cookie", cookie.to_owned())
            .json(&body)
            .send()
    };
    for sign_out in [true, false] {
        let cookie = cookie_of(&app).await;
        let res = send(&cookie, "/api/study/sessions", json!({"lesson_id": lesson}))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let s = res.json::<Value>().await.unwrap()["session_id"]
            .as_i64()
            .unwrap();
        let beat = format!("/api/study/sessions/{s}/heartbeat");
        app.advance_clock(20).await;
        let res = send(
            &cookie,
            &beat,
            json!({"seq": 1, "visible": true, "position_secs": 0}),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        if sign_out {
            let res = send(&cookie, "/api/auth/logout", json!({})).await.unwrap();
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
            app.advance_clock(20).await;
        } else {
            // Unused for longer than a sign-in lasts.
            app.advance_clock(12 * 3600 + 1).await;
        }
        let res = send(
            &cookie,
            &beat,
            json!({"seq": 2, "visible": true, "position_secs": 0}),
        )
        .await
        .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "sign_out {sign_out}"
        );
    }
}

/// A live session remembered by the heartbeat writer is read again at Shanghai midnight (its
/// day's credit handed over): its lesson credit goes on, and every read agrees with the replies.
#[tokio::test]
async fn a_session_goes_on_across_shanghai_midnight() {
    let (app, lesson, _) = setup("text").await;
    let now: Value = app.advance_clock(0).await;
    let now = chrono::DateTime::parse_from_rfc3339(now["now"].as_str().unwrap())
        .unwrap()
        .timestamp();
    // 45 s before a Shanghai midnight (16:00 UTC).
    let to_midnight = (16 * 3600 - now.rem_euclid(86_400)).rem_euclid(86_400);
    app.advance_clock(to_midnight + 86_400 - 45).await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (before, _) = me.study(s, 1, 2).await;
    assert_eq!(before, 40);
    app.advance_clock(20).await;
    let after = me.beat(s, 3, 0).await;
    assert_eq!(after["credited_secs"], 20);
    assert_eq!(after["lesson_credited_secs"], 60);
    assert_eq!(after["year_credited_secs"], 60);
    assert_eq!(me.year_secs().await, 60);
    let res = app
        .post(
            &me.client,
            &format!("/api/study/sessions/{s}/end"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(me.year_secs().await, 60);
    let l: Value = app
        .get(&me.client, &format!("/api/lessons/{lesson}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(l["progress"]["credited_secs"], 60);
}

#[tokio::test]
async fn the_writer_counts_an_answer_in_the_next_replies_and_in_either_order_beside_a_heartbeat() {
    let (app, lesson, _) = setup("text").await;
    let me = Learner::demo(&app).await;
    let s = me.start(lesson).await;
    let (check, mut seq, mut total) = until_check(&me, s).await;
    app.advance_clock(20).await;
    assert_eq!(me.beat(s, seq, 0).await["verdict"], "held");
    let res = me.answer(&check, true).await;
    assert_eq!(res.json::<Value>().await.unwrap()["credited_secs"], 20);
    total += 20;
    // The released seconds are in the session the writer keeps: the next reply counts them.
    let mut check = Value::Null;
    while check.is_null() {
        seq += 1;
        app.advance_clock(20).await;
        let reply = me.beat(s, seq, 0).await;
        total += reply["credited_secs"].as_i64().unwrap();
        assert_eq!(reply["year_credited_secs"], total);
        assert_eq!(reply["lesson_credited_secs"], total);
        check = reply["check"].clone();
    }
    // Sent at once, an answer and the next heartbeat may reach the writer in either order, in
    // one batch or two: a heartbeat before the answer holds its 20 s and the answer releases
    // them; after the answer it earns them at once.
    seq += 1;
    app.advance_clock(20).await;
    let (answered, beat) = tokio::join!(
        me.answer(&check, true),
        me.beat_raw(s, json!({"seq": seq, "visible": true, "position_secs": 0}))
    );
    assert_eq!(answered.status(), StatusCode::OK);
    assert_eq!(beat.status(), StatusCode::OK);
    let answered: Value = answered.json().await.unwrap();
    let beat: Value = beat.json().await.unwrap();
    assert_eq!(
        answered["credited_secs"].as_i64().unwrap() + beat["credited_secs"].as_i64().unwrap(),
        20
    );
    total += 20;
    assert_eq!(me.year_secs().await, total);
    app.advance_clock(20).await;
    let next = me.beat(s, seq + 1, 0).await;
    assert_eq!(next["year_credited_secs"], total + 20);
    assert_eq!(me.year_secs().await, total + 20);
}
