//! `qinxue-server backup` and `restore` (issue 13): a backup taken from the live binary under
//! load restores into a working server that holds every heartbeat answered before the backup
//! began; `restore` refuses to run over a live server.

use crate::shutdown::{beat, open_text_lesson, sign_in, year_secs, Server};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn tool(command: &str, data: &Path, folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qinxue-server"))
        .args([command, &folder.display().to_string()])
        .env("QINXUE_DATA", data)
        .env_remove("QINXUE_DATABASE_URL")
        .output()
        .expect("the server binary runs")
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
    let load = {
        let (learner, url) = (learner.clone(), url.clone());
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
    };
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
