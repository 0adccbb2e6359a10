//! The database: one connection type over SQLite and PostgreSQL, the pool,
//! per-connection settings, embedded migrations and write transactions.

pub mod schema;
pub mod text_enum;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseUrl;

/// A connection to whichever backend `DATABASE_URL` names.
///
/// PostgreSQL comes first: diesel's own `establish` tries variants in order
/// and SQLite accepts any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// A PostgreSQL server, for installs that run several processes.
    Postgres(PgConnection),
    /// The embedded default.
    Sqlite(SqliteConnection),
}

/// The shared pool every request and the mail worker draw from.
pub type DbPool = r2d2::Pool<Manager>;

/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

// Long enough to ride out a burst of writers; short enough that a stuck
// lock shows up as an error page rather than a hung request.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Why the database could not be opened, migrated or used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The server did not answer or refused the connection.
    #[error("cannot open database {url}: {reason}")]
    Connect {
        /// The URL without its password.
        url: String,
        /// What the driver said.
        reason: String,
    },
    /// A migration failed to apply.
    #[error("cannot migrate database {url}: {reason}")]
    Migrate {
        /// The URL without its password.
        url: String,
        /// What the migration runner said.
        reason: String,
    },
    /// A query failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// No connection became free in time.
    #[error("no database connection available: {0}")]
    Pool(String),
}

/// Opens connections of the kind the URL names, never guessing.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

impl Manager {
    /// A manager for this database.
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    fn open(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConnection::Postgres),
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                apply_sqlite_pragmas(&mut conn).map_err(|e| {
                    diesel::ConnectionError::BadConnection(format!("cannot configure SQLite: {e}"))
                })?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// The settings every SQLite connection runs with (see ARCHITECTURE.md). `busy_timeout`
/// comes first so that switching to WAL waits for a concurrent opener instead
/// of failing; PRAGMAs go through `batch_execute` because `sql_query` runs
/// only the first statement of several.
fn apply_sqlite_pragmas(conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;"
    ))
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.open().map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Re-applies the SQLite settings whenever the pool hands out a connection,
/// in case something reset them.
#[derive(Debug)]
struct SqliteSettings;

impl CustomizeConnection<DbConnection, r2d2::Error> for SqliteSettings {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        if let DbConnection::Sqlite(conn) = conn {
            // foreign_keys is per connection and cheap to set; the rest is
            // set once in `open`.
            conn.batch_execute("PRAGMA foreign_keys = ON;")
                .map_err(r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// Opens the database, applies pending migrations and returns a pool.
///
/// One connection is opened directly first so that a bad or unreachable
/// database is reported with the driver's own words, not a pool time-out.
pub fn connect_and_migrate(url: &DatabaseUrl, pool_size: u32) -> Result<DbPool, DbError> {
    let manager = Manager::new(url.clone());
    keep_sqlite_files_private(url);
    let mut first = manager.open().map_err(|e| DbError::Connect {
        url: url.redacted(),
        reason: one_line(&e.to_string()),
    })?;
    run_migrations(&mut first).map_err(|reason| DbError::Migrate {
        url: url.redacted(),
        reason,
    })?;
    drop(first);
    // The WAL and shared-memory files exist only once SQLite has opened.
    keep_sqlite_files_private(url);
    build_pool(manager, pool_size).map_err(|e| DbError::Connect {
        url: url.redacted(),
        reason: one_line(&e.to_string()),
    })
}

/// The database file, its WAL and shared-memory file, readable by this user
/// only. A file that cannot be narrowed (owned by someone else) is reported
/// and start-up goes on: refusing to start would not make it private.
fn keep_sqlite_files_private(url: &DatabaseUrl) {
    if let DatabaseUrl::Sqlite(path) = url
        && let Err(e) = crate::files::prepare_sqlite(path)
    {
        tracing::warn!(path, error = %e, "cannot make the database file private (mode 0600)");
    }
}

/// Applies every embedded migration not yet applied; returns their names.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, String> {
    refuse_to_drop_plain_ballots(conn)?;
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| one_line(&e.to_string()))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// The migration to encrypted ballots drops the table that held choices in
/// the clear: a vote published or open under the old version would lose its
/// ballots, or be left with no key. Until it is closed and counted, the
/// upgrade waits, and says which vote.
fn refuse_to_drop_plain_ballots(conn: &mut DbConnection) -> Result<(), String> {
    #[derive(diesel::QueryableByName)]
    struct Title {
        #[diesel(sql_type = diesel::sql_types::Text)]
        title: String,
    }
    // Fails, and so lets the upgrade go on, once the old table is gone.
    let waiting = diesel::sql_query(
        "SELECT title FROM elections WHERE status IN ('published', 'open') \
         AND (SELECT COUNT(*) FROM ballot_answers) >= 0 ORDER BY id",
    )
    .load::<Title>(conn);
    match waiting {
        Ok(votes) if !votes.is_empty() => {
            let titles: Vec<String> = votes
                .into_iter()
                .map(|v| format!("\"{}\"", v.title))
                .collect();
            Err(format!(
                "This version keeps ballots encrypted and cannot take over a vote that the running version published or opened ({}). Close and count it with the version you run now, then upgrade.",
                titles.join(", ")
            ))
        }
        _ => Ok(()),
    }
}

/// Applies the embedded migrations up to and including the one whose name
/// starts with `last`: a test builds the database an older version left.
#[doc(hidden)]
pub fn run_migrations_to(conn: &mut DbConnection, last: &str) -> Result<(), String> {
    fn step<C, D>(c: &mut C, source: fn() -> EmbeddedMigrations, last: &str) -> Result<(), String>
    where
        C: MigrationHarness<D>,
        D: diesel::backend::Backend,
        EmbeddedMigrations: diesel::migration::MigrationSource<D>,
    {
        loop {
            let pending = c
                .pending_migrations(source())
                .map_err(|e| one_line(&e.to_string()))?;
            let Some(next) = pending.first() else {
                return Ok(());
            };
            let name = next.name().to_string();
            c.run_migration(next.as_ref())
                .map_err(|e| one_line(&e.to_string()))?;
            if name.starts_with(last) {
                return Ok(());
            }
        }
    }
    match conn {
        DbConnection::Postgres(c) => step(c, || POSTGRES_MIGRATIONS, last),
        DbConnection::Sqlite(c) => step(c, || SQLITE_MIGRATIONS, last),
    }
}

fn build_pool(manager: Manager, pool_size: u32) -> Result<DbPool, r2d2::Error> {
    r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(SqliteSettings))
        .build(manager)
        .map_err(|e| {
            r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string()))
        })
}

/// True when a trivial query succeeds: what `/healthz` reports.
pub fn ping(conn: &mut DbConnection) -> bool {
    diesel::sql_query("SELECT 1").execute(conn).is_ok()
}

/// The id the last insert on this connection was given (the connection's
/// own, so other sessions' inserts do not interfere). MultiConnection has
/// no `RETURNING`, so inserts that need their id ask for it after.
pub fn last_insert_id(conn: &mut DbConnection) -> diesel::QueryResult<i64> {
    use diesel::sql_types::BigInt;
    match conn {
        DbConnection::Sqlite(lite) => {
            diesel::select(diesel::dsl::sql::<BigInt>("last_insert_rowid()")).get_result(lite)
        }
        DbConnection::Postgres(pg) => {
            diesel::select(diesel::dsl::sql::<BigInt>("lastval()")).get_result(pg)
        }
    }
}

/// Runs `f` in a transaction that takes the write lock at its start
/// (`BEGIN IMMEDIATE` on SQLite), so two writers queue on `busy_timeout`
/// instead of one failing with "database is locked" half-way through.
/// Commits when `f` returns `Ok`, rolls back otherwise.
pub fn write_tx<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let outcome = f(conn);
    let finish = match (&outcome, &mut *conn) {
        (Ok(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), DbConnection::Postgres(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), DbConnection::Postgres(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (outcome, finish) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(commit_error)) => {
            // A failed COMMIT can leave the transaction open; close it so the
            // pooled connection is usable again.
            let _ = match conn {
                DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
                DbConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
            };
            Err(commit_error.into())
        }
        (Err(e), _) => Err(e),
    }
}

/// Copies a SQLite database to `target` while the server keeps running
/// (`VACUUM INTO` reads one consistent snapshot). PostgreSQL is backed up
/// with its own tools.
pub fn backup(url: &DatabaseUrl, target: &std::path::Path) -> Result<(), String> {
    let DatabaseUrl::Sqlite(_) = url else {
        return Err(
            "backup copies SQLite databases only; for PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=unionhall.dump \"$DATABASE_URL\"; its two-factor secrets are encrypted with a key derived from SECRET_KEY, so keep SECRET_KEY to restore it"
                .into(),
        );
    };
    let target_path = target;
    let target = target
        .to_str()
        .ok_or_else(|| "the backup file name must be valid UTF-8".to_owned())?;
    // VACUUM INTO fills an empty file as it finds it: made here first, it is
    // private from its first byte, and a file already there is never touched.
    match crate::files::create_new_private(target_path) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(format!("{target} already exists; choose a new file name"));
        }
        Err(e) => return Err(format!("cannot create {target}: {e}")),
    }
    let copied = Manager::new(url.clone())
        .open()
        .map_err(|e| {
            format!(
                "cannot open database {}: {}",
                url.redacted(),
                one_line(&e.to_string())
            )
        })
        .and_then(|mut conn| {
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(target)
                .execute(&mut conn)
                .map(drop)
                .map_err(|e| format!("backup to {target} failed: {e}"))
        });
    if copied.is_err() {
        let _ = std::fs::remove_file(target_path);
    }
    copied
}

/// Driver errors span lines; start-up reports them on one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_migration_folders_hold_the_same_names() {
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let sqlite = names("migrations/sqlite");
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names("migrations/postgres"));
    }

    #[test]
    fn a_sqlite_connection_gets_wal_full_sync_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").to_string_lossy().into_owned();
        let pool = connect_and_migrate(&DatabaseUrl::Sqlite(path), 2).unwrap();
        let mut conn = pool.get().unwrap();
        #[derive(diesel::QueryableByName)]
        struct Value {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut pragma = |name: &str| {
            // pragma_busy_timeout names its column "timeout".
            let column = if name == "busy_timeout" {
                "timeout"
            } else {
                name
            };
            diesel::sql_query(format!(
                "SELECT CAST({column} AS TEXT) AS v FROM pragma_{name}"
            ))
            .get_result::<Value>(&mut *conn)
            .unwrap()
            .v
        };
        assert_eq!(pragma("journal_mode"), "wal");
        assert_eq!(pragma("synchronous"), "2"); // FULL
        // A scrubbed receipt's old bytes are zeroed, not left in free pages.
        assert_eq!(pragma("secure_delete"), "1");
        assert_eq!(pragma("foreign_keys"), "1");
        assert_eq!(pragma("busy_timeout"), SQLITE_BUSY_TIMEOUT_MS.to_string());
    }

    #[test]
    fn a_failed_write_transaction_leaves_nothing_behind() {
        use crate::db::schema::outbox::dsl::*;
        use diesel::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").to_string_lossy().into_owned();
        let pool = connect_and_migrate(&DatabaseUrl::Sqlite(path), 2).unwrap();
        let mut conn = pool.get().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let result: Result<(), diesel::result::Error> = write_tx(&mut conn, |c| {
            diesel::insert_into(outbox)
                .values((
                    message_id.eq("<x@test>"),
                    recipient.eq("a@example.org"),
                    subject.eq("s"),
                    body_text.eq("t"),
                    body_html.eq("h"),
                    template.eq("test"),
                    next_attempt_at.eq(now),
                    created_at.eq(now),
                ))
                .execute(c)?;
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(result.is_err());
        let count: i64 = outbox.count().get_result(&mut conn).unwrap();
        assert_eq!(count, 0);
        // The connection is usable for the next transaction.
        let ok: Result<usize, diesel::result::Error> =
            write_tx(&mut conn, |c| diesel::delete(outbox).execute(c));
        assert!(ok.is_ok());
    }

    #[test]
    fn backup_copies_a_live_sqlite_database_and_refuses_postgres() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::Sqlite(dir.path().join("live.db").to_string_lossy().into_owned());
        let pool = connect_and_migrate(&url, 2).unwrap();
        let _held = pool.get().unwrap();
        let target = dir.path().join("copy.db");
        backup(&url, &target).unwrap();
        let copy = DatabaseUrl::Sqlite(target.to_string_lossy().into_owned());
        let mut conn = Manager::new(copy).open().unwrap();
        assert!(
            run_migrations(&mut conn).unwrap().is_empty(),
            "the copy is fully migrated"
        );
        assert!(
            backup(&url, &target)
                .unwrap_err()
                .contains("already exists")
        );
        let pg = DatabaseUrl::Postgres("postgres://postgres@127.0.0.1/x".into());
        assert!(
            backup(&pg, &dir.path().join("pg.db"))
                .unwrap_err()
                .contains("pg_dump")
        );
    }
}
