//! `qinxue-crash` (`scripts/crash-test.sh`): kills the release server with SIGKILL at random
//! moments under mixed load and checks afterwards that nothing acknowledged was lost or
//! counted twice (issue 13, item 2).
//!
//! The server runs on the demo data (`QINXUE_DEMO=1`) and pays through the real simulator,
//! `qinxue-paysim`, as a separate process that is never killed: it is the other side's
//! record of which orders were paid. The load ([`load`]) is many learners sending heartbeats
//! every 20 s and answering their checks, trainees registering and paying, and an office
//! admin filing activities. Everything the server acknowledged is recorded; after the last
//! restart the server is stopped in order and the database is checked against that record
//! ([`verify`]).
//!
//! On PostgreSQL (`--database-url`), one of the kills also stops PostgreSQL itself with
//! `pg_ctl stop -m immediate` (the commands come from the script, which owns the cluster).

mod load;
mod verify;

use load::{Load, Record};
use qinxue_bench::server::{free_port, Server};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "\
usage: qinxue-crash [options]
  --learners N          learners sending heartbeats throughout (300)
  --kills N             SIGKILLs of the server (20)
  --database-url URL    PostgreSQL instead of SQLite (an empty database)
  --pg-stop CMD         shell command that stops PostgreSQL with -m immediate (with --database-url)
  --pg-start CMD        shell command that starts it again
  --repo PATH           repository root, for content/ (this crate's parent); the server and the
                        simulator are the release binaries beside this one";

/// The secret the server and the simulator share in this test.
const PAY_SECRET: &str = "crash-test-secret";

#[derive(Debug, Clone)]
struct Args {
    learners: usize,
    kills: usize,
    database_url: Option<String>,
    pg_stop: Option<String>,
    pg_start: Option<String>,
    repo: PathBuf,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut a = Args {
            learners: 300,
            kills: 20,
            database_url: None,
            pg_stop: None,
            pg_start: None,
            repo: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default(),
        };
        while let Some(flag) = it.next() {
            if flag == "-h" || flag == "--help" {
                return Err(USAGE.into());
            }
            let value = it
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            let number = |v: &str| {
                v.parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("{flag}: expected a positive number, got {v:?}"))
            };
            match flag.as_str() {
                "--learners" => a.learners = number(&value)?,
                "--kills" => a.kills = number(&value)?,
                "--database-url" => a.database_url = Some(value),
                "--pg-stop" => a.pg_stop = Some(value),
                "--pg-start" => a.pg_start = Some(value),
                "--repo" => a.repo = value.into(),
                other => return Err(format!("unknown option {other}\n{USAGE}")),
            }
        }
        if a.database_url.is_some() != (a.pg_stop.is_some() && a.pg_start.is_some()) {
            return Err(format!(
                "--database-url goes with --pg-stop and --pg-start\n{USAGE}"
            ));
        }
        Ok(a)
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qinxue-crash: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(&args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("qinxue-crash: {e}");
            ExitCode::from(2)
        }
    }
}

/// The simulator process; killed when dropped.
struct PaySim {
    child: Child,
    base: String,
}

impl PaySim {
    fn start(bin: &Path, log: &Path) -> std::io::Result<Self> {
        let addr = free_port()?;
        let out = std::fs::File::create(log)?;
        let child = Command::new(bin)
            .env("PAYSIM_ADDR", addr.to_string())
            .env("PAYSIM_SECRET", PAY_SECRET)
            // Quick retries, so that a notification that met a dead server arrives soon
            // after the restart; the server's reconciliation catches what they miss.
            .env("PAYSIM_RETRY_SCHEDULE", "0.5,1,2,4,8,16")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", bin.display())))?;
        Ok(Self {
            child,
            base: format!("http://{addr}"),
        })
    }
}

impl Drop for PaySim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How to start the server again and again on the same address and data.
struct Launcher {
    bin: PathBuf,
    data: PathBuf,
    static_dir: PathBuf,
    addr: SocketAddr,
    env: Vec<(&'static str, String)>,
}

impl Launcher {
    async fn start(&self, http: &reqwest::Client) -> Result<Server, BoxError> {
        let mut server = Server::start_on(
            &self.bin,
            &self.data,
            &self.static_dir,
            self.addr,
            &self.env,
        )?;
        let health = format!("http://{}/api/health", self.addr);
        for _ in 0..600 {
            if let Some(status) = server.exited() {
                return Err(format!("the server exited ({status}):\n{}", server.log_tail()).into());
            }
            if http
                .get(&health)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the server did not answer in 30 s:\n{}", server.log_tail()).into())
    }
}

/// A random number below `n`, from the OS.
pub fn below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::getrandom(&mut b).expect("the OS has randomness");
    u64::from_le_bytes(b) % n.max(1)
}

fn shell(cmd: &str) -> Result<(), BoxError> {
    let status = Command::new("sh").args(["-c", cmd]).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{cmd}` failed ({status})").into())
    }
}

async fn run(args: &Args) -> Result<bool, BoxError> {
    // The server and the simulator are built beside this binary (`cargo build --release`).
    let release = std::env::current_exe()?
        .parent()
        .map(PathBuf::from)
        .ok_or("this binary has no folder")?;
    let data = tempfile::Builder::new().prefix("qinxue-crash-").tempdir()?;
    let sim = PaySim::start(
        &release.join("qinxue-paysim"),
        &data.path().join("paysim.log"),
    )?;
    let addr = free_port()?;
    let mut env = vec![
        ("QINXUE_DEMO", "1".to_owned()),
        (
            "QINXUE_CONTENT_DIR",
            args.repo.join("content").display().to_string(),
        ),
        ("QINXUE_PAY_URL", sim.base.clone()),
        ("QINXUE_PAY_SECRET", PAY_SECRET.to_owned()),
        ("QINXUE_PUBLIC_URL", format!("http://{addr}")),
        ("QINXUE_RECONCILE_SECS", "5".to_owned()),
    ];
    if let Some(url) = &args.database_url {
        env.push(("QINXUE_DATABASE_URL", url.clone()));
    }
    let launcher = Launcher {
        bin: release.join("qinxue-server"),
        data: data.path().to_owned(),
        static_dir: args.repo.join("dist"),
        addr,
        env,
    };
    let database = if args.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "crash test on {database}: {} learners, {} kills, server on http://{addr}/, \
         simulator on {}, data in {}, {} CPUs",
        args.learners,
        args.kills,
        sim.base,
        data.path().display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let http = reqwest::Client::new();
    let mut server = launcher.start(&http).await?;
    let record = Arc::new(Record::default());
    let preparing = std::time::Instant::now();
    let load = Load::prepare(
        format!("http://{addr}"),
        sim.base.clone(),
        args.learners,
        record.clone(),
    )
    .await?;
    println!(
        "prepared in {:.0} s: {} learners paid for and studying lesson {} ({} s long)",
        preparing.elapsed().as_secs_f64(),
        load.learners(),
        load.lesson_id(),
        load.lesson_secs()
    );
    let running = load.run();

    // The PostgreSQL kill comes in the middle, when the load is in full swing.
    let pg_kill_at = args.kills / 2;
    for kill in 0..args.kills {
        // 1 to 16 s: sometimes two kills fall within one heartbeat period of a learner,
        // sometimes none.
        let wait = Duration::from_millis(1_000 + below(15_000));
        tokio::time::sleep(wait).await;
        server.kill()?;
        record.crashed();
        if kill == pg_kill_at {
            if let (Some(stop), Some(start)) = (&args.pg_stop, &args.pg_start) {
                shell(stop)?;
                println!("kill {}: PostgreSQL stopped with -m immediate", kill + 1);
                shell(start)?;
            }
        }
        server = launcher.start(&http).await?;
        println!(
            "kill {:>2} after {:>4.1} s: restarted",
            kill + 1,
            wait.as_secs_f64()
        );
    }
    // Two more heartbeat periods, so that every learner is heard after the last restart and
    // every notification and reconciliation has landed.
    tokio::time::sleep(load::HEARTBEAT * 2).await;
    running.stop().await;
    load.settle_orders().await;
    let status = server.terminate()?;
    println!("server stopped with SIGTERM: {status}");

    let outcome = verify::verify(
        args.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}",
                data.path()
                    .join(qinxue_server::storage::SQLITE_FILE)
                    .display()
            )
        }),
        &record,
        args.kills,
        load.lesson_secs(),
    )
    .await?;
    Ok(outcome)
}
