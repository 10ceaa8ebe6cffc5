//! Storage: one connection pool for reads and one writer, on SQLite (default) or PostgreSQL.
//!
//! Queries are written once, in SQL that both backends accept (`$1` placeholders, BIGINT
//! integers, Unix-second instants), and run through sqlx's `Any` driver. Write transactions
//! run in a spawned task: axum drops a handler's future when its client disconnects, and a
//! SQLite transaction cancelled half-way was seen going back to the pool still holding the
//! write lock (shared/PERFORMANCE.md).

pub mod activities;
pub mod api_tokens;
pub mod audit;
pub mod batch;
pub mod catalogue;
pub mod certificates;
pub mod completion;
pub mod course_admin;
pub mod enrolments;
pub mod group_sessions;
pub mod leases;
pub mod lesson_year_totals;
pub mod login_attempts;
pub mod media;
pub mod orders;
pub mod passwords;
pub mod policy_years;
pub mod practice;
pub mod regions;
pub mod reminders;
pub mod reports;
pub mod roster;
pub mod sessions;
pub mod staff;
pub mod study;
pub mod units;
pub mod users;
pub mod year_standings;

use crate::config::Config;
use crate::error::AppError;
use sqlx::any::AnyPoolOptions;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::AnyConnection;
use sqlx::{Any, AnyPool, Executor, Row};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// File name of the embedded database inside `QINXUE_DATA`.
pub const SQLITE_FILE: &str = "qinxue.db";

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a connection talks to.
    pub fn of(conn: &AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Waits until this transaction alone holds `key`, until it ends: a PostgreSQL advisory lock,
/// so that work which must not interleave does not, on every server instance. SQLite needs
/// nothing: it has one writer, and this runs in its transaction.
pub async fn serialise(conn: &mut AnyConnection, key: i64) -> Result<(), sqlx::Error> {
    if Backend::of(conn) == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Bind markers for `n` values, the first being the statement's `from`th: `$from, …` on
/// PostgreSQL, plain `?` (numbered in order) on SQLite, which looks every `$N` up by name
/// among those seen before it: in a batch statement of thousands that cost more than the
/// statement's work. Statements that use them must use them for all their values, in order.
pub(crate) fn params(conn: &AnyConnection, from: usize, n: usize) -> String {
    markers(Backend::of(conn), from, n)
}

fn markers(backend: Backend, from: usize, n: usize) -> String {
    let numbered = backend == Backend::Postgres;
    let mut out = String::with_capacity(n * 7);
    for i in from..from + n {
        if i > from {
            out.push_str(", ");
        }
        if numbered {
            out.push('$');
            out.push_str(&i.to_string());
        } else {
            out.push('?');
        }
    }
    out
}

/// The future a write closure returns; it borrows the transaction (or its connection). Its
/// error is `AppError` unless the caller names its own ([`Db::write_as`]).
pub type WriteFuture<'c, T, E = AppError> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>;

/// What follows a statement in its [`Tx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// More statements, or a commit of its own.
    More,
    /// Nothing: the transaction commits with this statement.
    Commit,
}

/// A write transaction on a connection that its owner keeps from one transaction to the next
/// (the heartbeat writer's, [`Db::heartbeat_connection`]), run where no client can cancel it
/// (see [`Db::write`]). It begins with its first statement. On SQLite `BEGIN` travels in the
/// same call as that statement and `COMMIT` in the same call as the last one, since every
/// call is a trip to the connection's thread and back; PostgreSQL takes one statement with
/// bound values per call, so there they are statements of their own. Only this type writes
/// them.
#[derive(Debug)]
pub struct Tx {
    conn: PoolConnection<Any>,
    backend: Backend,
    /// Whether a transaction may be open on the connection: from the statement that carries
    /// `BEGIN` until a commit or a rollback has succeeded.
    open: bool,
}

impl Tx {
    /// A transaction on `conn`, which must have none open.
    pub fn new(conn: PoolConnection<Any>) -> Self {
        Self {
            backend: Backend::of(&conn),
            conn,
            open: false,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Bind markers for this transaction's backend, as [`params`].
    pub fn params(&self, from: usize, n: usize) -> String {
        markers(self.backend, from, n)
    }

    /// Runs `sql`, its values bound by `bind`, as the transaction's next statement; returns
    /// the rows of every statement in `sql`.
    pub async fn run<F>(
        &mut self,
        sql: &str,
        then: Then,
        bind: F,
    ) -> Result<Vec<AnyRow>, sqlx::Error>
    where
        F: for<'q> FnOnce(Query<'q, Any, AnyArguments<'q>>) -> Query<'q, Any, AnyArguments<'q>>,
    {
        let inline = self.backend == Backend::Sqlite;
        let begin = !self.open;
        if begin && !inline {
            sqlx::query("BEGIN").execute(&mut *self.conn).await?;
        }
        self.open = true;
        let commit = inline && then == Then::Commit;
        let framed;
        let sql = if (begin && inline) || commit {
            framed = format!(
                "{}{sql}{}",
                if begin && inline {
                    "BEGIN IMMEDIATE; "
                } else {
                    ""
                },
                if commit { "; COMMIT" } else { "" }
            );
            framed.as_str()
        } else {
            sql
        };
        let rows = bind(sqlx::query(sql)).fetch_all(&mut *self.conn).await?;
        if commit {
            self.open = false;
        }
        Ok(rows)
    }

    /// Runs `f` in a savepoint: what it changes is kept when it returns `Ok`, and undone,
    /// alone, when it returns `Err`. The outer `Err` is a failed savepoint statement, after
    /// which the transaction must be rolled back.
    pub async fn savepoint<T, F>(&mut self, f: F) -> Result<Result<T, AppError>, sqlx::Error>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> WriteFuture<'t, T>,
    {
        self.run("SAVEPOINT job", Then::More, |q| q).await?;
        let done = f(self).await;
        let end = match done {
            Ok(_) => "RELEASE SAVEPOINT job",
            Err(_) => "ROLLBACK TO SAVEPOINT job",
        };
        self.run(end, Then::More, |q| q).await?;
        Ok(done)
    }

    /// Commits, unless the commit went with the last statement (or nothing was begun).
    pub async fn commit(&mut self) -> Result<(), sqlx::Error> {
        if self.open {
            sqlx::query("COMMIT").execute(&mut *self.conn).await?;
            self.open = false;
        }
        Ok(())
    }

    /// Rolls back whatever is open.
    pub async fn rollback(&mut self) -> Result<(), sqlx::Error> {
        if self.open {
            sqlx::query("ROLLBACK").execute(&mut *self.conn).await?;
            self.open = false;
        }
        Ok(())
    }

    /// The connection, for the next transaction; none when this one may still be open (its
    /// rollback failed): that connection is closed instead of going back to its pool.
    pub fn into_connection(mut self) -> Option<PoolConnection<Any>> {
        if self.open {
            self.conn.close_on_drop();
            return None;
        }
        Some(self.conn)
    }
}

/// Why the database could not be opened at start-up.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the {backend:?} database: {source}")]
    Connect {
        backend: Backend,
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The database; cheap to clone (every request's state holds one).
#[derive(Clone, Debug)]
pub struct Db(Arc<Pools>);

/// The connections behind a [`Db`].
#[derive(Debug)]
pub struct Pools {
    reader: AnyPool,
    writer: AnyPool,
    /// The heartbeat writer's own connection (SQLite; on PostgreSQL the writer pool).
    heartbeats: AnyPool,
    /// SQLite: the checkpointer's connection (see [`checkpoint`]).
    checkpoints: Option<AnyPool>,
    /// SQLite: whose turn it is to write, between `write` and the heartbeat writer, so that
    /// neither waits on SQLite's lock (which polls with sleeps) and both get their turn.
    turn: Arc<tokio::sync::Mutex<()>>,
    backend: Backend,
}

impl std::ops::Deref for Db {
    type Target = Pools;

    fn deref(&self) -> &Pools {
        &self.0
    }
}

impl Db {
    /// Opens (creating if needed) the configured database and brings its schema up to date.
    pub async fn connect(config: &Config) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let db = match &config.database_url {
            Some(url) => {
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url.expose())
                    .await
                    .map_err(|source| StorageError::Connect {
                        backend: Backend::Postgres,
                        source,
                    })?;
                // PostgreSQL serialises conflicting writes itself; one pool serves both roles.
                Db(Arc::new(Pools {
                    reader: pool.clone(),
                    heartbeats: pool.clone(),
                    writer: pool,
                    checkpoints: None,
                    turn: Arc::default(),
                    backend: Backend::Postgres,
                }))
            }
            None => {
                std::fs::create_dir_all(&config.data_dir).map_err(|source| {
                    StorageError::DataDir {
                        path: config.data_dir.display().to_string(),
                        source,
                    }
                })?;
                let path = config.data_dir.join(SQLITE_FILE);
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let connect = |max: u32, tuning: &'static str| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(10))
                        // A ping before each use is a trip to the connection's thread and back,
                        // and an in-process SQLite connection does not drop.
                        .test_before_acquire(false)
                        .after_connect(move |conn, _| {
                            Box::pin(async move {
                                // WAL lets readers run beside the writer; FULL sync because a
                                // committed payment must survive a power cut.
                                conn.execute(
                                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                                )
                                .await?;
                                conn.execute(tuning).await?;
                                Ok(())
                            })
                        })
                        .connect(&url)
                };
                let err = |source| StorageError::Connect {
                    backend: Backend::Sqlite,
                    source,
                };
                // Two writer connections, one for the heartbeat writer and one for everything
                // else, taking turns (`turn`), so that no transaction meets SQLITE_BUSY. A
                // writer keeps what it writes in memory: a batch of heartbeats dirties a page
                // per session, more than the default 2 MB holds. Neither checkpoints the WAL
                // at its commits (which would stall the heartbeats behind a checkpoint's
                // copying and fsync); the checkpointer does, on its own connection.
                // The heartbeat writer reads the sessions it does not know through a memory map
                // instead of copying each page.
                let writer = connect(
                    1,
                    "PRAGMA cache_size = -16384; PRAGMA wal_autocheckpoint = 0;",
                )
                .await
                .map_err(err)?;
                let heartbeats = connect(
                    1,
                    "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 0; \
                     PRAGMA mmap_size = 1073741824;",
                )
                .await
                .map_err(err)?;
                let reader = connect(4, "PRAGMA cache_size = -2000;")
                    .await
                    .map_err(err)?;
                let checkpoints = connect(1, "PRAGMA wal_autocheckpoint = 0;")
                    .await
                    .map_err(err)?;
                let turn = Arc::default();
                tokio::spawn(checkpoint(checkpoints.clone(), Arc::clone(&turn)));
                Db(Arc::new(Pools {
                    reader,
                    writer,
                    heartbeats,
                    checkpoints: Some(checkpoints),
                    turn,
                    backend: Backend::Sqlite,
                }))
            }
        };
        let migrator = match db.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&db.writer).await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<PoolConnection<Any>, AppError> {
        Ok(self.reader.acquire().await?)
    }

    /// Runs `f` in a write transaction that commits when it returns `Ok` and rolls back
    /// otherwise. It runs in its own task, so a client that hangs up cannot cancel it half-way.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        self.write_as(f).await
    }

    /// As [`Db::write`], for a closure that refuses with the caller's own error, so that a
    /// refusal found inside the transaction reaches the caller as itself. The error type is
    /// named at the call (`write_as::<_, SeatError, _>`): nothing else could infer it.
    pub async fn write_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + From<AppError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> WriteFuture<'c, T, E> + Send + 'static,
    {
        let writer = self.writer.clone();
        let turn = self.turn.clone();
        let sqlite = self.backend == Backend::Sqlite;
        tokio::spawn(async move {
            let _turn = match sqlite {
                true => Some(turn.lock_owned().await),
                false => None,
            };
            let mut tx = writer.begin().await?;
            let value = f(&mut tx).await?;
            tx.commit().await?;
            Ok::<T, E>(value)
        })
        .await
        .map_err(|e| AppError::Internal(format!("write task failed: {e}")))?
    }

    /// The heartbeat writer's connection. The writer runs on its own thread where no client
    /// can cancel it half-way, runs its transactions on it as [`Tx`]s, and never gives the
    /// connection back with one open (see `write` for everyone else).
    pub async fn heartbeat_connection(&self) -> Result<PoolConnection<Any>, AppError> {
        Ok(self.heartbeats.acquire().await?)
    }

    /// On SQLite, waits for the turn to write (see `turn`); held until dropped.
    pub async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        match self.backend {
            Backend::Sqlite => Some(self.turn.clone().lock_owned().await),
            Backend::Postgres => None,
        }
    }

    /// SQLite: copies the whole WAL into the database file and empties it, in the writers'
    /// turn (at shutdown, after the last write; and before a backup), so that the file alone
    /// holds every commit. PostgreSQL checkpoints by itself.
    pub async fn checkpoint(&self) {
        let Some(pool) = &self.checkpoints else {
            return;
        };
        let _turn = self.write_turn().await;
        match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(pool)
            .await
            .and_then(|r| Ok((r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?)))
        {
            Ok((0, pages)) => tracing::info!(pages, "WAL checkpointed"),
            Ok((_, pages)) => tracing::warn!(pages, "WAL checkpoint could not finish (busy)"),
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }

    /// Closes every connection (the SQLite WAL is checkpointed on the last close).
    pub async fn close(&self) {
        self.reader.close().await;
        self.heartbeats.close().await;
        if let Some(c) = &self.checkpoints {
            c.close().await;
        }
        self.writer.close().await;
    }
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// A WAL longer than this (in pages, 64 MB) is checkpointed in the writers' turn, so that it
/// starts again from its beginning: under writes that never pause, passive checkpoints alone
/// never let it, and it would grow without end. Heartbeats write about a page each, so under
/// full load that is every few seconds; passive checkpoints do the copying in between.
const WAL_RESTART_PAGES: i64 = 16_384;

/// Copies committed pages from the WAL into the database file beside the writers (a passive
/// checkpoint waits for nobody, and has done most of the copying by the time a restart needs
/// the writers to pause). Stops when its pool is closed.
async fn checkpoint(pool: AnyPool, turn: Arc<tokio::sync::Mutex<()>>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut restart = false;
    while !pool.is_closed() {
        tick.tick().await;
        let _turn = match restart {
            true => Some(turn.lock().await),
            false => None,
        };
        let mode = if restart { "RESTART" } else { "PASSIVE" };
        let done = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
            .fetch_one(&pool)
            .await
            .and_then(|r| r.try_get::<i64, _>(1));
        match done {
            Ok(wal_pages) => restart = wal_pages > WAL_RESTART_PAGES,
            Err(e) if !pool.is_closed() => tracing::warn!(error = %e, "WAL checkpoint failed"),
            Err(_) => {}
        }
    }
}

/// Parses a stored enum value; a value the code does not know means a corrupt row.
pub(crate) fn stored_enum<T>(value: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(value)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown stored value {value:?}").into()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The two migration folders must say the same thing; they may differ only in how a row id
    /// is declared. A migration added to one folder and not the other fails here.
    #[test]
    fn the_sqlite_and_postgresql_migrations_match() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let names = |backend: &str| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(dir.join(backend))
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names("sqlite"), names("postgres"));
        let normalise = |text: String| -> String {
            text.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "ROW ID")
                .replace(
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                    "ROW ID",
                )
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for name in names("postgres") {
            let read =
                |backend: &str| std::fs::read_to_string(dir.join(backend).join(&name)).unwrap();
            assert_eq!(
                normalise(read("sqlite")),
                normalise(read("postgres")),
                "{name} differs"
            );
        }
    }
}
