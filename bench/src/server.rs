//! The server under test: the release binary in its own process, as in production, so that
//! its CPU time and memory are its own and the load generator's cost is not counted in them.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `qinxue-server`; killed when dropped, on every way out of the benchmark.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts `bin` on a free loopback port with `data_dir` as its data folder.
    pub fn start(bin: &Path, data_dir: &Path, static_dir: &Path) -> std::io::Result<Self> {
        Self::start_on(bin, data_dir, static_dir, free_port()?, &[])
    }

    /// Starts `bin` listening on `addr`, with production settings except the variables in
    /// `env` (the crash test restarts it on the same address, on its demo data, paying
    /// through the simulator). Its output is appended to `server.log` in `data_dir`, so that
    /// the log of every run before a crash is kept.
    pub fn start_on(
        bin: &Path,
        data_dir: &Path,
        static_dir: &Path,
        addr: SocketAddr,
        env: &[(&str, String)],
    ) -> std::io::Result<Self> {
        let log = data_dir.join("server.log");
        let out = File::options().create(true).append(true).open(&log)?;
        let mut command = Command::new(bin);
        command
            .env("QINXUE_DATA", data_dir)
            .env("QINXUE_ADDR", addr.to_string())
            .env("QINXUE_STATIC_DIR", static_dir)
            // Production settings: whatever the caller's shell has must not change them.
            .env_remove("QINXUE_DEMO")
            .env_remove("QINXUE_TEST_CLOCK")
            .env_remove("QINXUE_DATABASE_URL")
            .env_remove("RUST_LOG");
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", bin.display())))?;
        Ok(Self { child, addr, log })
    }

    /// SIGKILL, as a power cut or the OOM killer would end it: nothing is flushed or closed.
    pub fn kill(mut self) -> std::io::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// SIGTERM, and waits for the process to end: the orderly stop of `systemctl stop`.
    pub fn terminate(mut self) -> std::io::Result<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        if !sent.success() {
            return Err(std::io::Error::other("kill -TERM failed"));
        }
        self.child.wait()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has already ended (it should not, before it is killed).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The server's own output, for an error message.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Peak resident memory so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        status_field(self.pid(), "VmHWM:")
    }

    /// CPU time used so far by all of the server's threads.
    pub fn cpu_time(&self) -> Option<Duration> {
        crate::machine::process_cpu(&format!("/proc/{}/stat", self.pid()))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGKILL: the database is thrown away with its folder, so there is nothing to close.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on. Another process could take it before the server binds
/// it; the server then fails to start and says so, which is good enough for a benchmark.
pub fn free_port() -> std::io::Result<SocketAddr> {
    let probe = TcpListener::bind("127.0.0.1:0")?;
    probe.local_addr()
}

fn status_field(pid: u32, name: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}
