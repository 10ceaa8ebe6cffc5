//! Group commit for payment notifications (shared/PERFORMANCE.md): one task takes every
//! notification that is waiting, applies them all in one transaction, and answers each after
//! the commit. The platform sends notifications in bursts (duplicates, retries, a batch held
//! back and released at once); one commit per notification on SQLite made the late ones wait
//! past the platform's 5-second limit, and its retries then added to the burst.
//!
//! A batch that fails as a whole (a database error) is tried again one notification per
//! transaction, so that one bad notification cannot hold back the others. The task outlives
//! any request that hangs up, so no notification is ever applied half-way.
//!
//! Only SQLite gets the task: it has one writer connection anyway, and an in-process
//! statement costs microseconds. PostgreSQL applies each notification in its own transaction
//! beside the others (its row locks keep them apart); funnelled through one connection, a
//! burst's round trips queued up past the platform's limit, and its retries made it worse.

use crate::error::AppError;
use crate::services::payments::{handle, Handled, Received};
use crate::storage::{Backend, Db};
use tokio::sync::{mpsc, oneshot};

/// The most notifications one transaction takes.
const MAX_BATCH: usize = 200;

type Reply = oneshot::Sender<Result<Handled, AppError>>;

/// Handle to the notification writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct NotifyWriter {
    db: Db,
    /// The group-commit task's queue; none on PostgreSQL.
    jobs: Option<mpsc::Sender<(Received, Reply)>>,
}

impl NotifyWriter {
    pub fn spawn(db: Db) -> Self {
        let jobs = (db.backend() == Backend::Sqlite).then(|| {
            let (jobs, rx) = mpsc::channel(4096);
            tokio::spawn(run(rx, db.clone()));
            jobs
        });
        Self { db, jobs }
    }

    /// Applies and records a notification; returns once that is committed.
    pub async fn submit(&self, received: Received) -> Result<Handled, AppError> {
        let Some(jobs) = &self.jobs else {
            return one(&self.db, received).await;
        };
        let (reply, answer) = oneshot::channel();
        jobs.send((received, reply))
            .await
            .map_err(|_| AppError::Internal("notification writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("notification writer dropped a reply".into()))?
    }
}

async fn run(mut rx: mpsc::Receiver<(Received, Reply)>, db: Db) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if jobs.len() == 1 {
            let (received, reply) = jobs.pop().expect("one job");
            let _ = reply.send(one(&db, received).await);
            continue;
        }
        let (work, replies): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
        // Kept to retry one by one should the batch fail; a try consumes what it is given.
        let copies = work.clone();
        let batch = db
            .write(move |c| {
                Box::pin(async move {
                    let mut handled = Vec::with_capacity(work.len());
                    for received in work {
                        handled.push(handle(&mut *c, received).await?);
                    }
                    Ok(handled)
                })
            })
            .await;
        match batch {
            Ok(handled) => {
                for (reply, h) in replies.into_iter().zip(handled) {
                    let _ = reply.send(Ok(h));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "notification batch failed; applying them one by one");
                for (reply, received) in replies.into_iter().zip(copies) {
                    let _ = reply.send(one(&db, received).await);
                }
            }
        }
    }
}

/// One notification in its own transaction.
async fn one(db: &Db, received: Received) -> Result<Handled, AppError> {
    db.write(move |c| Box::pin(handle(c, received))).await
}
