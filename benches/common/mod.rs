//! What the HTTP benchmarks share: options, percentiles and a signed-in client.

#![allow(dead_code, reason = "each benchmark uses a different part")]

use std::time::Duration;

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
