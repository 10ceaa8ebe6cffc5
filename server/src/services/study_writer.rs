//! Group commit for heartbeats (shared/PERFORMANCE.md): one task takes every heartbeat that
//! is waiting, applies them all in one transaction and answers each after the commit. No
//! waiting to fill a batch: under light load a batch is one heartbeat; under heavy load the
//! cost of a commit is shared by hundreds. The task outlives any client that disconnects, so
//! a dropped request can never leave a transaction half done.

use crate::clock::Clock;
use crate::error::AppError;
use crate::services::study::{apply_beat, random_u64, reply_for};
use crate::storage::{study, Db};
use qinxue_core::api::HeartbeatReply;
use qinxue_core::ledger::{Beat, LedgerConfig};
use qinxue_core::time::local_date;
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

/// The most heartbeats one transaction takes (keeps statements under the bind-parameter limit).
const MAX_BATCH: usize = 400;

/// One heartbeat waiting for the writer.
#[derive(Debug)]
struct Job {
    user_id: i64,
    session_id: i64,
    beat: Beat,
    reply: oneshot::Sender<Result<HeartbeatReply, AppError>>,
}

/// Handle to the heartbeat writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct StudyWriter {
    jobs: mpsc::Sender<Job>,
}

impl StudyWriter {
    pub fn spawn(db: Db, clock: Clock, cfg: LedgerConfig) -> Self {
        let (jobs, rx) = mpsc::channel(16_384);
        tokio::spawn(run(rx, db, clock, cfg));
        Self { jobs }
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
            .send(Job {
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
}

async fn run(mut rx: mpsc::Receiver<Job>, db: Db, clock: Clock, cfg: LedgerConfig) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (replies, work): (Vec<_>, Vec<_>) = jobs
            .into_iter()
            .map(|j| (j.reply, (j.user_id, j.session_id, j.beat)))
            .unzip();
        let now = clock.now();
        let outcome = db.write(move |c| Box::pin(batch(c, work, now, cfg))).await;
        match outcome {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "heartbeat batch failed; its clients will retry");
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal("heartbeat batch failed".into())));
                }
            }
        }
    }
}

/// Applies a batch in order; a session's later heartbeats see its earlier ones.
async fn batch(
    conn: &mut sqlx::AnyConnection,
    work: Vec<(i64, i64, Beat)>,
    now: chrono::DateTime<chrono::Utc>,
    cfg: LedgerConfig,
) -> Result<Vec<Result<HeartbeatReply, AppError>>, AppError> {
    let ids: Vec<i64> = work
        .iter()
        .map(|w| w.1)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut rows = study::load_many(&mut *conn, &ids, local_date(now)).await?;
    let mut touched = HashSet::new();
    let mut results = Vec::with_capacity(work.len());
    for (user_id, session_id, beat) in work {
        let result = match rows.get_mut(&session_id) {
            Some(row) if row.user_id == user_id => apply_beat(row, beat, now, &cfg, random_u64()?)
                .map(|outcome| {
                    touched.insert(session_id);
                    (session_id, reply_for(row, &outcome))
                }),
            _ => Err(AppError::NotFound),
        };
        results.push(result);
    }
    let changed: Vec<&study::StudyRow> = touched.iter().filter_map(|id| rows.get(id)).collect();
    let saved = study::save_many(conn, &changed, now.timestamp()).await?;
    Ok(results
        .into_iter()
        .map(|r| {
            r.and_then(|(session_id, reply)| {
                // Another instance or an ended session won the row: nothing of this was kept.
                if saved.contains(&session_id) {
                    Ok(reply)
                } else {
                    Err(AppError::SessionEnded)
                }
            })
        })
        .collect())
}
