//! The background jobs: payment reconciliation, reminders, group sessions' due work (roll
//! calls, closing) and housekeeping. Several instances may serve one PostgreSQL database
//! (DESIGN.md §5); each job runs on one of them at a time, the one holding its lease
//! (`storage::leases`), and another takes it over within [`LEASE`] when that one dies.

use crate::services::{group_sessions, payments, reminders};
use crate::state::AppState;
use crate::{maintenance, storage::leases};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::task::JoinHandle;

/// How long a lease lasts unless renewed: a job whose instance died waits at most this long.
/// Leases count real time, not the test clock: they are about processes being alive.
const LEASE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy)]
enum Job {
    Reconciliation,
    Reminders,
    GroupSessions,
    Housekeeping,
}

impl Job {
    fn name(self) -> &'static str {
        match self {
            Job::Reconciliation => "reconciliation",
            Job::Reminders => "reminders",
            Job::GroupSessions => "group_sessions",
            Job::Housekeeping => "housekeeping",
        }
    }

    fn every(self, state: &AppState) -> Duration {
        match self {
            Job::Reconciliation => state.config.reconcile_every,
            // A reminder round's day lasts 24 hours: a look every ten minutes finds it.
            Job::Reminders => Duration::from_secs(600),
            // Roll calls and closing are due to the second; seats watch for them.
            Job::GroupSessions => Duration::from_secs(2),
            Job::Housekeeping => Duration::from_secs(600),
        }
    }

    async fn run(self, state: &AppState) {
        match self {
            Job::Reconciliation => match payments::reconcile(state).await {
                Ok(r) if r.resolved > 0 || r.failed > 0 => tracing::info!(
                    checked = r.checked,
                    resolved = r.resolved,
                    failed = r.failed,
                    "reconciliation run"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reconciliation run failed; will retry"),
            },
            Job::Reminders => match reminders::run_once(state).await {
                Ok(r) if r.rounds > 0 => {
                    tracing::info!(rounds = r.rounds, sent = r.sent, "reminders sent");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminder run failed; will retry"),
            },
            // A frozen test clock stops it: tests that count exact seconds run it themselves
            // (`POST /api/test/group-sessions/tick`).
            Job::GroupSessions if state.clock.is_frozen() => {}
            Job::GroupSessions => {
                if let Err(e) = group_sessions::run_due(state).await {
                    tracing::warn!(error = %e, "group sessions: due work failed; will retry");
                }
            }
            Job::Housekeeping => maintenance::run_once(state).await,
        }
    }
}

/// The running jobs of this instance.
pub struct Jobs {
    holder: String,
    state: AppState,
    tasks: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Starts every job: each runs now (if this instance takes its lease) and then at its
    /// interval.
    pub fn start(state: AppState) -> Jobs {
        // Says to an operator reading `job_leases` which process it is.
        let holder = format!(
            "{} pid {} started {}",
            state.public_url,
            std::process::id(),
            unix_now()
        );
        let jobs = [
            Job::Reconciliation,
            Job::Reminders,
            Job::GroupSessions,
            Job::Housekeeping,
        ];
        let tasks = jobs
            .into_iter()
            .map(|job| tokio::spawn(run_while_held(state.clone(), holder.clone(), job)))
            .collect();
        Jobs {
            holder,
            state,
            tasks,
        }
    }

    /// Stops every job and gives up their leases, so that another instance takes over at
    /// once rather than after they expire.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        let holder = self.holder;
        let released = self
            .state
            .db
            .write(move |c| Box::pin(async move { Ok(leases::release(c, &holder).await?) }))
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not give up the job leases; they expire by themselves");
        }
    }
}

/// Runs `job` at its interval while this instance holds its lease. The lease is renewed
/// when half of it is left, however long the interval, so that it never lapses between two
/// runs of a live holder; an instance that takes it over runs the job at once.
async fn run_while_held(state: AppState, holder: String, job: Job) {
    let every = job.every(&state);
    let mut tick = tokio::time::interval(every.min(LEASE / 4));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut held_until = 0;
    let mut next_run = tokio::time::Instant::now();
    loop {
        tick.tick().await;
        let now = unix_now();
        if held_until - now < LEASE.as_secs() as i64 / 2 {
            let until = now + LEASE.as_secs() as i64;
            held_until = if take(&state, &holder, job, now, until).await {
                until
            } else {
                next_run = tokio::time::Instant::now();
                0
            };
        }
        if held_until > now && tokio::time::Instant::now() >= next_run {
            job.run(&state).await;
            next_run = tokio::time::Instant::now() + every;
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Takes or renews this instance's lease on `job` until `until`.
async fn take(state: &AppState, holder: &str, job: Job, now: i64, until: i64) -> bool {
    let holder = holder.to_owned();
    let taken = state
        .db
        .write(move |c| {
            Box::pin(async move { Ok(leases::take(c, job.name(), &holder, now, until).await?) })
        })
        .await;
    match taken {
        Ok(held) => held,
        Err(e) => {
            tracing::warn!(job = job.name(), error = %e, "could not take the job's lease; will retry");
            false
        }
    }
}
