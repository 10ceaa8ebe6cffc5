//! Several server instances on one PostgreSQL database (DESIGN.md §5). On SQLite the database
//! belongs to one server (its data folder is locked), so these tests run under
//! `scripts/with-postgres.sh` and pass trivially without it.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn two_instances_started_at_once_seed_the_demo_once() {
    let Some([(first, seeded_first), (second, seeded_second)]) =
        TestApp::start_twins(Options::default()).await
    else {
        return;
    };
    assert!(
        seeded_first && !seeded_second,
        "exactly one instance seeds an empty database"
    );
    for app in [&first, &second] {
        let client = app.login_as(DEMO_GRADED, DEMO_PASSWORD).await;
        let res = app.get(&client, "/api/me").await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let units: serde_json::Value = second
        .get(&second.client(), "/api/units")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = units
        .as_array()
        .expect("a list of units")
        .iter()
        .filter_map(|u| u["name"].as_str())
        .collect();
    let mut distinct = names.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        names.len(),
        distinct.len(),
        "no unit seeded twice: {names:?}"
    );
}

/// Who holds each background job's lease now, by job.
async fn lease_holders(app: &TestApp) -> Vec<(String, String)> {
    let db = app.db().await;
    let rows = db
        .write(|c| {
            Box::pin(async move {
                Ok(sqlx::query_as::<_, (String, String)>(
                    "SELECT job, holder FROM job_leases ORDER BY job",
                )
                .fetch_all(c)
                .await?)
            })
        })
        .await
        .expect("leases read");
    db.close().await;
    rows
}

/// The leases once `done` holds of them, read every 250 ms for at most 20 s (each instance
/// looks at its leases at least every quarter of a lease, 15 s).
async fn leases_once(
    app: &TestApp,
    what: &str,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Vec<(String, String)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let held = lease_holders(app).await;
        if done(&held) {
            return held;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {held:?}");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn each_background_job_runs_on_one_instance_and_moves_when_it_stops() {
    let Some([(first, _), (second, _)]) = TestApp::start_twins(Options::default()).await else {
        return;
    };
    // A holder names its instance's address.
    let of = |app: &TestApp, holder: &str| holder.starts_with(&format!("{} ", app.base));
    let held = leases_once(&first, "every job is held", |held| held.len() == 4).await;
    let jobs: Vec<&str> = held.iter().map(|(job, _)| job.as_str()).collect();
    assert_eq!(
        jobs,
        [
            "group_sessions",
            "housekeeping",
            "reconciliation",
            "reminders"
        ]
    );
    assert!(held.iter().all(|(_, h)| of(&first, h) || of(&second, h)));
    // Stop the one that runs the group sessions: it gives its leases up, and the other
    // instance takes each at its next look.
    let (mut going, staying) = if of(&first, &held[0].1) {
        (first, second)
    } else {
        (second, first)
    };
    going.stop().await;
    leases_once(&staying, "the jobs move to the instance left", |held| {
        held.len() == 4 && held.iter().all(|(_, h)| of(&staying, h))
    })
    .await;
}

#[tokio::test]
async fn a_lease_is_taken_once_renewed_by_its_holder_and_taken_over_when_it_expires() {
    let app = TestApp::spawn().await;
    let db = app.db().await;
    let steps = db
        .write(|c| {
            Box::pin(async move {
                use qinxue_server::storage::leases::take;
                Ok([
                    take(&mut *c, "test-job", "a", 100, 160).await?,
                    take(&mut *c, "test-job", "b", 120, 180).await?,
                    take(&mut *c, "test-job", "a", 130, 190).await?,
                    take(&mut *c, "test-job", "b", 189, 249).await?,
                    take(&mut *c, "test-job", "b", 190, 250).await?,
                    take(&mut *c, "test-job", "a", 200, 260).await?,
                ])
            })
        })
        .await
        .expect("leases written");
    db.close().await;
    assert_eq!(steps, [true, false, true, false, true, false]);
}

#[tokio::test]
async fn a_logout_on_one_instance_holds_on_the_other_within_a_second() {
    let Some([(first, _), (second, _)]) = TestApp::start_twins(Options::default()).await else {
        return;
    };
    let cookie = session_cookie(&first, DEMO_GRADED, DEMO_PASSWORD).await;
    let client = client_with_cookie(&cookie);
    let (lesson, _) = lesson_of_kind(&first, "text").await;
    let session = Learner {
        app: &first,
        client: client.clone(),
    }
    .start(lesson)
    .await;
    // The other instance remembers the sign-in after its first heartbeat.
    let on_second = Learner {
        app: &second,
        client: client.clone(),
    };
    let beat = |seq: i64| json!({"seq": seq, "visible": true, "position_secs": 0});
    let res = on_second.beat_raw(session, beat(1)).await;
    assert_ne!(res.status(), StatusCode::UNAUTHORIZED);
    let res = first.post(&client, "/api/auth/logout", &json!({})).await;
    assert!(res.status().is_success(), "logout: {}", res.status());
    let logged_out = std::time::Instant::now();
    let mut seq = 2;
    loop {
        let res = on_second.beat_raw(session, beat(seq)).await;
        if res.status() == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            logged_out.elapsed() < std::time::Duration::from_secs(1),
            "the other instance still accepts the ended sign-in: {}",
            res.status()
        );
        seq += 1;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
