//! Argon2id password hashes (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends). Hashing takes tens of milliseconds of CPU, so it runs off the async threads,
//! and only a few at a time: each hash holds its 19 MiB while it runs, and unbounded, 60
//! concurrent wrong-password logins took the server from 228 MB to 1.3 GB (and a thread each).
//!
//! The hashes run on their own threads, one per turn, each with its own Argon2 memory made
//! once and used for every hash. Letting Argon2 allocate its 19 MiB for each hash, even two
//! at a time, grew the server by 135–300 MiB over a burst of logins: glibc raises its mmap
//! threshold after the first such block is freed, and later ones then stay in (and fragment)
//! the heap arenas of whichever threads ran them.

use crate::error::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};

/// How long a request may wait for a turn to hash before it is told the server is busy. A
/// computer room of 60 signing in together waits about a second on two quiet cores, and up to
/// about 5 s while they are busy with other work (3 s turned some of them away on PostgreSQL).
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// One hashing thread's Argon2 memory, grown to what a hash needs (19 MiB with the defaults)
/// the first time and kept.
#[derive(Default)]
struct Memory(Vec<Block>);

impl Memory {
    /// The PHC hash output of `password` with these settings and salt.
    fn compute(
        &mut self,
        password: &[u8],
        algorithm: Algorithm,
        version: Version,
        params: Params,
        salt: Salt<'_>,
    ) -> password_hash::Result<Output> {
        let blocks = params.block_count();
        if self.0.len() < blocks {
            self.0.resize(blocks, Block::new());
        }
        let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
        let salt = salt.decode_b64(&mut salt_bytes)?;
        let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let argon2 = Argon2::new(algorithm, version, params);
        let memory = &mut self.0[..blocks];
        Output::init_with(len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut *memory)?)
        })
    }

    /// A new PHC-format hash with the defaults and a random salt.
    fn hash(&mut self, password: &[u8]) -> password_hash::Result<String> {
        self.hash_with(password, Params::default())
    }

    /// A new PHC-format Argon2id hash with these settings and a random salt.
    fn hash_with(&mut self, password: &[u8], params: Params) -> password_hash::Result<String> {
        let salt = SaltString::generate(&mut OsRng);
        let output = self.compute(
            password,
            Algorithm::default(),
            Version::default(),
            params.clone(),
            salt.as_salt(),
        )?;
        Ok(PasswordHash {
            algorithm: Algorithm::default().ident(),
            version: Some(Version::default().into()),
            params: (&params).try_into()?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        }
        .to_string())
    }

    /// Whether `password` gives the stored hash, with the stored settings (as
    /// `PasswordVerifier` does, comparing in constant time).
    fn verify(
        &mut self,
        password: &[u8],
        stored: &PasswordHash<'_>,
    ) -> password_hash::Result<bool> {
        let (Some(salt), Some(expected)) = (stored.salt, &stored.hash) else {
            return Ok(false);
        };
        let algorithm = Algorithm::try_from(stored.algorithm)?;
        let version = stored
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let computed = self.compute(
            password,
            algorithm,
            version,
            Params::try_from(stored)?,
            salt,
        )?;
        Ok(&computed == expected)
    }
}

/// The hashing turns of one server: at most `concurrent` hashes at once, on as many threads,
/// each request waiting at most `wait` for its turn. Cheap to clone; the threads end when the
/// last clone is dropped.
#[derive(Clone, Debug)]
pub struct Hashing {
    turns: Arc<Semaphore>,
    wait: Duration,
    jobs: mpsc::Sender<Job>,
}

impl Hashing {
    pub fn new(concurrent: usize, wait: Duration) -> std::io::Result<Self> {
        let concurrent = concurrent.max(1);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..concurrent {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || {
                    let mut memory = Memory::default();
                    loop {
                        // Only holders of a turn send, so a job never waits here for long.
                        let job = match queue.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Self {
            turns: Arc::new(Semaphore::new(concurrent)),
            wait,
            jobs,
        })
    }

    /// One hash at a time per core: more would only share the same cores, and hold more memory.
    pub fn per_core() -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, QUEUE_WAIT)
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.turn().await?.hash(password).await
    }

    /// Waits for a turn to hash; [`AppError::Busy`] if none comes within the wait.
    pub async fn turn(&self) -> Result<Turn, AppError> {
        match tokio::time::timeout(self.wait, Arc::clone(&self.turns).acquire_owned()).await {
            Ok(Ok(held)) => Ok(Turn {
                held,
                jobs: self.jobs.clone(),
            }),
            Ok(Err(closed)) => Err(AppError::Internal(format!("hashing turns: {closed}"))),
            Err(_) => Err(AppError::Busy),
        }
    }
}

/// Settings for the hashes of one-time passwords ([`Turn::hash_one_time`]): Argon2id with
/// 1 MiB and one pass, about a twentieth of the defaults' work. A one-time password is made
/// by the server from 10 random characters of 31 (49 bits), is valid only until its owner
/// sets their own, and is made by the ten thousand at a roster import: at the defaults' cost
/// (~25 ms each on this machine's two cores) such an import would hold the hashing threads
/// for two minutes. Guessing 2^49 passwords at this cost stays out of reach, while a
/// person's own password, which may be weak, always gets the defaults.
pub fn one_time_params() -> Params {
    Params::new(1024, 1, 1, None).unwrap_or_default()
}

/// One turn to hash, used up by the hash it runs; the turn is given back when it drops.
#[derive(Debug)]
pub struct Turn {
    held: OwnedSemaphorePermit,
    jobs: mpsc::Sender<Job>,
}

impl Turn {
    pub async fn hash(self, password: String) -> Result<String, AppError> {
        self.run(move |memory| {
            memory
                .hash(password.as_bytes())
                .map_err(|e| AppError::Internal(format!("argon2 hash: {e}")))
        })
        .await
    }

    /// Hashes of one-time passwords, in order, with [`one_time_params`]; one turn for the lot
    /// (callers send batches of a few hundred, so that a sign-in waits ~0.1 s at most).
    pub async fn hash_one_time(self, passwords: Vec<String>) -> Result<Vec<String>, AppError> {
        self.run(move |memory| {
            passwords
                .iter()
                .map(|p| {
                    memory
                        .hash_with(p.as_bytes(), one_time_params())
                        .map_err(|e| AppError::Internal(format!("argon2 hash: {e}")))
                })
                .collect()
        })
        .await
    }

    /// Whether `password` matches the stored PHC-format hash.
    pub async fn verify(self, password: String, stored: String) -> Result<bool, AppError> {
        self.run(move |memory| {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| AppError::Internal(format!("stored hash unreadable: {e}")))?;
            // A password Argon2 refuses (over its length limit) matches nothing.
            Ok(memory.verify(password.as_bytes(), &parsed).unwrap_or(false))
        })
        .await
    }

    /// Runs `f` on a hashing thread, holding the turn until it is done: a client that hangs
    /// up drops the request, not the hash already running, whose memory must still count.
    async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&mut Memory) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let (done, answer) = oneshot::channel();
        let held = self.held;
        self.jobs
            .send(Box::new(move |memory: &mut Memory| {
                let value = f(memory);
                drop(held);
                let _ = done.send(value);
            }))
            .map_err(|_| AppError::Internal("the hashing threads have stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("a hashing thread stopped mid-hash".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_own_password_only() {
        let hashing = Hashing::per_core().unwrap();
        let h = hashing.hash("Demo@2017".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        let verify = |password: &str, h: String| {
            let (hashing, password) = (hashing.clone(), password.to_owned());
            async move { hashing.turn().await?.verify(password, h).await }
        };
        assert!(verify("Demo@2017", h.clone()).await.unwrap());
        assert!(!verify("demo@2017", h).await.unwrap());
    }

    /// Hashes stored before the hashing threads had their own memory (made by the crate's
    /// `PasswordHasher`) still verify, and new ones verify with the crate's `PasswordVerifier`.
    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let hashing = Hashing::new(1, QUEUE_WAIT).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default()
            .hash_password(b"Demo@2017", &salt)
            .unwrap()
            .to_string();
        let turn = hashing.turn().await.unwrap();
        assert!(turn.verify("Demo@2017".into(), old.clone()).await.unwrap());
        let turn = hashing.turn().await.unwrap();
        assert!(!turn.verify("Demo@2018".into(), old).await.unwrap());
        let new = hashing.hash("Demo@2017".into()).await.unwrap();
        let parsed = PasswordHash::new(&new).unwrap();
        assert!(Argon2::default()
            .verify_password(b"Demo@2017", &parsed)
            .is_ok());
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
    }

    #[tokio::test]
    async fn one_time_hashes_are_argon2id_and_verify() {
        let hashing = Hashing::new(1, QUEUE_WAIT).unwrap();
        let started = std::time::Instant::now();
        let turn = hashing.turn().await.unwrap();
        let hashes = turn
            .hash_one_time(vec!["k7m4p9xr2t".into(); 100])
            .await
            .unwrap();
        let per_hash = started.elapsed() / 100;
        assert!(per_hash < Duration::from_millis(10), "{per_hash:?} a hash");
        assert!(
            hashes[0].starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
            "{}",
            hashes[0]
        );
        assert_ne!(hashes[0], hashes[1], "each hash has its own salt");
        let turn = hashing.turn().await.unwrap();
        assert!(turn
            .verify("k7m4p9xr2t".into(), hashes[0].clone())
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn a_request_that_waits_too_long_for_its_turn_is_told_the_server_is_busy() {
        let hashing = Hashing::new(1, Duration::from_millis(1)).unwrap();
        let busy = hashing.turn().await.unwrap();
        assert!(matches!(
            hashing.hash("Demo@2017".into()).await,
            Err(AppError::Busy)
        ));
        drop(busy);
        assert!(hashing.hash("Demo@2017".into()).await.is_ok());
    }

    #[tokio::test]
    async fn busy_is_a_503_in_the_error_shape_with_retry_after() {
        use axum::response::IntoResponse;
        let response = AppError::Busy.into_response();
        assert_eq!(
            response.status(),
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(response.headers()["retry-after"], "2");
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "server_busy");
        assert!(!body["error"]["message"].as_str().unwrap().is_ascii());
    }
}
