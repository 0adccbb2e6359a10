//! What the HTTP benchmarks share: options, percentiles and a signed-in client.

#![allow(dead_code, reason = "each benchmark uses a different part")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A `--name value` option, or `default`.
pub fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p`th percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// "12.3 ms".
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A cookie-keeping client that does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The CSRF token the sign-in page hands this client.
pub async fn csrf(client: &reqwest::Client, base: &str) -> String {
    let body = client
        .get(format!("{base}/sign-in"))
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

/// Signs in; true when the server accepted the password.
pub async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> bool {
    let token = csrf(client, base).await;
    let response = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    response.status() == 303
}

/// Fires `clients` loops at `path` for `seconds`; returns requests per
/// second and the sorted latencies.
pub async fn drive(
    clients: &[reqwest::Client],
    base: &str,
    seconds: u64,
    path: impl Fn(u64) -> String + Send + Sync + 'static,
) -> (f64, Vec<Duration>) {
    let path = Arc::new(path);
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .cloned()
        .map(|client| {
            let (path, counter, base) = (path.clone(), counter.clone(), base.to_owned());
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let response = client
                        .get(format!("{base}{}", path(n)))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200, "{}", path(n));
                    let _ = response.bytes().await.unwrap();
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort();
    (rate, all)
}

pub fn report(label: &str, rate: f64, times: &[Duration]) {
    println!(
        "{label:<34} {rate:>8.0} req/s  p50 {}  p99 {}",
        ms(percentile(times, 50.0)),
        ms(percentile(times, 99.0))
    );
}
