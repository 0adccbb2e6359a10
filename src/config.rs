//! Settings read once from the environment (and `.env`) into a typed value
//! that is passed to whatever needs it; nothing reads the environment later.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;

/// Which database an install runs on, decided by the scheme of `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A file path (or `:memory:`), with the `sqlite://` scheme removed.
    Sqlite(String),
    /// The URL as given, passed to libpq.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`;
    /// anything else is refused with a message naming the scheme.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if let Some(path) = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(ConfigError::Invalid(
                    "DATABASE_URL",
                    "sqlite:// needs a file path, e.g. sqlite://unionhall.db".into(),
                ));
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            url::Url::parse(raw).map_err(|e| {
                ConfigError::Invalid("DATABASE_URL", format!("not a valid PostgreSQL URL ({e})"))
            })?;
            return Ok(Self::Postgres(raw.to_owned()));
        }
        let scheme = raw.split_once(':').map_or(raw, |(s, _)| s);
        Err(ConfigError::Invalid(
            "DATABASE_URL",
            format!("unknown scheme {scheme:?}; use sqlite://PATH or postgres://USER@HOST/DB"),
        ))
    }

    /// The URL with any password replaced, for log lines and messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{path}"),
            Self::Postgres(raw) => match url::Url::parse(raw) {
                Ok(mut u) if u.password().is_some() => {
                    let _ = u.set_password(Some("***"));
                    u.to_string()
                }
                _ => raw.clone(),
            },
        }
    }
}

/// How and where mail leaves the building.
#[derive(Debug, Clone)]
pub enum MailTransportConfig {
    /// `smtp://` (STARTTLS required unless `?tls=none`) or `smtps://` (TLS from the start).
    Smtp(String),
    /// One `.eml` file per message in this folder: works with no mail server.
    Files(PathBuf),
}

/// Tuning of the outbox worker; the defaults suit production, tests shorten them.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// How often the worker looks for due mail when nothing wakes it.
    pub poll_interval: Duration,
    /// Delay before the first retry; doubled for each further attempt.
    pub retry_base: Duration,
    /// Longest delay between two attempts.
    pub retry_cap: Duration,
    /// How long a message that keeps failing is retried, from its first
    /// try, before it is parked as failed: from `MAIL_RETRY_HOURS`, so a
    /// weekend's outage of the mail server loses nothing.
    pub retry_for: Duration,
    /// How long a claimed message is reserved for the worker that claimed it;
    /// after that another worker may take it (the claimer is presumed dead).
    /// Must exceed a whole batch of sends at `send_timeout` each.
    pub lease: Duration,
    /// Upper bound on one SMTP conversation.
    pub send_timeout: Duration,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(5),
            retry_base: Duration::from_secs(60),
            retry_cap: Duration::from_secs(3600),
            retry_for: Duration::from_secs(48 * 3600),
            lease: Duration::from_secs(600),
            send_timeout: Duration::from_secs(30),
        }
    }
}

/// Every setting of a running unionhall.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database, from `DATABASE_URL`.
    pub database: DatabaseUrl,
    /// The address to listen on, from `BIND`, honoured exactly.
    pub bind: SocketAddr,
    /// The address users reach the site at, used in links in emails.
    pub base_url: url::Url,
    /// True when `BASE_URL` was not set and so follows the bound address.
    pub base_url_follows_bind: bool,
    /// SMTP relay or the mail folder.
    pub mail_transport: MailTransportConfig,
    /// The From: address of every message.
    pub mail_from: String,
    /// Attachments, mail files and the generated secret key live here.
    pub data_dir: PathBuf,
    /// Key material for tokens and for the two-factor secrets' key; at
    /// least 32 bytes.
    pub secret_key: Vec<u8>,
    /// Where `secret_key` came from, for the note beside a backup.
    pub secret_key_origin: KeyOrigin,
    /// Largest number of pooled database connections.
    pub db_pool_size: u32,
    /// Outbox worker tuning.
    pub outbox: OutboxSettings,
    /// The local's name, shown in the page header and emails.
    pub local_name: String,
    /// HTTP worker threads.
    pub web_workers: usize,
    /// Password hashes computed at once; the rest wait, so sign-ins cannot
    /// take every core from page requests.
    pub hash_concurrency: usize,
    /// The time; tests advance it.
    pub clock: crate::clock::Clock,
    /// Take the client's address from `X-Forwarded-For` (only behind a
    /// proxy that sets it), instead of the connection's peer.
    pub trust_proxy_headers: bool,
    /// The local's time zone, from `TIMEZONE`: what "today" is for
    /// deadlines, cut-offs and standing.
    pub timezone: chrono_tz::Tz,
    /// Largest grievance attachment, in bytes.
    pub max_attachment_bytes: usize,
    /// How often the deadline reminder job looks for deadlines.
    pub reminder_every: Duration,
    /// The least time, in days, between publishing an election's roll and
    /// the vote's opening, so members can check and challenge it.
    pub min_challenge_days: u32,
}

/// Where the install's `SECRET_KEY` lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOrigin {
    /// The `SECRET_KEY` setting (environment or `.env`).
    Setting,
    /// The file generated under `DATA_DIR` on first start.
    File(PathBuf),
}

impl KeyOrigin {
    /// Where to find it, in words.
    pub fn describe(&self) -> String {
        match self {
            Self::Setting => "the SECRET_KEY setting (in the environment or .env)".into(),
            Self::File(path) => format!(
                "the file {} (made on first start because SECRET_KEY was not set)",
                path.display()
            ),
        }
    }
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting has a value that cannot be used.
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
    /// The data folder or the secret key file could not be read or written.
    #[error("{0}")]
    Io(String),
}

impl Config {
    /// Reads `.env` (when present) and then the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; a malformed one is worth stopping for.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(ConfigError::Invalid(".env", e.to_string())),
        }
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Builds the settings from any lookup function, so tests need no process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| "sqlite://unionhall.db".into()),
        )?;
        let bind_raw = get("BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_raw.trim().parse().map_err(|_| {
            ConfigError::Invalid(
                "BIND",
                format!("{bind_raw:?} is not an address and port such as 127.0.0.1:8080"),
            )
        })?;
        let base_url_follows_bind = get("BASE_URL").is_none();
        let base_raw = get("BASE_URL").unwrap_or_else(|| format!("http://{bind}"));
        let base_url = url::Url::parse(base_raw.trim_end_matches('/'))
            .map_err(|e| ConfigError::Invalid("BASE_URL", format!("{base_raw:?}: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(
                "BASE_URL",
                "must start with http:// or https://".into(),
            ));
        }
        let data_dir = PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let mail_transport = match get("SMTP_URL") {
            Some(url) => {
                check_smtp_url(&url)?;
                MailTransportConfig::Smtp(url)
            }
            None => MailTransportConfig::Files(data_dir.join("mail")),
        };
        let mail_from =
            get("MAIL_FROM").unwrap_or_else(|| "unionhall <unionhall@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid(
                "MAIL_FROM",
                format!(
                    "{mail_from:?} is not an email address such as Local 20 <hall@example.org>"
                ),
            ));
        }
        let (secret_key, secret_key_origin) = match get("SECRET_KEY") {
            Some(key) => (parse_secret_key(&key)?, KeyOrigin::Setting),
            None => (
                load_or_create_secret_key(&data_dir)?,
                KeyOrigin::File(data_dir.join("secret_key")),
            ),
        };
        let db_pool_size = match get("DB_POOL_SIZE") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| {
                    ConfigError::Invalid("DB_POOL_SIZE", "must be a number from 1 to 256".into())
                })?,
            None => 8,
        };
        let local_name = get("LOCAL_NAME").unwrap_or_else(|| "Our union local".into());
        let web_workers = match get("WEB_WORKERS") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| {
                    ConfigError::Invalid("WEB_WORKERS", "must be a number from 1 to 64".into())
                })?,
            None => std::thread::available_parallelism().map_or(2, usize::from),
        };
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let hash_concurrency = match get("HASH_CONCURRENCY") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| {
                    ConfigError::Invalid("HASH_CONCURRENCY", "must be a number from 1 to 64".into())
                })?,
            None => cores.saturating_sub(1).max(1),
        };
        let trust_proxy_headers = match get("TRUST_PROXY_HEADERS").as_deref() {
            None | Some("false" | "0" | "no") => false,
            Some("true" | "1" | "yes") => true,
            Some(other) => {
                return Err(ConfigError::Invalid(
                    "TRUST_PROXY_HEADERS",
                    format!("{other:?} is not true or false"),
                ));
            }
        };
        let timezone_raw = get("TIMEZONE").unwrap_or_else(|| "UTC".into());
        let timezone: chrono_tz::Tz = timezone_raw.trim().parse().map_err(|_| {
            ConfigError::Invalid(
                "TIMEZONE",
                format!("{timezone_raw:?} is not a time zone name such as America/New_York"),
            )
        })?;
        let max_attachment_bytes = match get("MAX_ATTACHMENT_MB") {
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .map(|mb| mb * 1024 * 1024)
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "MAX_ATTACHMENT_MB",
                        "must be a number of megabytes from 1 to 100".into(),
                    )
                })?,
            None => 10 * 1024 * 1024,
        };
        let min_challenge_days = match get("MIN_CHALLENGE_DAYS") {
            Some(n) => n
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= 60)
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "MIN_CHALLENGE_DAYS",
                        "must be a number of days from 0 to 60".into(),
                    )
                })?,
            None => 3,
        };
        let mut outbox = OutboxSettings::default();
        if let Some(hours) = get("MAIL_RETRY_HOURS") {
            let hours = hours
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|h| (1..=720).contains(h))
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "MAIL_RETRY_HOURS",
                        "must be a number of hours from 1 to 720".into(),
                    )
                })?;
            outbox.retry_for = Duration::from_secs(hours * 3600);
        }
        Ok(Self {
            database,
            bind,
            base_url,
            base_url_follows_bind,
            mail_transport,
            mail_from,
            data_dir,
            secret_key,
            secret_key_origin,
            db_pool_size,
            outbox,
            local_name,
            web_workers,
            hash_concurrency,
            clock: crate::clock::Clock::default(),
            trust_proxy_headers,
            timezone,
            max_attachment_bytes,
            reminder_every: Duration::from_secs(15 * 60),
            min_challenge_days,
        })
    }

    /// Today in the local's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock
            .now()
            .and_utc()
            .with_timezone(&self.timezone)
            .date_naive()
    }

    /// True when users reach the site over HTTPS, so cookies are Secure and HSTS is sent.
    pub fn behind_https(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The domain part of `Message-ID`s: the sender's domain.
    pub fn mail_domain(&self) -> String {
        self.mail_from
            .parse::<lettre::message::Mailbox>()
            .map(|m| m.email.domain().to_owned())
            .unwrap_or_else(|_| "localhost".into())
    }

    /// An absolute link for emails: `BASE_URL` joined with an absolute path.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.base_url.as_str().trim_end_matches('/'), path)
    }
}

fn check_smtp_url(raw: &str) -> Result<(), ConfigError> {
    let url = url::Url::parse(raw)
        .map_err(|e| ConfigError::Invalid("SMTP_URL", format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "smtp" | "smtps") {
        return Err(ConfigError::Invalid(
            "SMTP_URL",
            "must start with smtp:// (STARTTLS) or smtps:// (TLS)".into(),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::Invalid("SMTP_URL", "names no host".into()));
    }
    Ok(())
}

fn parse_secret_key(raw: &str) -> Result<Vec<u8>, ConfigError> {
    let key = hex::decode(raw.trim()).map_err(|_| {
        ConfigError::Invalid(
            "SECRET_KEY",
            "must be hexadecimal (64 hex digits or more)".into(),
        )
    })?;
    if key.len() < 32 {
        return Err(ConfigError::Invalid(
            "SECRET_KEY",
            "must be at least 32 bytes (64 hex digits)".into(),
        ));
    }
    Ok(key)
}

/// The key file under `DATA_DIR`, created with 64 random hex digits on first start.
fn load_or_create_secret_key(data_dir: &Path) -> Result<Vec<u8>, ConfigError> {
    let path = data_dir.join("secret_key");
    match std::fs::read_to_string(&path) {
        Ok(content) => parse_secret_key(&content),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::files::private_dir(data_dir).map_err(|e| {
                ConfigError::Io(format!(
                    "cannot create DATA_DIR {}: {e}",
                    data_dir.display()
                ))
            })?;
            let mut key = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            write_private_file(&path, hex::encode(&key).as_bytes())
                .map_err(|e| ConfigError::Io(format!("cannot write {}: {e}", path.display())))?;
            Ok(key)
        }
        Err(e) => Err(ConfigError::Io(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn write_private_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn sqlite_and_postgres_urls_are_told_apart_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://unionhall.db").ok(),
            Some(DatabaseUrl::Sqlite("unionhall.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/u.db").ok(),
            Some(DatabaseUrl::Sqlite("/var/lib/u.db".into()))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://postgres@127.0.0.1/x"),
            Ok(DatabaseUrl::Postgres(_))
        ));
    }

    #[test]
    fn an_unknown_scheme_is_named_in_the_error() {
        let err = DatabaseUrl::parse("mysql://root@localhost/db").unwrap_err();
        assert!(err.to_string().contains("\"mysql\""), "{err}");
    }

    #[test]
    fn a_password_never_appears_in_the_redacted_url() {
        let url = DatabaseUrl::parse("postgres://hall:hunter2@db.example/hall").unwrap();
        assert!(!url.redacted().contains("hunter2"));
    }

    #[test]
    fn defaults_need_nothing_but_a_data_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let config = Config::from_lookup(lookup(&[("DATA_DIR", data)])).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database, DatabaseUrl::Sqlite("unionhall.db".into()));
        assert!(matches!(
            config.mail_transport,
            MailTransportConfig::Files(_)
        ));
        // The generated key is stored and read back the same on the next start.
        let again = Config::from_lookup(lookup(&[("DATA_DIR", data)])).unwrap();
        assert_eq!(config.secret_key, again.secret_key);
        assert_eq!(config.secret_key.len(), 32);
    }

    #[test]
    fn a_bad_bind_or_smtp_url_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let err =
            Config::from_lookup(lookup(&[("DATA_DIR", data), ("BIND", "localhost")])).unwrap_err();
        assert!(err.to_string().starts_with("BIND:"), "{err}");
        let err = Config::from_lookup(lookup(&[("DATA_DIR", data), ("SMTP_URL", "http://x")]))
            .unwrap_err();
        assert!(err.to_string().starts_with("SMTP_URL:"), "{err}");
    }
}
