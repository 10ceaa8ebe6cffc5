//! The one write path of study sessions. Heartbeats, answers to checks and ends of sessions
//! are changes to one session each; they queue for one writer that takes every change waiting
//! (group commit, `storage::batch`) and, in one transaction, loads the sessions it does not
//! have, applies each change through the ledger (`services::study`), hands over what the
//! sessions owe to `lesson_progress` and `study_days` ([`hands_over`]), writes the sessions
//! back and answers each change after the commit. No waiting to fill a batch: under light
//! load a batch is one change; under heavy load the cost of a commit is shared by hundreds.
//! The writer outlives any client that disconnects, so a dropped request can never leave a
//! transaction half done.
//!
//! Opening a session runs in the writer too, as an exclusive job in its place among the
//! changes ([`StudyWriter::run`]): what the changes before it did is written first, and what
//! it touched is read again afterwards. On SQLite that makes the writer the only one to change
//! these rows, so it keeps the live sessions it has seen in memory between batches and a batch
//! of known sessions reads nothing: it applies the ledger and writes one row per session. On
//! PostgreSQL other server instances change the same rows, so each batch loads its sessions
//! afresh; there as on SQLite, each write-back is guarded by the sequence number it was loaded
//! with (`storage::study::save`).
//!
//! The writer runs on its own thread: it is the one serial part of the heartbeat path, and on
//! the HTTP runtime it would wait behind thousands of request tasks at each of its awaits.

use crate::access::Studier;
use crate::clock::Clock;
use crate::error::AppError;
use crate::services::study::{apply_answer, apply_beat, apply_end, reply_for};
use crate::storage::batch::{self, Batch, Queue};
use crate::storage::study::{self, DayCredit, Handover, Save, StudyRow};
use crate::storage::{Backend, Db, Then, Tx, WriteFuture};
use chrono::{DateTime, Utc};
use qinxue_core::api::HeartbeatReply;
use qinxue_core::ledger::{AnswerOutcome, Beat, LedgerConfig, LedgerError};
use qinxue_core::time::local_date;
use sqlx::pool::PoolConnection;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most jobs one transaction takes; a write-back of this many sessions stays well under
/// SQLite's 32,766 bound values.
const MAX_BATCH: usize = 512;

/// A remembered session is read again after this long, so that a change to its lesson or its
/// policy year (duration, study deadline) reaches it.
const MAX_AGE: Duration = Duration::from_secs(600);

/// A remembered session that has had no heartbeat for this long is forgotten (the player
/// beats every 20 s; a learner who stopped need not use memory).
const IDLE: Duration = Duration::from_secs(120);

/// A change to one session, applied through the ledger.
#[derive(Debug)]
enum Change {
    Beat(Beat),
    Answer {
        check_id: String,
        given: String,
        /// Schedules the next check.
        draw: u64,
    },
    End,
}

/// What a change answers once committed.
#[derive(Debug)]
enum Changed {
    Beat(HeartbeatReply),
    /// The ledger's verdict, and the lesson's credited seconds after it.
    Answered(Result<AnswerOutcome, LedgerError>, i64),
    Ended,
}

/// A value of any type, from an exclusive job to its caller.
type Value = Box<dyn std::any::Any + Send>;

/// A job that writes with statements of its own: its value, and the sessions it changed.
type Exclusive = Box<dyn for<'t> FnOnce(&'t mut Tx) -> WriteFuture<'t, (Value, Vec<i64>)> + Send>;

enum Job {
    Change {
        /// A session answers only the caller it was opened for: the trainee's own account,
        /// or a seat of its group session.
        who: Studier,
        session_id: i64,
        change: Change,
    },
    Exclusive(Exclusive),
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Change {
                session_id, change, ..
            } => write!(f, "{change:?} on {session_id}"),
            Job::Exclusive(_) => write!(f, "Exclusive"),
        }
    }
}

enum Reply {
    Changed(Changed),
    Value(Value),
}

/// A reply of another kind than its job's: a bug in the writer.
fn mismatch() -> AppError {
    AppError::Internal("the study writer answered another kind of job".into())
}

/// Handle to the heartbeat writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct StudyWriter {
    queue: Queue<Job, Result<Reply, AppError>>,
    /// Counts changes of policy years; the writer forgets the sessions it remembers (and
    /// with them their year's rules) when it sees a new count.
    policy_changes: Arc<AtomicU64>,
}

impl StudyWriter {
    /// Starts the writer on its own thread; it stops when the last handle is dropped.
    pub fn spawn(db: Db, clock: Clock, cfg: LedgerConfig) -> std::io::Result<Self> {
        let (queue, mut jobs) = batch::queue("heartbeat writer", 16_384, MAX_BATCH);
        let policy_changes = Arc::new(AtomicU64::new(0));
        let changes = policy_changes.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("study-writer".into())
            .spawn(move || {
                // A panic is a bug; the writer starts again afresh rather than stop every
                // heartbeat (a transaction it left open fails its next batch, which rolls back).
                while std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(async {
                        let mut writer =
                            Writer::new(db.clone(), clock.clone(), cfg, changes.clone());
                        jobs.serve(&mut writer).await;
                    })
                }))
                .is_err()
                {
                    tracing::error!("the heartbeat writer panicked; starting it again");
                }
            })?;
        Ok(Self {
            queue,
            policy_changes,
        })
    }

    /// A policy year's settings have changed (and are committed): sessions are read again,
    /// with their year's new daily cap and check interval, from the next batch on. On
    /// PostgreSQL every batch reads its sessions anyway, so other instances see it at once.
    pub fn policy_changed(&self) {
        self.policy_changes.fetch_add(1, Ordering::Release);
    }

    async fn change(
        &self,
        who: Studier,
        session_id: i64,
        change: Change,
    ) -> Result<Changed, AppError> {
        let job = Job::Change {
            who,
            session_id,
            change,
        };
        match self.queue.submit(job).await?? {
            Reply::Changed(changed) => Ok(changed),
            Reply::Value(_) => Err(mismatch()),
        }
    }

    /// Applies a heartbeat; returns its committed outcome.
    pub async fn heartbeat(
        &self,
        who: Studier,
        session_id: i64,
        beat: Beat,
    ) -> Result<HeartbeatReply, AppError> {
        match self.change(who, session_id, Change::Beat(beat)).await? {
            Changed::Beat(reply) => Ok(reply),
            _ => Err(mismatch()),
        }
    }

    /// Applies an answer to the session's open check `check_id`; returns the ledger's
    /// verdict, committed also when it refuses the answer (a failed check is recorded), and
    /// the lesson's credited seconds after it.
    pub async fn answer(
        &self,
        who: Studier,
        session_id: i64,
        check_id: String,
        given: String,
        draw: u64,
    ) -> Result<(Result<AnswerOutcome, LedgerError>, i64), AppError> {
        let change = Change::Answer {
            check_id,
            given,
            draw,
        };
        match self.change(who, session_id, change).await? {
            Changed::Answered(verdict, lesson_credited_secs) => Ok((verdict, lesson_credited_secs)),
            _ => Err(mismatch()),
        }
    }

    /// Ends a session (nothing to do when it has ended already).
    pub async fn end(&self, who: Studier, session_id: i64) -> Result<(), AppError> {
        match self.change(who, session_id, Change::End).await? {
            Changed::Ended => Ok(()),
            _ => Err(mismatch()),
        }
    }

    /// Runs `f` in the writer's transaction, after the jobs queued before it and before those
    /// queued after it; `f` returns its value and the ids of the sessions it changed.
    /// The value is returned once committed. An error rolls back `f`'s changes only.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut Tx) -> WriteFuture<'t, (T, Vec<i64>)> + Send + 'static,
    {
        let job: Exclusive = Box::new(move |tx| {
            Box::pin(async move {
                let (value, touched) = f(tx).await?;
                Ok((Box::new(value) as Value, touched))
            })
        });
        match self.queue.submit(Job::Exclusive(job)).await?? {
            Reply::Value(value) => value.downcast::<T>().map(|v| *v).map_err(|_| mismatch()),
            Reply::Changed(_) => Err(mismatch()),
        }
    }
}

/// Whether a session that is written back hands its figures over to `lesson_progress` and
/// `study_days` (see `storage::study`): when it has ended, and at its lesson's first credit.
/// The third hand-over, of a day credit whose day has ended, is found when the session is
/// read ([`study::Loaded`]) and goes with the next write-back.
pub(crate) fn hands_over(row: &StudyRow) -> bool {
    row.session.ended || (row.stored_credited_secs == 0 && row.lesson.credited_secs > 0)
}

/// The ledger's step for a change, and what of the session it leaves to write back.
fn apply_change(
    row: &mut StudyRow,
    change: Change,
    now: DateTime<Utc>,
    cfg: &LedgerConfig,
) -> Result<(Changed, Option<Save>), AppError> {
    match change {
        Change::Beat(beat) => {
            let before = check_state(row);
            let outcome = apply_beat(row, beat, now, cfg)?;
            let what = if check_state(row) == before {
                Save::Beat
            } else {
                Save::Full
            };
            Ok((Changed::Beat(reply_for(row, &outcome)), Some(what)))
        }
        Change::Answer {
            check_id,
            given,
            draw,
        } => {
            let verdict = apply_answer(row, &check_id, &given, now, cfg, draw)?;
            let lesson_credited_secs = row.lesson.credited_secs;
            Ok((
                Changed::Answered(verdict, lesson_credited_secs),
                Some(Save::Full),
            ))
        }
        Change::End => Ok((Changed::Ended, apply_end(row).then_some(Save::Full))),
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

/// A session the writer has in memory, as stored (between batches) or as it will be.
struct Known {
    row: StudyRow,
    loaded: Instant,
    used: Instant,
    /// What of it this batch has changed and not yet written.
    dirty: Option<Save>,
}

/// A job's outcome, answered once the batch's fate is known.
enum Pending {
    Change {
        session_id: i64,
        /// An end whose session another instance has ended meanwhile is done all the same.
        ends: bool,
        result: Result<Changed, AppError>,
    },
    Exclusive(Result<Value, AppError>),
}

struct Writer {
    db: Db,
    clock: Clock,
    cfg: LedgerConfig,
    /// Whether this process is the only writer of the sessions (SQLite): then it remembers
    /// them between batches, and a write-back either holds for every session or fails.
    sole: bool,
    known: HashMap<i64, Known>,
    /// The sessions this batch has changed and not yet written.
    dirty: Vec<i64>,
    /// Day credits of ended days that sessions read in this batch owe to `study_days`.
    ended_days: Vec<DayCredit>,
    /// The connection, kept while jobs keep coming (taking it from its pool and giving it
    /// back are a trip to its thread each).
    conn: Option<PoolConnection<sqlx::Any>>,
    timings: Timings,
    swept: Instant,
    policy_changes: Arc<AtomicU64>,
    /// The count of policy changes that the sessions in memory were read after.
    policy_seen: u64,
}

impl Batch for Writer {
    type Job = Job;
    type Reply = Result<Reply, AppError>;

    async fn run(&mut self, jobs: Vec<Job>) -> Vec<Self::Reply> {
        self.batch(jobs).await
    }

    fn idle(&mut self) {
        // The connection goes back (a pool closing at shutdown waits for it).
        self.conn = None;
    }
}

impl Writer {
    fn new(db: Db, clock: Clock, cfg: LedgerConfig, policy_changes: Arc<AtomicU64>) -> Self {
        Self {
            policy_seen: policy_changes.load(Ordering::Acquire),
            policy_changes,
            sole: db.backend() == Backend::Sqlite,
            db,
            clock,
            cfg,
            known: HashMap::new(),
            dirty: Vec::new(),
            ended_days: Vec::new(),
            conn: None,
            timings: Timings::new(),
            swept: Instant::now(),
        }
    }

    async fn batch(&mut self, jobs: Vec<Job>) -> Vec<Result<Reply, AppError>> {
        let now = self.clock.now();
        let today = local_date(now);
        let started = Instant::now();
        let policy = self.policy_changes.load(Ordering::Acquire);
        if !self.sole || policy != self.policy_seen {
            self.known.clear();
            self.policy_seen = policy;
        }
        // A session whose day has ended is read again, which hands its day's credit over.
        for job in &jobs {
            if let Job::Change { session_id, .. } = job {
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

        let njobs = jobs.len();
        let mut pending = Vec::with_capacity(njobs);
        let mut lost = HashSet::new();
        let asked = Instant::now();
        let turn = self.db.write_turn().await;
        let conn = match self.conn.take() {
            Some(c) => Ok(c),
            None => self.db.heartbeat_connection().await,
        };
        let done = match conn {
            Ok(conn) => {
                let mut tx = Tx::new(conn);
                let acquired = Instant::now();
                let applied = self
                    .apply(&mut tx, jobs, now, &mut pending, &mut lost)
                    .await;
                let applied_at = Instant::now();
                let done = match applied {
                    Ok(()) => tx.commit().await.map_err(AppError::from),
                    Err(e) => Err(e),
                };
                if done.is_err() {
                    // A failed rollback leaves the transaction open: the connection is closed.
                    let _ = tx.rollback().await;
                }
                self.conn = tx.into_connection();
                self.timings.record(
                    njobs,
                    acquired - asked,
                    applied_at - acquired,
                    applied_at.elapsed(),
                );
                done
            }
            Err(e) => Err(e),
        };
        drop(turn);
        let committed = match done {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "study write batch failed; its clients will retry");
                // What memory holds may be ahead of what is stored now.
                self.known.clear();
                self.dirty.clear();
                self.ended_days.clear();
                false
            }
        };
        for id in &lost {
            self.known.remove(id);
        }
        let mut replies: Vec<_> = pending
            .into_iter()
            .map(|p| match p {
                Pending::Change {
                    session_id,
                    ends,
                    result,
                } => match result {
                    _ if !committed => Err(AppError::Internal("heartbeat batch failed".into())),
                    // Another instance or an ended session won the row: nothing was kept.
                    Ok(_) if lost.contains(&session_id) && !ends => Err(AppError::SessionEnded),
                    r => r.map(Reply::Changed),
                },
                Pending::Exclusive(result) => match result {
                    Ok(_) if !committed => Err(AppError::Internal("study write failed".into())),
                    r => r.map(Reply::Value),
                },
            })
            .collect();
        // Jobs a failure kept from being applied.
        replies.resize_with(njobs, || {
            Err(AppError::Internal("heartbeat batch failed".into()))
        });
        replies
    }

    /// Applies the jobs in order. Changes apply to the sessions in memory; before an
    /// exclusive job, what they changed is written, so that the job reads the sessions as
    /// they are.
    async fn apply(
        &mut self,
        tx: &mut Tx,
        jobs: Vec<Job>,
        now: DateTime<Utc>,
        pending: &mut Vec<Pending>,
        lost: &mut HashSet<i64>,
    ) -> Result<(), AppError> {
        let today = local_date(now);
        let unknown: Vec<i64> = jobs
            .iter()
            .filter_map(|j| match j {
                Job::Change { session_id, .. } if !self.known.contains_key(session_id) => {
                    Some(*session_id)
                }
                _ => None,
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        self.load(tx, &unknown, today).await?;
        for job in jobs {
            match job {
                Job::Change {
                    who,
                    session_id,
                    change,
                } => {
                    if !self.known.contains_key(&session_id) {
                        // Forgotten after an exclusive job earlier in this batch changed it,
                        // or after it ended.
                        self.load(tx, &[session_id], today).await?;
                    }
                    let ends = matches!(change, Change::End);
                    let result = match self.known.get_mut(&session_id) {
                        Some(k)
                            if k.row.user_id == who.user_id
                                && k.row.group_session_id == who.group_session_id =>
                        {
                            k.used = Instant::now();
                            apply_change(&mut k.row, change, now, &self.cfg).map(
                                |(changed, what)| {
                                    if let Some(what) = what {
                                        if k.dirty.is_none() {
                                            self.dirty.push(session_id);
                                        }
                                        k.dirty = Some(match k.dirty {
                                            Some(Save::Full) => Save::Full,
                                            _ => what,
                                        });
                                    }
                                    changed
                                },
                            )
                        }
                        _ => Err(AppError::NotFound),
                    };
                    pending.push(Pending::Change {
                        session_id,
                        ends,
                        result,
                    });
                }
                Job::Exclusive(job) => {
                    self.write_back(tx, now.timestamp(), lost, Then::More)
                        .await?;
                    let done = tx.savepoint(job).await?;
                    if let Ok((_, touched)) = &done {
                        for id in touched {
                            self.known.remove(id);
                        }
                    }
                    pending.push(Pending::Exclusive(done.map(|(value, _)| value)));
                }
            }
        }
        self.write_back(tx, now.timestamp(), lost, Then::Commit)
            .await
    }

    /// Reads sessions into memory; what they owe for ended days waits for the write-back.
    async fn load(
        &mut self,
        tx: &mut Tx,
        ids: &[i64],
        today: chrono::NaiveDate,
    ) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        let at = Instant::now();
        let loaded = study::load_many(tx, ids, today).await?;
        self.timings.load += at.elapsed();
        self.ended_days.extend(loaded.ended_days);
        for (id, row) in loaded.rows {
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

    /// Writes what the changes did since the last write-back: the hand-overs the sessions owe,
    /// and the sessions. `then` is what follows in the transaction. A session whose guard
    /// failed (PostgreSQL: ended or moved on by another instance) goes into `lost` and hands
    /// nothing over.
    async fn write_back(
        &mut self,
        tx: &mut Tx,
        now: i64,
        lost: &mut HashSet<i64>,
        then: Then,
    ) -> Result<(), AppError> {
        let writing = Instant::now();
        let dirty = std::mem::take(&mut self.dirty);
        let ended_days = std::mem::take(&mut self.ended_days);
        if dirty.is_empty() && ended_days.is_empty() {
            return Ok(());
        }
        // On SQLite every write-back holds (or the batch fails), so the hand-overs are
        // written first and the batch's last statement can carry its COMMIT; on PostgreSQL
        // they follow, for the sessions whose guard held.
        if self.sole {
            let owed: Vec<Handover> = dirty
                .iter()
                .filter_map(|id| self.known.get(id))
                .filter(|k| hands_over(&k.row))
                .map(|k| Handover::from(&k.row))
                .collect();
            study::hand_over(tx, &owed, &ended_days, now).await?;
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
            let last = self.sole && i + 1 == groups.len();
            let rows: Vec<&StudyRow> = ids
                .iter()
                .filter_map(|id| self.known.get(id))
                .map(|k| &k.row)
                .collect();
            let won =
                study::save(tx, &rows, *what, now, if last { then } else { Then::More }).await?;
            for r in rows {
                if !won.contains(&r.id) {
                    lost.insert(r.id);
                }
            }
            saved.extend(won);
        }
        let mut owed = Vec::new();
        let mut ended = Vec::new();
        for id in &saved {
            if let Some(k) = self.known.get_mut(id) {
                k.dirty = None;
                k.row.loaded_seq = k.row.session.seq;
                if hands_over(&k.row) {
                    if !self.sole {
                        owed.push(Handover::from(&k.row));
                    }
                    k.row.stored_credited_secs = k.row.lesson.credited_secs;
                }
                if k.row.session.ended {
                    ended.push(*id);
                }
            }
        }
        if !self.sole {
            study::hand_over(tx, &owed, &ended_days, now).await?;
        }
        // An ended session takes no more changes; a lost one is read again.
        for id in ended.iter().chain(lost.iter()) {
            self.known.remove(id);
        }
        self.timings.flush += writing.elapsed();
        Ok(())
    }
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
