//! Starts the Qinxue server with the configuration of the environment (DESIGN.md §7), or,
//! with `backup <folder>` / `restore <folder>`, copies its data out or back (README "Backup and
//! restore", `qinxue_server::backup`).

use qinxue_server::backup;
use qinxue_server::config::Config;
use qinxue_server::seed::{DEMO_LOGINS, DEMO_PASSWORD, DEMO_ROOM_CODE};
use qinxue_server::Application;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.as_slice() {
        [] => run().await,
        [command, folder] if command == "backup" || command == "restore" => {
            copy(command, std::path::Path::new(folder)).await
        }
        _ => Err("usage: qinxue-server [backup <folder> | restore <folder>]".into()),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qinxue-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let demo = config.demo;
    let app = Application::build(config).await?;
    println!("勤学 Qinxue is running at http://{}/", app.local_addr());
    if demo {
        if app.seeded_demo() {
            println!("Demo data was written into the new database.");
        }
        println!("Demo accounts (password {DEMO_PASSWORD}):");
        for (login, what) in DEMO_LOGINS {
            println!("  {login:<20} {what}");
        }
        println!(
            "Demo group session (鲤城区, run by proctor-demo): terminals open http://{}/room/{DEMO_ROOM_CODE}",
            app.local_addr()
        );
    }
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

/// `backup` or `restore` with the data folder and database of the environment.
async fn copy(command: &str, folder: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let copied = if command == "backup" {
        backup::backup(&config, folder).await?
    } else {
        backup::restore(&config, folder).await?
    };
    println!(
        "{command}: database {} bytes (integrity check ok), {} media files, signing key {}",
        copied.database_bytes,
        copied.media_files,
        if copied.key { "copied" } else { "absent" }
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
