//! Sign-in under load, measured against its limit.
//!
//! Starts the real server on a fresh SQLite database and, in one run:
//! 1. measures raw argon2id verifies per second on every core (the limit);
//! 2. drives a storm of concurrent sign-ins over loopback and reports
//!    sign-ins per second and their ratio to (1);
//! 3. times a signed-in page (`GET /account`) alone, then during the storm,
//!    and reports p50/p99 for both: hashing is bounded, so pages keep going.
//!
//! Run: `cargo bench --bench signin` (options: `-- --seconds 10 --clients 32`).
//! Prints figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use unionhall::app::Application;
use unionhall::auth::password::{hash_blocking, verify_blocking};
use unionhall::config::Config;
use unionhall::db::write_tx;
use unionhall::users::{self, Role};

const PASSWORD: &str = "tin cup river spoon";

mod common;

use common::{arg, client, ms, percentile};

async fn sign_in(client: &reqwest::Client, base: &str, email: &str) -> bool {
    common::sign_in(client, base, email, PASSWORD).await
}

/// Raw verifies per second with one thread per core, for `seconds`.
fn raw_argon2(seconds: u64) -> (f64, Duration) {
    let hash = hash_blocking(PASSWORD).unwrap();
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let started = Instant::now();
    let single = {
        let t = Instant::now();
        assert!(verify_blocking(PASSWORD, &hash));
        t.elapsed()
    };
    let total = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..cores)
        .map(|_| {
            let (hash, total) = (hash.clone(), total.clone());
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    assert!(verify_blocking(PASSWORD, &hash));
                    total.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    (
        total.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64(),
        single,
    )
}

/// Times `GET /account` back to back until `stop`, or `count` times.
async fn page_latencies(
    client: &reqwest::Client,
    base: &str,
    stop: Option<Arc<AtomicBool>>,
    count: usize,
) -> Vec<Duration> {
    let mut times = Vec::new();
    loop {
        let t = Instant::now();
        let response = client.get(format!("{base}/account")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.unwrap();
        times.push(t.elapsed());
        let done = match &stop {
            Some(stop) => stop.load(Ordering::Relaxed),
            None => times.len() >= count,
        };
        if done {
            break;
        }
    }
    times.sort();
    times
}

fn main() {
    let seconds = arg("--seconds", 10);
    let clients = arg("--clients", 32) as usize;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);

    println!(
        "unionhall sign-in benchmark: {cores} cores, {clients} concurrent sign-ins, {seconds} s storm"
    );
    let (raw_per_second, single) = raw_argon2(3);
    println!(
        "limit: raw argon2id verify (m=19456 KiB, t=2, p=1), {cores} threads: {raw_per_second:.1}/s; one verify alone: {}",
        ms(single)
    );

    let data = tempfile::tempdir().unwrap();
    let db_path = data.path().join("bench.db").to_string_lossy().into_owned();
    let data_dir = data.path().to_string_lossy().into_owned();
    let vars = [
        ("DATABASE_URL", format!("sqlite://{db_path}")),
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", data_dir),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    println!(
        "server: {} HTTP workers, at most {} password hashes at once",
        config.web_workers, config.hash_concurrency
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let app = Application::build(config).await.unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool();
        let handle = app.server_handle();
        let server = tokio::spawn(app.run_until_stopped());

        let hash = hash_blocking(PASSWORD).unwrap();
        let emails: Vec<String> = (0..clients.max(1) + 1).map(|i| format!("bench{i}@example.org")).collect();
        {
            let mut conn = pool.get().unwrap();
            let now = chrono::Utc::now().naive_utc();
            write_tx(&mut conn, |c| {
                for email in &emails {
                    users::create(c, email, "Bench User", Some(&hash), &[Role::Member], now)?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .unwrap();
        }

        // The page alone.
        let reader = client();
        assert!(sign_in(&reader, &base, &emails[0]).await);
        let _ = page_latencies(&reader, &base, None, 50).await;
        let idle = page_latencies(&reader, &base, None, 400).await;
        println!(
            "GET /account alone:        p50 {}  p99 {}  ({} requests)",
            ms(percentile(&idle, 50.0)),
            ms(percentile(&idle, 99.0)),
            idle.len()
        );

        // The storm, with the page timed throughout.
        let stop = Arc::new(AtomicBool::new(false));
        let signed_in = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let storm: Vec<_> = (0..clients)
            .map(|i| {
                let (stop, signed_in, base, email) = (stop.clone(), signed_in.clone(), base.clone(), emails[i + 1].clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        if sign_in(&client(), &base, &email).await {
                            signed_in.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        let timer = {
            let (stop, base) = (stop.clone(), base.clone());
            tokio::spawn(async move { page_latencies(&reader, &base, Some(stop), 0).await })
        };
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for task in storm {
            task.await.unwrap();
        }
        let elapsed = started.elapsed().as_secs_f64();
        let busy = timer.await.unwrap();
        let per_second = signed_in.load(Ordering::Relaxed) as f64 / elapsed;
        println!(
            "sign-ins: {} in {elapsed:.1} s = {per_second:.1}/s = {:.0}% of raw argon2 on all cores",
            signed_in.load(Ordering::Relaxed),
            100.0 * per_second / raw_per_second
        );
        println!(
            "GET /account in the storm: p50 {}  p99 {}  ({} requests)",
            ms(percentile(&busy, 50.0)),
            ms(percentile(&busy, 99.0)),
            busy.len()
        );
        handle.stop(true).await;
        let _ = server.await;
    });
}
