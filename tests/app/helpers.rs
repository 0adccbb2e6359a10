//! The test harness: a real server on port 0 against a real database (a
//! fresh SQLite file, or a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` names a server), a real SMTP listener, and a
//! cookie-keeping HTTP client.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use diesel::Connection;
use diesel::connection::SimpleConnection;
use tempfile::TempDir;
use unionhall::app::Application;
use unionhall::audit::Actor;
use unionhall::config::{Config, DatabaseUrl};
use unionhall::db::{DbPool, write_tx};
use unionhall::dues::rules::Rate;
use unionhall::elections::store::QuestionDraft;
use unionhall::grievances::calendar::DayCount;
use unionhall::money::Cents;
use unionhall::users::Role;

/// Whether a suite that needs something this machine lacks must fail
/// rather than skip: CI sets `CI`, so a missing browser or database there
/// is an error, not a silent pass.
pub fn skip_or_fail(reason: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("required in CI but unavailable: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// The admin URL of a PostgreSQL server for tests that need one whatever
/// the suite's backend: `TEST_POSTGRES_URL`, else `TEST_DATABASE_URL`, else
/// the server the project's machines run on 127.0.0.1:5432. `None` when
/// nothing answers there.
pub fn postgres_admin_url() -> Option<String> {
    let url = std::env::var("TEST_POSTGRES_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    diesel::PgConnection::establish(&url).ok().map(|_| url)
}

/// A PostgreSQL database made for one test and dropped after it.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database on the server behind `admin_url`.
    pub fn create(admin_url: &str) -> Self {
        let name = format!("uh_test_{}", random_hex(8));
        let mut admin = diesel::PgConnection::establish(admin_url).expect("PostgreSQL answers");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("can create a test database");
        let mut url = url::Url::parse(admin_url).expect("a URL");
        url.set_path(&format!("/{name}"));
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// What outlives one server process: the data folder and the database.
pub struct TestEnv {
    pub data: TempDir,
    pub database: DatabaseUrl,
    _pg: Option<PgDatabase>,
}

impl TestEnv {
    /// A fresh data folder and database for the suite's backend.
    pub fn new() -> Self {
        let data = tempfile::tempdir().expect("a temp folder");
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin) if !admin.is_empty() => {
                let pg = PgDatabase::create(&admin);
                Self {
                    data,
                    database: DatabaseUrl::Postgres(pg.url.clone()),
                    _pg: Some(pg),
                }
            }
            _ => {
                let path = data
                    .path()
                    .join("unionhall.db")
                    .to_string_lossy()
                    .into_owned();
                Self {
                    data,
                    database: DatabaseUrl::Sqlite(path),
                    _pg: None,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.database, DatabaseUrl::Postgres(_))
    }

    /// Settings as a fresh install would have them, pointed at this
    /// environment, with the outbox worker's clock sped up.
    pub fn config(&self, smtp_port: u16) -> Config {
        let data_dir = self.data.path().to_string_lossy().into_owned();
        let database = match &self.database {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let smtp = format!("smtp://127.0.0.1:{smtp_port}?tls=none");
        let vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", database),
            ("BIND", "127.0.0.1:0".into()),
            ("DATA_DIR", data_dir),
            ("SMTP_URL", smtp),
            ("MAIL_FROM", "Test Local <hall@example.org>".into()),
            ("LOCAL_NAME", "Test Local 1".into()),
            ("WEB_WORKERS", "1".into()),
            ("DB_POOL_SIZE", "4".into()),
        ]);
        let mut config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test config");
        config.outbox.poll_interval = Duration::from_millis(50);
        config.outbox.retry_base = Duration::from_millis(200);
        config.outbox.retry_cap = Duration::from_secs(1);
        config.outbox.retry_for = Duration::from_secs(3);
        config.outbox.send_timeout = Duration::from_secs(5);
        config.outbox.lease = Duration::from_secs(60);
        config
    }
}

/// A running server with its environment, mail sink and client.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub smtp: SmtpSink,
    pub pool: DbPool,
    pub config: Config,
    pub env: TestEnv,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    /// A fresh install, serving.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A fresh install whose settings `change` adjusts first.
    pub async fn spawn_with(change: impl FnOnce(&mut Config)) -> Self {
        let env = TestEnv::new();
        let smtp = SmtpSink::start();
        let mut config = env.config(smtp.port);
        change(&mut config);
        Self::start(env, smtp, config).await
    }

    async fn start(env: TestEnv, smtp: SmtpSink, config: Config) -> Self {
        let app = Application::build(config).await.expect("the server starts");
        // The bound port is now known; links in mail carry it.
        let config = app.config().clone();
        let address = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool();
        let handle = app.server_handle();
        let task = tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            address,
            client,
            smtp,
            pool,
            config,
            env,
            handle,
            task,
        }
    }

    /// Stops this server (as a crash or a deploy would, after requests in
    /// flight) and starts a new one on the same database and data folder.
    pub async fn restart(self, change: impl FnOnce(&mut Config)) -> Self {
        let Self {
            smtp,
            mut config,
            env,
            handle,
            task,
            ..
        } = self;
        handle.stop(false).await;
        let _ = task.await;
        change(&mut config);
        Self::start(env, smtp, config).await
    }

    /// Stops this server and starts one with `change`d settings that must
    /// refuse to start; returns what it said.
    pub async fn restart_fails(self, change: impl FnOnce(&mut Config)) -> String {
        let Self {
            mut config,
            handle,
            task,
            ..
        } = self;
        handle.stop(false).await;
        let _ = task.await;
        change(&mut config);
        match Application::build(config).await {
            Ok(_) => panic!("the server started"),
            Err(e) => e.to_string(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// A database connection beside the server, for arranging and checking state.
    pub fn db(&self) -> unionhall::db::PooledConn {
        self.pool.get().expect("a database connection")
    }
}

/// One message the SMTP listener accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The first link in the body that starts with `prefix`, with the
    /// quoted-printable soft line breaks and escaped `=` undone.
    pub fn link(&self, prefix: &str) -> String {
        let body = self.data.replace("=\r\n", "").replace("=3D", "=");
        let start = body.find(prefix).expect("the mail carries the link");
        body[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
            .next()
            .unwrap()
            .to_owned()
    }

    /// A header's value, unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// A small SMTP server on loopback that keeps what it accepts. How it
/// answers depends on the recipient, so tests running side by side do not
/// disturb each other:
/// - `reject…@` is refused for good (550);
/// - `tempfailN…@` (N a digit) is refused for now (451) the first N times;
/// - anyone else is accepted.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
    tempfails: Arc<Mutex<HashMap<String, u32>>>,
}

impl SmtpSink {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for SMTP");
        let port = listener.local_addr().expect("an address").port();
        let sink = Self {
            port,
            messages: Arc::default(),
            tempfails: Arc::default(),
        };
        let for_thread = sink.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = for_thread.clone();
                std::thread::spawn(move || {
                    let _ = sink.converse(stream);
                });
            }
        });
        sink
    }

    /// Everything accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.messages.lock().expect("not poisoned").clone()
    }

    /// Waits until at least `count` messages arrived (or `within` ends).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= count || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// What was sent to one address.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }

    fn rcpt_reply(&self, address: &str) -> &'static str {
        let local = address.split('@').next().unwrap_or_default();
        if local.starts_with("reject") {
            return "550 5.1.1 No such mailbox here";
        }
        if let Some(rest) = local.strip_prefix("tempfail") {
            let limit = rest
                .chars()
                .next()
                .and_then(|c| c.to_digit(10))
                .unwrap_or(1);
            let mut counts = self.tempfails.lock().expect("not poisoned");
            let seen = counts.entry(address.to_owned()).or_insert(0);
            *seen += 1;
            if *seen <= limit {
                return "451 4.3.0 Try again later";
            }
        }
        "250 2.1.5 OK"
    }

    fn converse(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut writer = stream.try_clone()?;
        let mut reader = BufReader::new(stream);
        writer.write_all(b"220 sink ESMTP ready\r\n")?;
        let mut rcpts: Vec<String> = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_owned();
            let upper = command.to_ascii_uppercase();
            let reply: String = if upper.starts_with("EHLO") {
                "250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8".into()
            } else if upper.starts_with("HELO") {
                "250 sink".into()
            } else if upper.starts_with("MAIL FROM") {
                rcpts.clear();
                "250 2.1.0 OK".into()
            } else if upper.starts_with("RCPT TO") {
                let address = command
                    .split_once('<')
                    .and_then(|(_, r)| r.split_once('>'))
                    .map(|(a, _)| a.to_owned())
                    .unwrap_or_default();
                let reply = self.rcpt_reply(&address);
                if reply.starts_with('2') {
                    rcpts.push(address);
                }
                reply.into()
            } else if upper == "DATA" {
                if rcpts.is_empty() {
                    "554 5.5.1 No valid recipients".into()
                } else {
                    writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                    let mut data = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line)? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" || line == ".\n" {
                            break;
                        }
                        let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                        data.push_str(unstuffed);
                    }
                    self.messages.lock().expect("not poisoned").push(Received {
                        to: std::mem::take(&mut rcpts),
                        data,
                    });
                    "250 2.0.0 Queued".into()
                }
            } else if upper == "RSET" || upper == "NOOP" {
                rcpts.clear();
                "250 2.0.0 OK".into()
            } else if upper == "QUIT" {
                writer.write_all(b"221 2.0.0 Bye\r\n")?;
                return Ok(());
            } else {
                "502 5.5.2 Command not recognised".into()
            };
            writer.write_all(format!("{reply}\r\n").as_bytes())?;
        }
    }
}

/// A port with nothing listening: connecting to it is refused.
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("an address").port()
}

/// A browser-like client with its own cookie jar, talking to one server.
pub struct TestClient {
    pub http: reqwest::Client,
    pub base: String,
    /// The address this client claims via `X-Forwarded-For` (when the server trusts it).
    pub forwarded_for: Option<String>,
}

/// The response of a request, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// The value of an `<input name=…>` or `<meta name=…>` on the page.
    pub fn value_of(&self, name: &str) -> Option<String> {
        for marker in [
            format!("name=\"{name}\" value=\""),
            format!("name=\"{name}\" content=\""),
        ] {
            if let Some(start) = self.body.find(&marker) {
                let rest = &self.body[start + marker.len()..];
                return rest.split('"').next().map(html_unescape);
            }
        }
        None
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            // Under load the server may close a kept-alive connection just
            // as the client reuses it; don't keep idle ones that long.
            .pool_idle_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            http,
            base: base.to_owned(),
            forwarded_for: None,
        }
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = response.text().await.expect("a body");
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    fn with_address(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.forwarded_for {
            Some(ip) => request.header("x-forwarded-for", ip),
            None => request,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let request = self.with_address(self.http.get(format!("{}{}", self.base, path)));
        Self::read(request.send().await.expect("the server answers")).await
    }

    /// GETs `path`, following redirects within the site.
    pub async fn visit(&self, path: &str) -> Page {
        let mut page = self.get(path).await;
        for _ in 0..5 {
            match (page.status, page.location.clone()) {
                (301..=308, Some(location)) if location.starts_with('/') => {
                    page = self.get(&location).await
                }
                _ => break,
            }
        }
        page
    }

    /// The CSRF token a page of the site hands this client now.
    pub async fn csrf(&self) -> String {
        self.visit("/")
            .await
            .value_of("csrf-token")
            .expect("every page carries a CSRF token")
    }

    /// POSTs a form with this client's current CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_raw(path, &all).await
    }

    /// POSTs exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.with_address(
            self.http
                .post(format!("{}{}", self.base, path))
                .form(fields),
        );
        Self::read(request.send().await.expect("the server answers")).await
    }

    /// Sends the dues page's rate form for a percentage of base salary:
    /// `rate` is (percent, monthly minimum, monthly maximum) as typed, and
    /// `ballot` the adopting question's id ("" for none).
    pub async fn post_percent_rate(
        &self,
        unit: i64,
        from: &str,
        (percent, min, max): (&str, &str, &str),
        ballot: &str,
    ) -> Page {
        let unit = unit.to_string();
        self.post(
            "/officer/dues/rate",
            &[
                ("unit", unit.as_str()),
                ("from", from),
                ("kind", "percent"),
                ("percent", percent),
                ("min", min),
                ("max", max),
                ("ballot", ballot),
            ],
        )
        .await
    }

    /// Signs in with a password; returns the answer to the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.post(
            "/sign-in",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

pub const PASSWORD: &str = "tin cup river spoon";

impl TestApp {
    /// A client with its own cookies.
    pub fn new_client(&self) -> TestClient {
        TestClient::new(&self.address)
    }

    /// Creates an active user with a password, directly in the database;
    /// an account a vote's notice invited is taken up as its invitation
    /// would be.
    pub fn create_user(&self, email: &str, name: &str, roles: &[Role]) -> i64 {
        use unionhall::users;
        let hash = unionhall::auth::password::hash_blocking(PASSWORD).unwrap();
        let now = self.config.clock.now();
        let mut conn = self.db();
        write_tx(&mut conn, |c| match users::find_by_email(c, email)? {
            Some(pending) if pending.password_hash.is_none() => {
                users::set_password(c, pending.id, &hash, now)?;
                users::set_roles(c, pending.id, roles)?;
                Ok(pending.id)
            }
            _ => users::create(c, email, name, Some(&hash), roles, now),
        })
        .unwrap()
    }

    /// Turns two-factor on for a user, directly; returns the secret.
    pub fn enrol_two_factor(&self, user_id: i64) -> String {
        use diesel::prelude::*;
        use unionhall::db::schema::users;
        let secret = unionhall::auth::two_factor::new_secret();
        diesel::update(users::table.find(user_id))
            .set(users::totp_secret.eq(&secret))
            .execute(&mut self.db())
            .unwrap();
        secret
    }

    /// The code an authenticator app shows now on the server's clock.
    pub fn code(&self, secret: &str) -> String {
        unionhall::auth::two_factor::current_code(secret, self.config.clock.unix_seconds()).unwrap()
    }

    /// A client signed in as a new member.
    pub async fn member(&self, email: &str) -> (TestClient, i64) {
        let id = self.create_user(email, "Member Person", &[Role::Member]);
        (self.signed_in(email).await, id)
    }

    /// A new officer, "Olive Officer", enrolled in two-factor; returns
    /// the account's id and its authenticator's secret.
    pub fn officer_account(&self, email: &str) -> (i64, String) {
        let id = self.create_user(email, "Olive Officer", &[Role::Member, Role::Officer]);
        (id, self.enrol_two_factor(id))
    }

    /// A client signed in as a new officer with two-factor done.
    pub async fn officer(&self, email: &str) -> (TestClient, i64) {
        let (id, secret) = self.officer_account(email);
        let client = self.new_client();
        let answer = client.sign_in(email, PASSWORD).await;
        assert_eq!(
            answer.location.as_deref(),
            Some("/sign-in/two-factor?next=%2F")
        );
        let answer = client
            .post(
                "/sign-in/two-factor",
                &[("code", &self.code(&secret)), ("next", "/")],
            )
            .await;
        assert_eq!(answer.status, 303, "second factor: {}", answer.body);
        (client, id)
    }

    /// Audit actions recorded, oldest first.
    pub fn audit_actions(&self) -> Vec<String> {
        use diesel::prelude::*;
        use unionhall::db::schema::audit_log;
        audit_log::table
            .order(audit_log::id.asc())
            .select(audit_log::action)
            .load(&mut self.db())
            .unwrap()
    }
}

impl TestClient {
    /// Uploads a file through a multipart form, with the CSRF token in the
    /// action's query as the site's upload forms carry it.
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content: Vec<u8>,
    ) -> Page {
        let token = self.csrf().await;
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(content).file_name(file_name.to_owned()),
        );
        let url = format!("{}{}?csrf_token={}", self.base, path, token);
        let request = self.with_address(self.http.post(url).multipart(form));
        Self::read(request.send().await.expect("the server answers")).await
    }
}

// What tests arrange before they act: the roster, a unit's rate and
// procedure, people with accounts, elections part-way through. Each is
// built through the store functions the command line uses, or over HTTP,
// so a test reads as the steps a local would take.

/// The first line of every roster file.
pub const ROSTER_HEADER: &str = "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n";

/// The sample roster's unit that the sample check-off is for.
pub const SAMPLE_UNIT: &str = "Guild Staff";

/// The rate the sample check-off was worked out with: 1.5% of base
/// salary, at least $50 and at most $120 a month.
pub const SAMPLE_RATE: Rate = Rate::Percent {
    basis_points: 150,
    monthly_min: Cents(5000),
    monthly_max: Cents(12000),
};

/// Where a file of the repository's `samples/` folder is, as an absolute
/// path (a command line or a browser's file chooser takes it).
pub fn sample_path(name: &str) -> String {
    std::fs::canonicalize(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A file of the repository's `samples/` folder.
pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(sample_path(name)).unwrap()
}

/// "2026-10-01" as a date.
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The test message `unionhall mail test` sends, addressed to `to`.
pub fn test_email(to: &str) -> unionhall::mail::Email {
    use unionhall::mail::Notice;
    unionhall::mail::messages::TestMessage {
        local_name: "Test Local 1".into(),
        site: "http://hall.example.org/".into(),
    }
    .to(to)
    .unwrap()
}

/// How far an election has gone when a test takes it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Draft,
    Published,
    Open,
    Closed,
}

impl TestApp {
    /// Writes a roster file as `unionhall import roster --commit` does.
    pub fn import_roster(&self, csv: &[u8]) {
        let rows = unionhall::roster::csv_import::parse(csv).unwrap();
        let now = self.config.clock.now();
        write_tx(&mut self.db(), |c| {
            unionhall::roster::commit(c, rows, &Actor::command_line(), now, now.date())
        })
        .unwrap();
    }

    /// The sample roster, imported; returns the id of its Guild Staff unit.
    pub fn sample_roster(&self) -> i64 {
        self.import_roster(&sample("roster.csv"));
        self.unit_id(SAMPLE_UNIT)
    }

    /// The id of the unit with this name.
    pub fn unit_id(&self, name: &str) -> i64 {
        use diesel::prelude::*;
        use unionhall::db::schema::units;
        units::table
            .filter(units::name.eq(name))
            .select(units::id)
            .first(&mut self.db())
            .unwrap()
    }

    /// Changes a roster entry's status from `from`, kept in its history as
    /// an officer's edit keeps it.
    pub fn set_status(
        &self,
        number: &str,
        status: unionhall::dues::rules::Status,
        from: NaiveDate,
    ) {
        use diesel::prelude::*;
        use unionhall::db::schema::members;
        let id = self.member_id(number);
        let now = self.config.clock.now();
        write_tx(&mut self.db(), |c| {
            diesel::update(members::table.find(id))
                .set(members::status.eq(status))
                .execute(c)?;
            unionhall::roster::status_history::record(c, id, status, None, from, now, "test")
        })
        .unwrap();
    }

    /// The newest ledger entry of a roster entry.
    pub fn latest_ledger_entry(&self, member_id: i64) -> i64 {
        use diesel::prelude::*;
        use unionhall::db::schema::ledger_entries as le;
        le::table
            .filter(le::member_id.eq(member_id))
            .order(le::id.desc())
            .select(le::id)
            .first(&mut self.db())
            .unwrap()
    }

    /// The roster id of the person with this employee number.
    pub fn member_id(&self, employee_number: &str) -> i64 {
        use diesel::prelude::*;
        use unionhall::db::schema::members;
        members::table
            .filter(members::employee_number.eq(employee_number))
            .select(members::id)
            .first(&mut self.db())
            .unwrap()
    }

    /// The sample roster under a three-step grievance procedure: 30 days
    /// to file and 10 for management's response at Step 1, 14 to appeal and
    /// 15 to respond at Step 2, then 30 to demand arbitration, every limit
    /// counted in `count`. Returns the Guild Staff unit's id.
    pub fn grievance_unit(&self, count: DayCount) -> i64 {
        let unit = self.sample_roster();
        self.set_procedure(
            unit,
            count,
            &[
                ("Step 1", 30, 10),
                ("Step 2", 14, 15),
                ("Arbitration", 30, 0),
            ],
        );
        unit
    }

    /// A dues rate for `unit` from `from` on.
    pub fn set_rate(&self, unit: i64, from: NaiveDate, rate: Rate) {
        let now = self.config.clock.now();
        write_tx(&mut self.db(), |c| {
            unionhall::dues::ledger::set_rate(c, unit, from, rate, None, now)
        })
        .unwrap();
    }

    /// A grievance procedure for `unit`: its steps in order as (name,
    /// days to file or appeal, days management has to respond), every limit
    /// counted the same way; the last step is reached by demanding
    /// arbitration. No holidays.
    pub fn set_procedure(&self, unit: i64, count: DayCount, steps: &[(&str, u32, u32)]) {
        use unionhall::grievances::case::Step;
        let steps: Vec<Step> = steps
            .iter()
            .zip(1..)
            .map(|(&(name, filing_days, response_days), position)| Step {
                position,
                name: name.into(),
                filing_days,
                response_days,
                count,
                arbitration: usize::try_from(position).unwrap() == steps.len(),
            })
            .collect();
        let procedure = unionhall::grievances::case::Procedure {
            steps,
            ..Default::default()
        };
        let context = unionhall::context::Context::command_line(&self.config);
        write_tx(&mut self.db(), |c| {
            unionhall::grievances::store::save_procedure(c, &context, unit, &procedure)
        })
        .unwrap();
    }

    /// Charges every member their dues for `month`, as the command line
    /// does; returns how many charges were written.
    pub fn post_month(&self, month: NaiveDate) -> usize {
        let now = self.config.clock.now();
        write_tx(&mut self.db(), |c| {
            unionhall::dues::ledger::post_month(c, month, &Actor::command_line(), now)
        })
        .unwrap()
    }

    /// Queues the test message to `to` in the outbox.
    pub fn queue_test_mail(&self, to: &str) {
        write_tx(&mut self.db(), |c| {
            unionhall::mail::outbox::enqueue(c, &test_email(to), "example.org")
        })
        .unwrap();
    }

    /// Links an account to a roster entry, as an officer's invitation does.
    pub fn link_to_roster(&self, user_id: i64, employee_number: &str) {
        use diesel::prelude::*;
        use unionhall::db::schema::users;
        let member = self.member_id(employee_number);
        diesel::update(users::table.find(user_id))
            .set(users::member_id.eq(member))
            .execute(&mut self.db())
            .unwrap();
    }

    /// A new client signed in with the test password.
    pub async fn signed_in(&self, email: &str) -> TestClient {
        let client = self.new_client();
        let answer = client.sign_in(email, PASSWORD).await;
        assert_eq!(answer.status, 303, "{email} signs in: {}", answer.body);
        client
    }

    /// A signed-in account with these roles, named for its email's local
    /// part, linked to the roster entry `employee` when one is given.
    pub async fn person(
        &self,
        email: &str,
        roles: &[Role],
        employee: Option<&str>,
    ) -> (TestClient, i64) {
        let id = self.create_user(email, email.split('@').next().unwrap(), roles);
        if let Some(number) = employee {
            self.link_to_roster(id, number);
        }
        (self.signed_in(email).await, id)
    }

    /// A signed-in member linked to roster entry `employee`.
    pub async fn roster_member(&self, email: &str, employee: &str) -> (TestClient, i64) {
        self.person(email, &[Role::Member], Some(employee)).await
    }

    /// A signed-in steward.
    pub async fn steward(&self, email: &str) -> (TestClient, i64) {
        self.person(email, &[Role::Member, Role::Steward], None)
            .await
    }

    /// A signed-in chief steward.
    pub async fn chief_steward(&self, email: &str) -> (TestClient, i64) {
        self.person(email, &[Role::Member, Role::ChiefSteward], None)
            .await
    }

    /// An election in `unit` titled "Strike authorization", taken as far
    /// as `stage`. It opens a minute ago (for the roll, today) and closes
    /// in an hour; a closed one was closed early, now.
    pub fn election(&self, unit: i64, questions: Vec<QuestionDraft>, stage: Stage) -> i64 {
        use chrono::Duration;
        use unionhall::elections::store;
        let now = self.config.clock.now();
        let id = write_tx(&mut self.db(), |c| {
            let id = store::create(
                c,
                &store::ElectionDraft {
                    unit_id: unit,
                    title: "Strike authorization".into(),
                    description: "Do you authorize a strike?".into(),
                    opens_at: now - Duration::minutes(1),
                    closes_at: now + Duration::hours(1),
                    cutoff: self.config.today(),
                    questions,
                },
                now,
            )?;
            Ok::<_, diesel::result::Error>(id)
        })
        .unwrap();
        if stage >= Stage::Published {
            self.name_trustees(id);
            write_tx(&mut self.db(), |c| store::publish(c, id, now)).unwrap();
            self.make_key(id);
        }
        if stage >= Stage::Open {
            write_tx(&mut self.db(), |c| {
                store::open(c, &self.context_at(now), id)
            })
            .unwrap();
        }
        if stage == Stage::Closed {
            self.close_election(id);
        }
        id
    }

    /// Names three trustees for draft `id`, publishes it and has their
    /// devices make its key, as `election` does for `Stage::Published`.
    pub fn publish_with_key(&self, id: i64) {
        let now = self.config.clock.now();
        self.name_trustees(id);
        write_tx(&mut self.db(), |c| {
            unionhall::elections::store::publish(c, id, now)
        })
        .unwrap()
        .expect("a draft due to be published");
        self.make_key(id);
    }

    /// Three trustees for draft `id`, any two of whom decrypt; their
    /// devices' seeds are [`TestApp::trustee_seed`].
    pub fn name_trustees(&self, id: i64) {
        let people: Vec<i64> = (1..=3)
            .map(|i| {
                self.create_user(
                    &format!("trustee{i}.e{id}@trustees.example.org"),
                    &format!("Trustee {i}"),
                    &[Role::Member],
                )
            })
            .collect();
        write_tx(&mut self.db(), |c| {
            unionhall::elections::store::trustees::name(c, id, &people, 2)
        })
        .unwrap()
        .unwrap();
    }

    /// Trustee `position`'s seed, as its key file would hold it.
    pub fn trustee_seed(id: i64, position: u32) -> [u8; 32] {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&id.to_be_bytes());
        seed[8..12].copy_from_slice(&position.to_be_bytes());
        seed[31] = 0x75;
        seed
    }

    /// Sends trustee `position`'s device's answer to the packet the server
    /// gives it now, as the trustee page takes it; the words of a refusal.
    pub fn trustee_answers(&self, id: i64, position: u32) -> Result<(), String> {
        let context = self.context_at(self.config.clock.now());
        let seed = Self::trustee_seed(id, position);
        write_tx(&mut self.db(), |c| {
            unionhall::elections::store::trustees::play_device(c, &context, id, position, &seed)
        })
        .unwrap()
        .map(drop)
    }

    /// Trustee `position`'s device through the trustee page, as a trustee
    /// without JavaScript would use it: the packet saved, the answer made
    /// on their own computer and pasted back. Returns the page's answer.
    pub async fn trustee_via_pages(&self, client: &TestClient, id: i64, position: u32) -> Page {
        let saved = client.get(&format!("/elections/{id}/trustee/packet")).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let packet = unionhall::trustees::packet::Packet::read(&saved.body).unwrap();
        let answer =
            unionhall::trustees::packet::answer(&packet, &Self::trustee_seed(id, position))
                .unwrap();
        client
            .post(
                &format!("/elections/{id}/trustee"),
                &[("answer", answer.as_str())],
            )
            .await
    }

    /// The three trustees' devices make the key of published election `id`.
    pub fn make_key(&self, id: i64) {
        for _step in 0..3 {
            for position in 1..=3 {
                self.trustee_answers(id, position).unwrap();
            }
        }
    }

    /// Trustees 1 and 2 decrypt the closed election `id`'s sums.
    pub fn decrypt(&self, id: i64) {
        for position in [1, 2] {
            self.trustee_answers(id, position).unwrap();
        }
    }

    /// Closes an open election now, with "test" as the reason, and has two
    /// trustees decrypt its result.
    pub fn close_election(&self, id: i64) {
        let context = self.context_at(self.config.clock.now());
        write_tx(&mut self.db(), |c| {
            unionhall::elections::store::close(c, &context, id, "test")
        })
        .unwrap();
        self.decrypt(id);
    }

    /// The command line acting at `now`, as store calls in tests act.
    pub fn context_at(&self, now: chrono::NaiveDateTime) -> unionhall::context::Context {
        unionhall::context::Context {
            now,
            ..unionhall::context::Context::command_line(&self.config)
        }
    }
}

impl TestClient {
    /// Uploads the sample roster on the officer's imports page and
    /// confirms the preview.
    pub async fn import_sample_roster(&self) {
        let preview = self
            .preview_roster("roster.csv", sample("roster.csv"))
            .await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        let done = self.post(&preview.confirm_path(), &[]).await;
        assert_eq!(done.status, 303, "{}", done.body);
    }

    /// Uploads a roster file on the officer's imports page: the preview, or
    /// the refusal.
    pub async fn preview_roster(&self, file_name: &str, content: Vec<u8>) -> Page {
        self.upload("/officer/imports/roster", &[], file_name, content)
            .await
    }

    /// Uploads a check-off file for the sample unit on the officer's
    /// imports page: the preview, or the refusal.
    pub async fn preview_checkoff(&self, file_name: &str, content: Vec<u8>) -> Page {
        self.upload(
            "/officer/imports/checkoff",
            &[("unit", SAMPLE_UNIT)],
            file_name,
            content,
        )
        .await
    }
}

impl Page {
    /// The id at the end of the address a create redirected to.
    pub fn created_id(&self) -> i64 {
        self.location
            .as_deref()
            .and_then(|to| to.rsplit('/').next())
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("a redirect to what was made: {:?}", self.location))
    }

    /// Where an import preview's confirm form posts.
    pub fn confirm_path(&self) -> String {
        let start = self
            .body
            .find("action=\"/officer/imports/")
            .expect("a confirm form")
            + "action=\"".len();
        self.body[start..].split('"').next().unwrap().to_owned()
    }
}
