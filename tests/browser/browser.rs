//! Starts chromedriver and a headless Chromium session.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};

use crate::helpers::skip_or_fail;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// A browser session and the chromedriver behind it; both end on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver leads its own process group, and the browsers it
        // started are in it: end them all, or each test leaves Chromium
        // running.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Desktop and phone viewports, named for the screenshot files.
pub const VIEWPORTS: [(&str, u32, u32); 2] = [("desktop", 1280, 900), ("phone", 390, 844)];

impl Browser {
    /// A fresh session, or `None` (after `skip_or_fail`) when no browser is installed.
    pub async fn start() -> Option<Self> {
        Self::start_with(true).await
    }

    /// A fresh session whose pages run no script, as for a member who has
    /// turned JavaScript off.
    pub async fn start_without_javascript() -> Option<Self> {
        Self::start_with(false).await
    }

    async fn start_with(javascript: bool) -> Option<Self> {
        if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
            skip_or_fail(
                "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("a profile folder");
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            // No crash handler: it would leave its own process behind.
            "--disable-crash-reporter".into(),
            "--disable-breakpad".into(),
            format!("--user-data-dir={}", profile.path().display()),
            "--window-size=1280,900".into(),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": CHROMIUM,
                "args": args,
                // 2 blocks every site's scripts, as the browser's own setting does.
                "prefs": { "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 } },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last_error = String::new();
        for _ in 0..100 {
            match ClientBuilder::new(connector.clone())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Self {
                        client,
                        driver,
                        _profile: profile,
                    });
                }
                Err(e) => {
                    last_error = e.to_string();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        panic!("chromedriver did not start a session: {last_error}");
    }

    /// Saves a screenshot as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("a screenshot folder");
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot is saved");
        path
    }

    /// Visits `url` at each viewport and saves `NAME-desktop.png` and `NAME-phone.png`.
    pub async fn screenshots_at_each_width(&self, url: &str, name: &str) {
        for (label, width, height) in VIEWPORTS {
            self.client
                .set_window_size(width, height)
                .await
                .expect("resizable");
            self.client.goto(url).await.expect("the page loads");
            self.screenshot(&format!("{name}-{label}")).await;
        }
        let (_, width, height) = VIEWPORTS[0];
        self.client
            .set_window_size(width, height)
            .await
            .expect("resizable");
    }
}

/// Helpers for driving pages.
pub async fn fill(client: &Client, name: &str, value: &str) {
    let field = client
        .find(Locator::Css(&format!("input[name='{name}']")))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

pub async fn press(client: &Client, label: &str) {
    let xpath = format!("//button[normalize-space(.)='{label}']");
    client
        .find(Locator::XPath(&xpath))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits for the page to show `expected` as its heading (a click that
/// submits a form returns before the next page has loaded).
pub async fn expect_heading(client: &Client, expected: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        if let Ok(h1) = client.find(Locator::Css("h1")).await {
            seen = h1.text().await.unwrap_or_default();
            if seen == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected the heading {expected:?}, saw {seen:?}");
}

/// Waits for an element to appear on the page the last action led to.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(5))
        .for_element(Locator::Css(css))
        .await
        .unwrap()
}

/// Waits until an element on the page shows `expected` (the page before a
/// click may still be there, with a flash of its own), and returns its text.
pub async fn wait_for_text(client: &Client, css: &str, expected: &str) -> String {
    let mut seen = String::new();
    for _ in 0..200 {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(expected) {
                return text;
            }
            seen = text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {css} to show {expected:?}, saw {seen:?}");
}

/// Sets a field's value directly: a date or time input takes typing in the
/// browser's locale, which a test cannot know.
pub async fn set_value(client: &Client, name: &str, value: &str) {
    client
        .execute(
            &format!("document.querySelector(\"input[name='{name}']\").value = '{value}';"),
            vec![],
        )
        .await
        .unwrap();
}

/// Types into the element `css` finds, after what it holds.
pub async fn type_into(client: &Client, css: &str, text: &str) {
    element(client, css).await.send_keys(text).await.unwrap();
}

/// Picks the option with this value in the `<select>` `css` finds.
pub async fn choose(client: &Client, css: &str, value: &str) {
    element(client, css)
        .await
        .select_by_value(value)
        .await
        .unwrap();
}

/// What the form field `name` holds now.
pub async fn value_of(client: &Client, name: &str) -> Option<String> {
    element(client, &format!("input[name={name}]"))
        .await
        .prop("value")
        .await
        .unwrap()
}

/// The element `css` finds on the page now.
async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client.find(Locator::Css(css)).await.unwrap()
}

/// Clicks the element `locator` finds.
pub async fn click(client: &Client, locator: Locator<'_>) {
    client.find(locator).await.unwrap().click().await.unwrap();
}

/// The text of the flash message the last action led to.
pub async fn flash(client: &Client) -> String {
    wait_for(client, ".flash").await.text().await.unwrap()
}
