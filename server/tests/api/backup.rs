//! `qinxue-server backup` and `restore` (issue 13): a backup taken from the live binary under
//! load restores into a working server that holds every heartbeat answered before the backup
//! began; `restore` refuses to run over a live server. On PostgreSQL the same holds for the
//! `pg_dump` and `pg_restore` that OPERATIONS.md documents, and `backup` refuses.

use crate::shutdown::{beat, open_text_lesson, postgres_database, sign_in, year_secs, Server};
use reqwest::Client;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use tokio::task::JoinHandle;

fn tool(command: &str, data: &Path, folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qinxue-server"))
        .args([command, &folder.display().to_string()])
        .env("QINXUE_DATA", data)
        .env_remove("QINXUE_DATABASE_URL")
        .output()
        .expect("the server binary runs")
}

/// Heartbeats 11 to 40 of `session` in the background; the seconds their answers credited.
fn beats_after_ten(learner: &Client, url: &str, session: i64) -> JoinHandle<i64> {
    let (learner, url) = (learner.clone(), url.to_owned());
    tokio::spawn(async move {
        let mut more = 0;
        for seq in 11..=40 {
            match beat(&learner, &url, session, seq).await {
                Some(c) => more += c,
                None => break,
            }
        }
        more
    })
}

#[tokio::test]
async fn a_backup_taken_under_load_restores_into_a_working_server() {
    let live = tempfile::tempdir().unwrap();
    let copies = tempfile::tempdir().unwrap();
    let backup_dir = copies.path().join("backup");
    let mut server = Server::start(live.path());
    let url = server.url.clone();
    let learner = sign_in(&url).await;
    let before = year_secs(&learner, &url).await;
    let session = open_text_lesson(&learner, &url).await;
    let mut answered = 0;
    for seq in 1..=10 {
        answered += beat(&learner, &url, session, seq).await.expect("answered");
    }

    // The backup runs while heartbeats go on.
    let load = beats_after_ten(&learner, &url, session);
    let made = {
        let (data, dest) = (live.path().to_owned(), backup_dir.clone());
        tokio::task::spawn_blocking(move || tool("backup", &data, &dest))
            .await
            .unwrap()
    };
    let later = load.await.unwrap();
    let said = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(said.contains("integrity check ok"), "{said}");
    assert!(said.contains("signing key copied"), "{said}");

    // Over the live server: refused, and nothing of its folder touched.
    let refused = tool("restore", live.path(), &backup_dir);
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("a server is running"), "{why}");
    server.terminate();
    server.wait(Duration::from_secs(10));

    let restored = tempfile::tempdir().unwrap();
    let done = tool("restore", restored.path(), &backup_dir);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let server = Server::start(restored.path());
    let learner = sign_in(&server.url).await;
    let stored = year_secs(&learner, &server.url).await - before;
    println!(
        "backup: {answered} s answered before it, {later} s during it; {stored} s restored; {said}"
    );
    assert!(
        stored >= answered,
        "answered {answered} s before the backup, restored {stored} s"
    );
    assert!(
        stored <= answered + later,
        "restored {stored} s, more than was ever answered"
    );
}

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} runs (scripts/with-postgres.sh puts it on PATH): {e}")
        })
}

#[tokio::test]
async fn on_postgresql_a_pg_dump_taken_under_load_restores_into_a_working_server() {
    let Some(live_db) = postgres_database().await else {
        return; // SQLite: the test above.
    };
    let live = tempfile::tempdir().unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_qinxue-server"))
        .args(["backup", &live.path().join("backup").display().to_string()])
        .env("QINXUE_DATA", live.path())
        .env("QINXUE_DATABASE_URL", &live_db)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("pg_dump"), "{why}");

    let mut server = Server::start_on(live.path(), Some(&live_db));
    let url = server.url.clone();
    let learner = sign_in(&url).await;
    let before = year_secs(&learner, &url).await;
    let session = open_text_lesson(&learner, &url).await;
    let mut answered = 0;
    for seq in 1..=10 {
        answered += beat(&learner, &url, session, seq).await.expect("answered");
    }
    let load = beats_after_ten(&learner, &url, session);
    let dump = live.path().join("qinxue.dump");
    let dump_arg = dump.display().to_string();
    let made = {
        let (db, file) = (live_db.clone(), dump_arg.clone());
        tokio::task::spawn_blocking(move || {
            run("pg_dump", &["--format=custom", "--file", &file, &db])
        })
        .await
        .unwrap()
    };
    let later = load.await.unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    server.terminate();
    server.wait(Duration::from_secs(10));

    let restored_db = postgres_database().await.expect("on PostgreSQL");
    let restored = run(
        "pg_restore",
        &["--no-owner", "--dbname", &restored_db, &dump_arg],
    );
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let folder = tempfile::tempdir().unwrap();
    let server = Server::start_on(folder.path(), Some(&restored_db));
    let learner = sign_in(&server.url).await;
    let stored = year_secs(&learner, &server.url).await - before;
    println!("pg_dump: {answered} s answered before it, {later} s during it; {stored} s restored");
    assert!(
        stored >= answered,
        "answered {answered} s before pg_dump, restored {stored} s"
    );
    assert!(
        stored <= answered + later,
        "restored {stored} s, more than was ever answered"
    );
}
