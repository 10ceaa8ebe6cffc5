//! Facts about the machine and CPU accounting, read from `/proc` (Linux only, like the
//! servers this runs on). A figure that cannot be read is reported as unknown, never guessed.

use std::sync::OnceLock;
use std::time::Duration;

/// What the figures were measured on.
#[derive(Debug, Clone)]
pub struct Facts {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory_mib: Option<u64>,
    pub kernel: String,
}

impl Facts {
    pub fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let memory_mib = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            })
            .map(|kib| kib / 1024);
        Self {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model,
            memory_mib,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "unknown".into()),
        }
    }
}

/// Kernel clock ticks per second (`getconf CLK_TCK`; 100 on every Linux this targets).
fn ticks_per_sec() -> u64 {
    static TICKS: OnceLock<u64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// User + system CPU time of a process and all its threads, from a `/proc/<pid>/stat` file.
pub fn process_cpu(stat_path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 1000 / ticks_per_sec()))
}

/// CPU time of process `pid` and of its children (PostgreSQL's postmaster: its backends, one
/// per connection, and its background workers are its children). A child that ended between
/// two readings takes its time with it; the servers' pooled connections live for the run.
pub fn process_tree_cpu(pid: u32) -> Option<Duration> {
    let mut total = process_cpu(&format!("/proc/{pid}/stat"))?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(child) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let path = format!("/proc/{child}/stat");
        if parent_of(&path) == Some(pid) {
            total += process_cpu(&path).unwrap_or_default();
        }
    }
    Some(total)
}

/// The parent pid of a process, from its `/proc/<pid>/stat` file.
fn parent_of(stat_path: &str) -> Option<u32> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    // After the name: state, then the parent's pid.
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time of this process (the load generator).
pub fn own_cpu() -> Option<Duration> {
    process_cpu("/proc/self/stat")
}

/// Busy (process) and total jiffies of the whole machine, summed over its CPUs.
#[derive(Debug, Clone, Copy)]
pub struct MachineTicks {
    busy: u64,
    total: u64,
}

impl MachineTicks {
    pub fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is already in user).
        // Busy means time charged to processes: interrupt time is not charged to any, and
        // here it is mostly the loopback traffic of the benchmark itself.
        let total: u64 = v.iter().take(8).sum();
        let busy = v.iter().take(3).sum();
        Some(Self { busy, total })
    }

    /// The share of all CPUs that was busy between `self` and `later`.
    pub fn busy_share_until(&self, later: &Self) -> f64 {
        let total = later.total.saturating_sub(self.total);
        if total == 0 {
            return 0.0;
        }
        later.busy.saturating_sub(self.busy) as f64 / total as f64
    }
}

/// Cores kept busy by everything on the machine over `window`; measured while the benchmark
/// and its server are idle, it is what other processes take.
pub async fn busy_cores(window: Duration, cpus: usize) -> Option<f64> {
    let before = MachineTicks::read()?;
    tokio::time::sleep(window).await;
    let after = MachineTicks::read()?;
    Some(before.busy_share_until(&after) * cpus as f64)
}
