//! Group commit (shared/PERFORMANCE.md): callers queue a job and wait; one task takes every
//! job that is waiting (up to a cap), runs them together and answers each caller. It never
//! waits for a batch to fill: under light load a batch is one job, under heavy load one commit
//! or one query serves hundreds of them (with a fixed number of clients, a time window caps
//! the rate at clients ÷ window). A caller that hangs up drops only its wait, never the batch,
//! so nothing is left half done.
//!
//! Three queues use it: the heartbeat writer (`services::study_writer`), payment notifications
//! on SQLite (`services::notify_writer`) and the heartbeat route's sign-in lookups
//! (`auth::sign_ins`).

use crate::error::AppError;
use std::future::Future;
use tokio::sync::{mpsc, oneshot};

/// What a queue's task does with each batch.
pub trait Batch {
    type Job: Send;
    type Reply: Send;

    /// Runs the jobs together; returns one reply per job, in their order.
    fn run(&mut self, jobs: Vec<Self::Job>) -> impl Future<Output = Vec<Self::Reply>> + Send;

    /// Called after a batch when no job is waiting.
    fn idle(&mut self) {}
}

type Waiting<J, R> = (J, oneshot::Sender<R>);

/// The callers' end of a queue; cheap to clone.
pub struct Queue<J, R> {
    jobs: mpsc::Sender<Waiting<J, R>>,
    /// Names the queue in the errors of a stopped task.
    name: &'static str,
}

/// The task's end of a queue.
pub struct Jobs<J, R> {
    waiting: mpsc::Receiver<Waiting<J, R>>,
    max: usize,
}

/// A queue holding up to `capacity` waiting jobs, served `max_batch` at most at a time.
pub fn queue<J, R>(
    name: &'static str,
    capacity: usize,
    max_batch: usize,
) -> (Queue<J, R>, Jobs<J, R>) {
    let (jobs, waiting) = mpsc::channel(capacity);
    (
        Queue { jobs, name },
        Jobs {
            waiting,
            max: max_batch.max(1),
        },
    )
}

impl<J, R> Queue<J, R> {
    /// Queues a job and waits for its reply.
    pub async fn submit(&self, job: J) -> Result<R, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send((job, reply))
            .await
            .map_err(|_| AppError::Internal(format!("{} stopped", self.name)))?;
        answer
            .await
            .map_err(|_| AppError::Internal(format!("{} dropped a reply", self.name)))
    }
}

impl<J, R> Jobs<J, R> {
    /// Runs batches until every [`Queue`] of this queue is dropped.
    pub async fn serve<B>(&mut self, batch: &mut B)
    where
        B: Batch<Job = J, Reply = R>,
    {
        while let Some(first) = self.waiting.recv().await {
            let mut waiting = vec![first];
            while waiting.len() < self.max {
                match self.waiting.try_recv() {
                    Ok(job) => waiting.push(job),
                    Err(_) => break,
                }
            }
            let (jobs, waiters): (Vec<J>, Vec<_>) = waiting.into_iter().unzip();
            let replies = batch.run(jobs).await;
            // A waiter without a reply (a bug in `run`) sees its reply dropped.
            for (waiter, reply) in waiters.into_iter().zip(replies) {
                let _ = waiter.send(reply);
            }
            if self.waiting.is_empty() {
                batch.idle();
            }
        }
    }
}

impl<J, R> Clone for Queue<J, R> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
            name: self.name,
        }
    }
}

impl<J, R> std::fmt::Debug for Queue<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("name", &self.name).finish()
    }
}

impl<J, R> std::fmt::Debug for Jobs<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").field("max", &self.max).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the size of each batch and answers every job with its double.
    #[derive(Default)]
    struct Doubler {
        sizes: Vec<usize>,
        idle: usize,
    }

    impl Batch for Doubler {
        type Job = u32;
        type Reply = u32;

        async fn run(&mut self, jobs: Vec<u32>) -> Vec<u32> {
            self.sizes.push(jobs.len());
            jobs.into_iter().map(|j| j * 2).collect()
        }

        fn idle(&mut self) {
            self.idle += 1;
        }
    }

    #[tokio::test]
    async fn jobs_waiting_together_share_a_batch_and_each_caller_gets_its_own_reply() {
        let (queue, mut jobs) = queue("doubler", 64, 3);
        // Queued before the task runs: they are all waiting when it takes its first batch.
        let callers: Vec<_> = (1..=5u32)
            .map(|n| {
                let queue = queue.clone();
                tokio::spawn(async move { (n, queue.submit(n).await) })
            })
            .collect();
        tokio::task::yield_now().await;
        drop(queue);
        let mut doubler = Doubler::default();
        let served = tokio::spawn(async move {
            jobs.serve(&mut doubler).await;
            doubler
        });
        for caller in callers {
            let (n, reply) = caller.await.unwrap();
            assert_eq!(reply.unwrap(), n * 2);
        }
        let doubler = served.await.unwrap();
        assert_eq!(doubler.sizes.iter().sum::<usize>(), 5);
        assert!(doubler.sizes.iter().all(|&s| s <= 3), "{:?}", doubler.sizes);
        assert!(doubler.idle >= 1);
    }

    #[tokio::test]
    async fn a_stopped_queue_answers_with_an_error() {
        let (queue, jobs) = queue::<u32, u32>("doubler", 4, 4);
        drop(jobs);
        assert!(matches!(queue.submit(1).await, Err(AppError::Internal(_))));
    }
}
