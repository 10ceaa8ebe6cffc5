//! `qinxue-server backup <folder>` and `qinxue-server restore <folder>` (issue 13, README
//! "Backup and restore"): a consistent copy of a live SQLite database with the files that go
//! with it, and its way back.
//!
//! A backup is a folder: `qinxue.db` (SQLite's `VACUUM INTO`, one read transaction, so a
//! consistent snapshot of every commit before it, taken beside a running server without
//! stopping its writers), `media/` (uploads are content-addressed and never changed, so
//! copying after the snapshot holds every file it names) and the certificate signing key
//! (without it no certificate issued before could be verified). PostgreSQL is backed up with
//! its own tools (`pg_dump`), which the README describes; the media folder and the key are
//! copied the same way.
//!
//! A server holds [`DataLock`] on its data folder while it runs; `restore` takes it too, so it
//! refuses to run under a live server, and no server starts while it copies.

use crate::certificates::KEY_FILE;
use crate::config::Config;
use crate::storage::SQLITE_FILE;
use sqlx::{Connection, Row, SqliteConnection};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// The file a server locks in its data folder while it runs.
pub const LOCK_FILE: &str = "qinxue.lock";

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: String,
        source: io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] sqlx::Error),
}

fn io_err<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> BackupError + 'a {
    move |source| BackupError::Io {
        what,
        path: path.display().to_string(),
        source,
    }
}

/// The exclusive lock of a data folder, held while a server runs or a restore copies.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

impl DataLock {
    /// Takes the lock, or says that someone holds it.
    pub fn take(data_dir: &Path) -> Result<DataLock, BackupError> {
        fs::create_dir_all(data_dir).map_err(io_err("cannot create", data_dir))?;
        let path = data_dir.join(LOCK_FILE);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("cannot open", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(BackupError::Refused(format!(
                "a server is running on {} (it holds {}); stop it first",
                data_dir.display(),
                path.display()
            ))),
            Err(fs::TryLockError::Error(e)) => Err(io_err("cannot lock", &path)(e)),
        }
    }
}

/// What a backup or restore copied.
#[derive(Debug, Default)]
pub struct Copied {
    pub database_bytes: u64,
    pub media_files: u64,
    pub key: bool,
}

/// Copies the live SQLite database, the media folder and the signing key into `dest`, a
/// folder that must not exist yet (or be empty); checks the copy before it returns.
pub async fn backup(config: &Config, dest: &Path) -> Result<Copied, BackupError> {
    if config.database_url.is_some() {
        return Err(BackupError::Refused(
            "QINXUE_DATABASE_URL names PostgreSQL: back it up with pg_dump (README, \"Backup and \
             restore\"), and copy the media folder and the signing key beside it"
                .into(),
        ));
    }
    let source = config.data_dir.join(SQLITE_FILE);
    if !source.is_file() {
        return Err(BackupError::Refused(format!(
            "no database at {}",
            source.display()
        )));
    }
    empty_folder(dest)?;
    let copy = dest.join(SQLITE_FILE);
    let mut conn = open(&source, false).await?;
    // One read transaction: the copy is the database as of its start, while the server
    // writes on (WAL mode lets a reader run beside the writers).
    sqlx::query("VACUUM INTO ?")
        .bind(copy.display().to_string())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    check(&copy).await?;
    let media_files = copy_tree(&config.media_dir(), &dest.join("media"))?;
    let key = copy_if_present(&config.data_dir.join(KEY_FILE), &dest.join(KEY_FILE))?;
    let database_bytes = fs::metadata(&copy)
        .map_err(io_err("cannot read", &copy))?
        .len();
    Ok(Copied {
        database_bytes,
        media_files,
        key,
    })
}

/// Puts a backup made by [`backup`] in place of the data folder's database, media and key,
/// refusing while a server runs on the folder. What was there is moved aside
/// (`<name>.before-restore-<unix time>`), never deleted.
pub async fn restore(config: &Config, src: &Path) -> Result<Copied, BackupError> {
    if config.database_url.is_some() {
        return Err(BackupError::Refused(
            "QINXUE_DATABASE_URL names PostgreSQL: restore it with pg_restore or psql (README, \
             \"Backup and restore\")"
                .into(),
        ));
    }
    let _lock = DataLock::take(&config.data_dir)?;
    let backup_db = src.join(SQLITE_FILE);
    if !backup_db.is_file() {
        return Err(BackupError::Refused(format!(
            "{} is not a backup: it has no {SQLITE_FILE}",
            src.display()
        )));
    }
    check(&backup_db).await?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let aside = |path: &Path| -> Result<(), BackupError> {
        if path.exists() {
            let mut moved = path.as_os_str().to_owned();
            moved.push(format!(".before-restore-{stamp}"));
            fs::rename(path, PathBuf::from(moved)).map_err(io_err("cannot move aside", path))?;
        }
        Ok(())
    };
    let data = &config.data_dir;
    let db = data.join(SQLITE_FILE);
    for suffix in ["", "-wal", "-shm"] {
        aside(&PathBuf::from(format!("{}{suffix}", db.display())))?;
    }
    fs::copy(&backup_db, &db).map_err(io_err("cannot copy to", &db))?;
    let media = config.media_dir();
    aside(&media)?;
    let media_files = copy_tree(&src.join("media"), &media)?;
    let key_path = data.join(KEY_FILE);
    let key = if src.join(KEY_FILE).is_file() {
        aside(&key_path)?;
        copy_if_present(&src.join(KEY_FILE), &key_path)?
    } else {
        false
    };
    let database_bytes = fs::metadata(&db).map_err(io_err("cannot read", &db))?.len();
    Ok(Copied {
        database_bytes,
        media_files,
        key,
    })
}

async fn open(path: &Path, write: bool) -> Result<SqliteConnection, sqlx::Error> {
    let mode = if write { "rw" } else { "ro" };
    let mut conn =
        SqliteConnection::connect(&format!("sqlite://{}?mode={mode}", path.display())).await?;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .await?;
    Ok(conn)
}

/// `PRAGMA integrity_check` of a database file.
pub async fn check(path: &Path) -> Result<(), BackupError> {
    let mut conn = open(path, false).await?;
    let verdict: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    conn.close().await?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::Refused(format!(
            "{}: integrity check failed: {verdict}",
            path.display()
        )))
    }
}

fn empty_folder(dest: &Path) -> Result<(), BackupError> {
    if dest.exists() {
        let mut entries = fs::read_dir(dest).map_err(io_err("cannot read", dest))?;
        if entries.next().is_some() {
            return Err(BackupError::Refused(format!(
                "{} is not empty: a backup goes into a new folder",
                dest.display()
            )));
        }
    }
    fs::create_dir_all(dest).map_err(io_err("cannot create", dest))
}

fn copy_if_present(from: &Path, to: &Path) -> Result<bool, BackupError> {
    if !from.is_file() {
        return Ok(false);
    }
    fs::copy(from, to).map_err(io_err("cannot copy", from))?;
    Ok(true)
}

/// Copies a folder's files and subfolders; returns how many files. A missing source is an
/// empty folder (no upload yet).
fn copy_tree(from: &Path, to: &Path) -> Result<u64, BackupError> {
    fs::create_dir_all(to).map_err(io_err("cannot create", to))?;
    if !from.is_dir() {
        return Ok(0);
    }
    let mut files = 0;
    for entry in fs::read_dir(from).map_err(io_err("cannot read", from))? {
        let entry = entry.map_err(io_err("cannot read", from))?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(io_err("cannot read", &path))?;
        if kind.is_dir() {
            files += copy_tree(&path, &target)?;
        } else if kind.is_file() {
            fs::copy(&path, &target).map_err(io_err("cannot copy", &path))?;
            files += 1;
        }
    }
    Ok(files)
}
