//! Group commit for heartbeats (shared/PERFORMANCE.md): one writer takes every heartbeat that
//! is waiting, applies them all in one transaction and answers each after the commit. No
//! waiting to fill a batch: under light load a batch is one heartbeat; under heavy load the
//! cost of a commit is shared by hundreds. The writer outlives any client that disconnects,
//! so a dropped request can never leave a transaction half done.
//!
//! Every other change to study sessions (opening, answering a check, ending) runs in the
//! writer too, in its place among the heartbeats ([`StudyWriter::run`]). On SQLite that makes
//! the writer the only one to change these rows, so it keeps the live sessions it has seen in
//! memory between batches and a batch of known sessions reads nothing: it applies the ledger
//! and writes one row per session. On PostgreSQL other server instances change the same rows,
//! so each batch loads its sessions afresh; there as on SQLite, each write-back is guarded by
//! the sequence number it was loaded with (`storage::study::save`).
//!
//! The writer runs on its own thread: it is the one serial part of the heartbeat path, and on
//! the HTTP runtime it would wait behind thousands of request tasks at each of its awaits.

use crate::clock::Clock;
use crate::error::AppError;
use crate::services::study::{apply_beat, reply_for};
use crate::storage::study::{self, Handover, Save, StudyRow};
use crate::storage::{Backend, Db, WriteFuture};
use qinxue_core::api::HeartbeatReply;
use qinxue_core::ledger::{Beat, LedgerConfig};
use qinxue_core::time::local_date;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// The most jobs one transaction takes; a write-back of this many sessions stays well under
/// SQLite's 32,766 bound values.
const MAX_BATCH: usize = 512;

/// A remembered session is read again after this long, so that a change to its lesson or its
/// policy year (duration, study deadline) reaches it.
const MAX_AGE: Duration = Duration::from_secs(600);

/// A remembered session that has had no heartbeat for this long is forgotten (the player
/// beats every 20 s; a learner who stopped need not use memory).
const IDLE: Duration = Duration::from_secs(120);

/// What a job other than a heartbeat hands back to the writer.
struct Done {
    /// Sessions the job changed: the writer forgets what it remembered of them.
    touched: Vec<i64>,
    /// Whether the job failed, so that its changes are rolled back (and only its).
    failed: bool,
    /// Sends the job's outcome to its caller; told whether the batch was committed.
    deliver: Box<dyn FnOnce(bool) + Send>,
}

type Exclusive = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> WriteFuture<'c, Done> + Send>;

enum Job {
    Beat {
        user_id: i64,
        session_id: i64,
        beat: Beat,
        reply: oneshot::Sender<Result<HeartbeatReply, AppError>>,
    },
    Other(Exclusive),
}

/// Handle to the heartbeat writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct StudyWriter {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Beat { session_id, .. } => write!(f, "Beat({session_id})"),
            Job::Other(_) => write!(f, "Other"),
        }
    }
}

impl StudyWriter {
    /// Starts the writer on its own thread; it stops when the last handle is dropped.
    pub fn spawn(db: Db, clock: Clock, cfg: LedgerConfig) -> std::io::Result<Self> {
        let (jobs, rx) = mpsc::channel(16_384);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("study-writer".into())
            .spawn(move || {
                let mut rx = rx;
                // A panic is a bug; the writer starts again afresh rather than stop every
                // heartbeat (a transaction it left open fails its next batch, which rolls back).
                while std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(Writer::new(db.clone(), clock.clone(), cfg).run(&mut rx))
                }))
                .is_err()
                {
                    tracing::error!("the heartbeat writer panicked; starting it again");
                }
            })?;
        Ok(Self { jobs })
    }

    /// Queues a heartbeat and waits for its committed outcome.
    pub async fn heartbeat(
        &self,
        user_id: i64,
        session_id: i64,
        beat: Beat,
    ) -> Result<HeartbeatReply, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Beat {
                user_id,
                session_id,
                beat,
                reply,
            })
            .await
            .map_err(|_| AppError::Internal("heartbeat writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("heartbeat writer dropped a reply".into()))?
    }

    /// Runs `f` in the writer's transaction, after the heartbeats queued before it and before
    /// those queued after it; `f` returns its value and the ids of the sessions it changed.
    /// The value is returned once committed. An error rolls back `f`'s changes only.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> WriteFuture<'c, (T, Vec<i64>)> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, AppError>>();
        let job: Exclusive = Box::new(move |c| {
            Box::pin(async move {
                Ok(match f(c).await {
                    Ok((value, touched)) => Done {
                        touched,
                        failed: false,
                        deliver: Box::new(move |committed| {
                            let _ = reply.send(if committed {
                                Ok(value)
                            } else {
                                Err(AppError::Internal("study write failed".into()))
                            });
                        }),
                    },
                    Err(e) => Done {
                        touched: Vec::new(),
                        failed: true,
                        deliver: Box::new(move |_| {
                            let _ = reply.send(Err(e));
                        }),
                    },
                })
            })
        });
        self.jobs
            .send(Job::Other(job))
            .await
            .map_err(|_| AppError::Internal("heartbeat writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("heartbeat writer dropped a reply".into()))?
    }
}

/// A session the writer has in memory, as stored (between batches) or as it will be.
struct Known {
    row: StudyRow,
    loaded: Instant,
    used: Instant,
    /// What of it this batch has changed and not yet written.
    dirty: Option<Save>,
}

/// A reply to send once the batch's fate is known.
enum Pending {
    Beat {
        session_id: i64,
        reply: oneshot::Sender<Result<HeartbeatReply, AppError>>,
        result: Result<HeartbeatReply, AppError>,
    },
    Other(Box<dyn FnOnce(bool) + Send>),
}

struct Writer {
    db: Db,
    clock: Clock,
    cfg: LedgerConfig,
    /// Whether sessions may be remembered between batches (only this process writes them).
    remember: bool,
    known: HashMap<i64, Known>,
    /// The sessions this batch has changed and not yet written.
    dirty: Vec<i64>,
    /// Whether this batch's transaction is open.
    begun: bool,
    /// The connection, kept while heartbeats keep coming (taking it from its pool and giving
    /// it back are a trip to its thread each).
    conn: Option<PoolConnection<Any>>,
    timings: Timings,
    swept: Instant,
}

impl Writer {
    fn new(db: Db, clock: Clock, cfg: LedgerConfig) -> Self {
        Self {
            remember: db.backend() == Backend::Sqlite,
            db,
            clock,
            cfg,
            known: HashMap::new(),
            dirty: Vec::new(),
            begun: false,
            conn: None,
            timings: Timings::new(),
            swept: Instant::now(),
        }
    }

    async fn run(mut self, rx: &mut mpsc::Receiver<Job>) {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            self.batch(jobs).await;
            if rx.is_empty() {
                // Idle: the connection goes back (a pool closing at shutdown waits for it).
                self.conn = None;
            }
        }
    }

    async fn batch(&mut self, jobs: Vec<Job>) {
        let now = self.clock.now();
        let today = local_date(now);
        let started = Instant::now();
        if !self.remember {
            self.known.clear();
        }
        // A session whose day has ended is read again, which hands its day's credit over.
        for job in &jobs {
            if let Job::Beat { session_id, .. } = job {
                if self.known.get(session_id).is_some_and(|k| {
                    k.row.day.day != today || started.duration_since(k.loaded) >= MAX_AGE
                }) {
                    self.known.remove(session_id);
                }
            }
        }
        if started.duration_since(self.swept) > IDLE / 4 {
            self.known
                .retain(|_, k| started.duration_since(k.used) < IDLE);
            self.swept = started;
        }

        let mut pending = Vec::with_capacity(jobs.len());
        let mut lost = HashSet::new();
        let njobs = jobs.len();
        let outcome = async {
            let asked = Instant::now();
            let _turn = self.db.write_turn().await;
            let mut conn = match self.conn.take() {
                Some(c) => c,
                None => self.db.heartbeat_connection().await?,
            };
            self.begun = false;
            let acquired = Instant::now();
            let applied = self
                .apply(&mut conn, jobs, now, &mut pending, &mut lost)
                .await;
            let applied_at = Instant::now();
            let done = match applied {
                Ok(()) if self.begun => sqlx::query("COMMIT")
                    .execute(&mut *conn)
                    .await
                    .map(|_| ())
                    .map_err(AppError::from),
                Ok(()) => Ok(()),
                Err(e) => Err(e),
            };
            if done.is_err() && self.begun {
                // The connection is used again only with its transaction closed.
                if sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
                    conn.close_on_drop();
                } else {
                    self.conn = Some(conn);
                }
            } else {
                self.conn = Some(conn);
            }
            self.timings.record(
                njobs,
                acquired - asked,
                applied_at - acquired,
                applied_at.elapsed(),
            );
            done
        }
        .await;
        let committed = match outcome {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "study write batch failed; its clients will retry");
                // What memory holds may be ahead of what is stored now.
                self.known.clear();
                self.dirty.clear();
                false
            }
        };
        for id in &lost {
            self.known.remove(id);
        }
        for p in pending {
            match p {
                Pending::Beat {
                    session_id,
                    reply,
                    result,
                } => {
                    let result = match result {
                        _ if !committed => Err(AppError::Internal("heartbeat batch failed".into())),
                        // Another instance or an ended session won the row: nothing was kept.
                        Ok(_) if lost.contains(&session_id) => Err(AppError::SessionEnded),
                        r => r,
                    };
                    let _ = reply.send(result);
                }
                Pending::Other(deliver) => deliver(committed),
            }
        }
    }

    /// Applies the jobs in order. Heartbeats change the sessions in memory; before any other
    /// job, what they changed is written, so that the job reads the sessions as they are.
    async fn apply(
        &mut self,
        conn: &mut AnyConnection,
        jobs: Vec<Job>,
        now: chrono::DateTime<chrono::Utc>,
        pending: &mut Vec<Pending>,
        lost: &mut HashSet<i64>,
    ) -> Result<(), AppError> {
        let today = local_date(now);
        let unknown: Vec<i64> = jobs
            .iter()
            .filter_map(|j| match j {
                Job::Beat { session_id, .. } if !self.known.contains_key(session_id) => {
                    Some(*session_id)
                }
                _ => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        self.load(conn, &unknown, today).await?;
        for job in jobs {
            match job {
                Job::Beat {
                    user_id,
                    session_id,
                    beat,
                    reply,
                } => {
                    if !self.known.contains_key(&session_id) {
                        // Forgotten after a job earlier in this batch changed it.
                        self.load(conn, &[session_id], today).await?;
                    }
                    let result = match self.known.get_mut(&session_id) {
                        Some(k) if k.row.user_id == user_id => {
                            let check_before = check_state(&k.row);
                            k.used = Instant::now();
                            apply_beat(&mut k.row, beat, now, &self.cfg).map(|outcome| {
                                let what = if check_state(&k.row) == check_before {
                                    Save::Beat
                                } else {
                                    Save::Full
                                };
                                if k.dirty.is_none() {
                                    self.dirty.push(session_id);
                                }
                                k.dirty = Some(match k.dirty {
                                    Some(Save::Full) => Save::Full,
                                    _ => what,
                                });
                                reply_for(&k.row, &outcome)
                            })
                        }
                        _ => Err(AppError::NotFound),
                    };
                    pending.push(Pending::Beat {
                        session_id,
                        reply,
                        result,
                    });
                }
                Job::Other(job) => {
                    self.flush(conn, now.timestamp(), lost, false).await?;
                    let first = self.first(conn).await?;
                    sqlx::query(&format!("{first}SAVEPOINT study_job"))
                        .execute(&mut *conn)
                        .await?;
                    let done = job(&mut *conn).await?;
                    let end = if done.failed {
                        "ROLLBACK TO SAVEPOINT study_job"
                    } else {
                        "RELEASE SAVEPOINT study_job"
                    };
                    sqlx::query(end).execute(&mut *conn).await?;
                    for id in &done.touched {
                        self.known.remove(id);
                    }
                    pending.push(Pending::Other(done.deliver));
                }
            }
        }
        self.flush(conn, now.timestamp(), lost, true).await
    }

    /// What to send before the batch's first statement: nothing once the transaction is
    /// open. SQLite gets its `BEGIN` in the same call as that statement (each call is a trip
    /// to the connection's thread and back); PostgreSQL takes it as a statement of its own.
    async fn first(&mut self, conn: &mut AnyConnection) -> Result<&'static str, AppError> {
        if self.begun {
            return Ok("");
        }
        self.begun = true;
        if self.remember {
            Ok("BEGIN IMMEDIATE; ")
        } else {
            sqlx::query("BEGIN").execute(conn).await?;
            Ok("")
        }
    }

    async fn load(
        &mut self,
        conn: &mut AnyConnection,
        ids: &[i64],
        today: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        let at = Instant::now();
        let first = self.first(conn).await?;
        let loaded = study::load_many(conn, ids, today, first).await?;
        self.timings.load += at.elapsed();
        for (id, row) in loaded {
            self.known.insert(
                id,
                Known {
                    row,
                    loaded: at,
                    used: at,
                    dirty: None,
                },
            );
        }
        Ok(())
    }

    /// Writes what heartbeats changed since the last write; a session whose guard failed
    /// (PostgreSQL: ended or moved on by another instance) goes into `lost`.
    async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        now: i64,
        lost: &mut HashSet<i64>,
        last: bool,
    ) -> Result<(), AppError> {
        let flushing = Instant::now();
        let dirty = std::mem::take(&mut self.dirty);
        if dirty.is_empty() {
            return Ok(());
        }
        let mut first = self.first(conn).await?;
        // A lesson's first credit goes to lesson_progress at once (see storage::study). On
        // SQLite every write-back holds, so that is written first and the batch's last
        // statement can carry its COMMIT; on PostgreSQL only for sessions whose guard held.
        let first_credit =
            |k: &Known| k.row.stored_credited_secs == 0 && k.row.lesson.credited_secs > 0;
        if self.remember {
            let handovers: Vec<Handover> = dirty
                .iter()
                .filter_map(|id| self.known.get(id))
                .filter(|k| first_credit(k))
                .map(|k| Handover::from(&k.row))
                .collect();
            if !handovers.is_empty() {
                study::hand_over(conn, &handovers, now, std::mem::take(&mut first)).await?;
            }
        }
        let groups: Vec<(Save, Vec<i64>)> = [Save::Beat, Save::Full]
            .into_iter()
            .map(|what| {
                let ids = dirty
                    .iter()
                    .copied()
                    .filter(|id| self.known.get(id).is_some_and(|k| k.dirty == Some(what)))
                    .collect::<Vec<_>>();
                (what, ids)
            })
            .filter(|(_, ids)| !ids.is_empty())
            .collect();
        let mut saved = HashSet::new();
        for (i, (what, ids)) in groups.iter().enumerate() {
            let commit = last && self.remember && i + 1 == groups.len();
            let rows: Vec<&StudyRow> = ids
                .iter()
                .filter_map(|id| self.known.get(id))
                .map(|k| &k.row)
                .collect();
            let won = study::save(
                conn,
                &rows,
                *what,
                now,
                std::mem::take(&mut first),
                if commit { "; COMMIT" } else { "" },
            )
            .await?;
            if commit {
                self.begun = false;
            }
            for r in rows {
                if !won.contains(&r.id) {
                    lost.insert(r.id);
                }
            }
            saved.extend(won);
        }
        let mut handovers = Vec::new();
        for id in &saved {
            if let Some(k) = self.known.get_mut(id) {
                k.dirty = None;
                k.row.loaded_seq = k.row.session.seq;
                if first_credit(k) {
                    if !self.remember {
                        handovers.push(Handover::from(&k.row));
                    }
                    k.row.stored_credited_secs = k.row.lesson.credited_secs;
                }
            }
        }
        for id in lost.iter() {
            self.known.remove(id);
        }
        if !handovers.is_empty() {
            study::hand_over(conn, &handovers, now, "").await?;
        }
        self.timings.flush += flushing.elapsed();
        Ok(())
    }
}

/// The part of a session that only a full write-back stores.
fn check_state(row: &StudyRow) -> impl PartialEq {
    (
        row.session.check,
        row.session.next_check_at,
        row.session.blocked,
        row.session.ended,
        row.question.as_ref().map(|q| q.id.clone()),
    )
}

/// Where the writer's time goes, logged at debug level every [`TIMINGS_EVERY`]: the
/// figures behind README's "Benchmark" (a batch's trips to SQLite, its loads, its commit).
#[derive(Debug)]
struct Timings {
    since: Instant,
    batches: usize,
    jobs: usize,
    acquire: Duration,
    apply: Duration,
    load: Duration,
    flush: Duration,
    commit: Duration,
}

const TIMINGS_EVERY: Duration = Duration::from_secs(5);

impl Timings {
    fn new() -> Self {
        Self {
            since: Instant::now(),
            batches: 0,
            jobs: 0,
            acquire: Duration::ZERO,
            apply: Duration::ZERO,
            load: Duration::ZERO,
            flush: Duration::ZERO,
            commit: Duration::ZERO,
        }
    }

    fn record(&mut self, jobs: usize, acquire: Duration, apply: Duration, commit: Duration) {
        self.batches += 1;
        self.jobs += jobs;
        self.acquire += acquire;
        self.apply += apply;
        self.commit += commit;
        if self.since.elapsed() >= TIMINGS_EVERY {
            tracing::debug!(
                batches = self.batches,
                jobs = self.jobs,
                acquire = ?self.acquire,
                apply = ?self.apply,
                load = ?self.load,
                flush = ?self.flush,
                commit = ?self.commit,
                over = ?self.since.elapsed(),
                "study writer"
            );
            *self = Self::new();
        }
    }
}
