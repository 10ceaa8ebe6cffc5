//! Group commit for payment notifications (shared/PERFORMANCE.md, `storage::batch`): one task
//! takes every notification that is waiting, applies them all in one transaction, and answers
//! each after the commit. The platform sends notifications in bursts (duplicates, retries, a batch held
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
use crate::storage::batch::{self, Batch, Queue};
use crate::storage::{Backend, Db};

/// The most notifications one transaction takes.
const MAX_BATCH: usize = 200;

/// Handle to the notification writer; cheap to clone.
#[derive(Clone, Debug)]
pub struct NotifyWriter {
    db: Db,
    /// The group-commit task's queue; none on PostgreSQL.
    queue: Option<Queue<Received, Result<Handled, AppError>>>,
}

impl NotifyWriter {
    pub fn spawn(db: Db) -> Self {
        let queue = (db.backend() == Backend::Sqlite).then(|| {
            let (queue, mut jobs) = batch::queue("notification writer", 4096, MAX_BATCH);
            let mut writer = Notifications { db: db.clone() };
            tokio::spawn(async move { jobs.serve(&mut writer).await });
            queue
        });
        Self { db, queue }
    }

    /// Applies and records a notification; returns once that is committed.
    pub async fn submit(&self, received: Received) -> Result<Handled, AppError> {
        match &self.queue {
            Some(queue) => queue.submit(received).await?,
            None => one(&self.db, received).await,
        }
    }
}

/// Applies the notifications waiting in one transaction.
struct Notifications {
    db: Db,
}

impl Batch for Notifications {
    type Job = Received;
    type Reply = Result<Handled, AppError>;

    async fn run(&mut self, mut work: Vec<Received>) -> Vec<Self::Reply> {
        if work.len() == 1 {
            let received = work.pop().expect("one job");
            return vec![one(&self.db, received).await];
        }
        // Kept to retry one by one should the batch fail; a try consumes what it is given.
        let copies = work.clone();
        let batch = self
            .db
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
            Ok(handled) => handled.into_iter().map(Ok).collect(),
            Err(e) => {
                tracing::warn!(error = %e, "notification batch failed; applying them one by one");
                let mut replies = Vec::with_capacity(copies.len());
                for received in copies {
                    replies.push(one(&self.db, received).await);
                }
                replies
            }
        }
    }
}

/// One notification in its own transaction.
async fn one(db: &Db, received: Received) -> Result<Handled, AppError> {
    db.write(move |c| Box::pin(handle(c, received))).await
}
