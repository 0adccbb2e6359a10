//! The outside probe's sign-in load, as a program that prints its figures.
//!
//! Starts the real server on a fresh SQLite database and measures:
//! (a) correct sign-ins refused when N members (default 500) sign in
//!     within a minute from one address (a meeting hall behind one router);
//! (b) the owner's successes out of M tries while a stranger makes 2 wrong
//!     tries a second for about two minutes, each from a new address (every
//!     other one from the owner's own address), for a member at her usual
//!     browser, an officer with two-factor at hers, and a member at a
//!     browser never used before.
//!
//! (b) runs on the server's clock, which the program moves on a second at a
//! time (the throttle reads no other), so two minutes take seconds; pass
//! `--real-time 1` to live through them instead.
//!
//! Run: `cargo bench --bench signin_load` (options: `-- --members 500
//! --spread 60 --attack 130 --every 7 --real-time 0`). Never fails on a figure.

#![allow(
    clippy::unwrap_used,
    reason = "a load program stops at the first broken step"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use unionhall::app::Application;
use unionhall::auth::password::hash_blocking;
use unionhall::auth::two_factor;
use unionhall::clock::Clock;
use unionhall::config::Config;
use unionhall::db::write_tx;
use unionhall::users::{self, Role};

mod common;

use common::{arg, client};

const PASSWORD: &str = "tin cup river spoon";
const OWNER_ADDRESS: &str = "198.51.100.7";

/// The CSRF token the page at `path` hands this client.
async fn csrf_at(client: &reqwest::Client, base: &str, path: &str) -> String {
    let body = client
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf-token\" content=\"";
    let start = body.find(marker).unwrap() + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

/// The token of a page shown to anyone, signed in or not, halfway or not
/// (the sign-in page and the start page send some visitors on).
async fn csrf(client: &reqwest::Client, base: &str) -> String {
    csrf_at(client, base, "/password-reset").await
}

/// A `POST /sign-in` from `address` (sent as our proxy would add it).
async fn sign_in_from(
    client: &reqwest::Client,
    base: &str,
    address: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let token = csrf(client, base).await;
    client
        .post(format!("{base}/sign-in"))
        .header("x-forwarded-for", address)
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

/// Password, then the code when `secret` is given; true when signed in.
async fn owner_signs_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    secret: Option<&str>,
    clock: &Clock,
) -> bool {
    let answer = sign_in_from(client, base, OWNER_ADDRESS, email, PASSWORD).await;
    if answer.status() != 303 {
        return false;
    }
    let Some(secret) = secret else {
        return true;
    };
    let token = csrf_at(client, base, "/sign-in/two-factor").await;
    let code = two_factor::current_code(secret, clock.unix_seconds()).unwrap();
    let done = client
        .post(format!("{base}/sign-in/two-factor"))
        .header("x-forwarded-for", OWNER_ADDRESS)
        .form(&[
            ("code", code.as_str()),
            ("next", "/"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    done.status() == 303
}

struct Server {
    base: String,
    clock: Clock,
    pool: unionhall::db::DbPool,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _data: tempfile::TempDir,
}

async fn start() -> Server {
    let data = tempfile::tempdir().unwrap();
    let db_path = data.path().join("load.db").to_string_lossy().into_owned();
    let vars = [
        ("DATABASE_URL", format!("sqlite://{db_path}")),
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", data.path().to_string_lossy().into_owned()),
    ];
    let mut config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    config.trust_proxy_headers = true;
    let clock = config.clock.clone();
    let app = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool();
    let handle = app.server_handle();
    let task = tokio::spawn(app.run_until_stopped());
    Server {
        base,
        clock,
        pool,
        handle,
        task,
        _data: data,
    }
}

impl Server {
    fn create(&self, emails: &[String], roles: &[Role]) -> Vec<i64> {
        let hash = hash_blocking(PASSWORD).unwrap();
        let mut conn = self.pool.get().unwrap();
        let now = self.clock.now();
        write_tx(&mut conn, |c| {
            emails
                .iter()
                .map(|e| users::create(c, e, "Load Member", Some(&hash), roles, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap()
    }

    fn enrol(&self, user_id: i64) -> String {
        use diesel::prelude::*;
        use unionhall::db::schema::users as u;
        let secret = two_factor::new_secret();
        diesel::update(u::table.find(user_id))
            .set(u::totp_secret.eq(&secret))
            .execute(&mut self.pool.get().unwrap())
            .unwrap();
        secret
    }

    async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}

/// (a): `members` accounts signing in from one address, spread over `spread` s.
async fn hall(members: usize, spread: u64) {
    let server = start().await;
    let emails: Vec<String> = (0..members)
        .map(|i| format!("hall{i}@example.org"))
        .collect();
    server.create(&emails, &[Role::Member]);
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = emails
        .into_iter()
        .enumerate()
        .map(|(i, email)| {
            let (refused, base) = (refused.clone(), server.base.clone());
            let at = Duration::from_millis(spread * 1000 * i as u64 / members.max(1) as u64);
            tokio::spawn(async move {
                tokio::time::sleep(at).await;
                let answer = sign_in_from(&client(), &base, "203.0.113.50", &email, PASSWORD).await;
                if answer.status() != 303 {
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "(a) one address, {members} members within {spread} s: {} correct sign-ins refused of {members} ({:.1} s)",
        refused.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    server.stop().await;
}

/// (b): the owner's successes and tries under the rotating-address attack.
async fn attack(
    label: &str,
    seconds: u64,
    every: u64,
    real_time: bool,
    two_factor: bool,
    known: bool,
) {
    let server = start().await;
    let email = "owner@example.org".to_owned();
    let roles: &[Role] = if two_factor {
        &[Role::Member, Role::Officer]
    } else {
        &[Role::Member]
    };
    let id = server.create(std::slice::from_ref(&email), roles)[0];
    let secret = two_factor.then(|| server.enrol(id));
    let mut owner = client();
    if known {
        assert!(
            owner_signs_in(
                &owner,
                &server.base,
                &email,
                secret.as_deref(),
                &server.clock
            )
            .await
        );
    }
    let (mut ok, mut tries, mut guesses) = (0, 0, 0u64);
    // The code used to sign in before the attack is spent too.
    let mut last_step = (known && two_factor).then(|| server.clock.unix_seconds() / 30);
    for second in 0..seconds {
        let started = Instant::now();
        for n in 0..2u64 {
            let k = second * 2 + n;
            let address = if n == 1 {
                OWNER_ADDRESS.to_owned()
            } else {
                format!("10.{}.{}.{}", k / 65536 % 256, k / 256 % 256, k % 256)
            };
            let _ = sign_in_from(
                &client(),
                &server.base,
                &address,
                &email,
                "a wrong guess here",
            )
            .await;
            guesses += 1;
        }
        let step = server.clock.unix_seconds() / 30;
        // A code works once: with two-factor the owner waits for a new one.
        let due = second % every == every - 1 && (!two_factor || last_step != Some(step));
        if due {
            tries += 1;
            if !known {
                owner = client();
            }
            if owner_signs_in(
                &owner,
                &server.base,
                &email,
                secret.as_deref(),
                &server.clock,
            )
            .await
            {
                ok += 1;
                last_step = Some(step);
            }
        }
        if real_time {
            tokio::time::sleep(Duration::from_secs(1).saturating_sub(started.elapsed())).await;
        } else {
            server.clock.advance(Duration::from_secs(1));
        }
    }
    println!(
        "(b) {label}: {ok} successes of {tries} tries while a stranger made {guesses} wrong tries over {seconds} s"
    );
    server.stop().await;
}

fn main() {
    let members = arg("--members", 500) as usize;
    let spread = arg("--spread", 60);
    let seconds = arg("--attack", 130);
    let every = arg("--every", 7);
    let real_time = arg("--real-time", 0) == 1;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        hall(members, spread).await;
        let clock = if real_time { "real time" } else { "server clock moved 1 s a step" };
        println!("(b) attack: 2 wrong tries a second from rotating addresses, {clock}");
        attack(&format!("member at her usual browser, every {every} s"), seconds, every, real_time, false, true).await;
        attack(&format!("officer with two-factor at her usual browser, every {every} s (a new code each time)"), seconds, every, real_time, true, true).await;
        attack(&format!("member at a new browser each try, every {every} s"), seconds, every, real_time, false, false).await;
    });
}
