//! Starts chromedriver and a headless Chromium session.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
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

/// A Chrome DevTools command sent through chromedriver.
#[derive(Debug)]
pub struct Cdp(pub serde_json::Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(self.0.to_string()))
    }
}

/// Turns the page's scripts off (as for a member who has turned JavaScript
/// off) or back on. Scripts a page skipped stay skipped when they come back
/// on, so a check can run its own for a moment.
async fn scripts_disabled(client: &Client, disabled: bool) {
    client
        .issue_cmd(Cdp(serde_json::json!({
            "cmd": "Emulation.setScriptExecutionDisabled",
            "params": { "value": disabled },
        })))
        .await
        .expect("chromedriver passes the command on");
}

/// The sessions whose pages run no script (`start_without_javascript`).
fn without_javascript() -> &'static std::sync::Mutex<std::collections::HashSet<String>> {
    static SESSIONS: OnceLock<std::sync::Mutex<std::collections::HashSet<String>>> =
        OnceLock::new();
    SESSIONS.get_or_init(Default::default)
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
                    // axe-core waits its turn behind a page's own work (the
                    // record checked in the browser) and then takes a while.
                    client
                        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                            Some(Duration::from_secs(120)),
                            None,
                            None,
                        ))
                        .await
                        .expect("the script time-out is set");
                    // Scripts are turned off through DevTools rather than
                    // the browser's setting, so that the page checks can
                    // turn them on for a moment to run axe-core.
                    if !javascript {
                        scripts_disabled(&client, true).await;
                        let session = client.session_id().await.expect("a session");
                        without_javascript()
                            .lock()
                            .expect("the list of sessions")
                            .extend(session);
                    }
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

    /// Saves a screenshot as `target/screenshots/NAME.png`, after checking
    /// the page (`check_page`) if it has not been yet.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        check_page(&self.client).await;
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
            visit(&self.client, url).await;
            self.screenshot(&format!("{name}-{label}")).await;
        }
        let (_, width, height) = VIEWPORTS[0];
        self.client
            .set_window_size(width, height)
            .await
            .expect("resizable");
    }
}

/// axe-core's script, from the npm package `web/booth/ci.sh` installs
/// (`npm ci` in `web/booth`), or `None` (after `skip_or_fail`) when it has
/// not been installed.
fn axe_source() -> Option<&'static str> {
    static SOURCE: OnceLock<Option<String>> = OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("web/booth/node_modules/axe-core/axe.min.js");
            let read = std::fs::read_to_string(&path).ok();
            if read.is_none() {
                skip_or_fail(
                    "axe-core is not installed, so pages are not checked for accessibility (npm ci in web/booth)",
                );
            }
            read
        })
        .as_deref()
}

/// The widths every page must fit without scrolling sideways: a phone's
/// and a desktop's.
const CHECKED_WIDTHS: [u32; 2] = [390, 1280];

/// Goes to `url` and checks the page it shows (`check_page`).
pub async fn visit(client: &Client, url: &str) {
    client.goto(url).await.expect("the page loads");
    check_page(client).await;
}

/// Checks the page the browser shows now, once per page loaded: axe-core
/// finds no violation rated "serious" or "critical", and at 390 and at 1280
/// px wide nothing makes the page scroll sideways. Every helper here that
/// reads or acts on a page calls it, so each page a test sees is checked.
/// The window's size and scroll position are put back afterwards.
pub async fn check_page(client: &Client) {
    let seen = client
        .execute(
            "if (window.__unionhallChecked) return true;
             window.__unionhallChecked = true;
             return false;",
            vec![],
        )
        .await;
    // A page still loading, or one replaced while we asked, is checked at
    // the next step.
    let Ok(serde_json::Value::Bool(false)) = seen else {
        return;
    };
    let url = client
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    if let Some(axe) = axe_source() {
        let session = client.session_id().await.expect("a session");
        let scriptless = session.is_some_and(|id| {
            without_javascript()
                .lock()
                .expect("the list of sessions")
                .contains(&id)
        });
        if scriptless {
            scripts_disabled(client, false).await;
        }
        let problems = axe_violations(client, axe).await;
        if scriptless {
            scripts_disabled(client, true).await;
        }
        assert!(
            problems.is_empty(),
            "axe-core finds serious or critical problems on {url}:\n{}",
            problems.join("\n")
        );
    }
    let ids = client.execute(IDS, vec![]).await.expect("the page answers");
    assert!(
        ids.is_null(),
        "{url} repeats ids, or labels point nowhere: {ids}"
    );
    let (width, height) = client.get_window_size().await.expect("a window size");
    let scrolled = client
        .execute("return [window.scrollX, window.scrollY];", vec![])
        .await
        .expect("the page answers");
    for checked in CHECKED_WIDTHS {
        client
            .set_window_size(checked, u32::try_from(height).unwrap_or(900))
            .await
            .expect("resizable");
        let wide = client
            .execute(SIDEWAYS, vec![])
            .await
            .expect("the page answers");
        assert!(
            wide.is_null(),
            "at {checked} px wide, {url} scrolls sideways: {wide}"
        );
    }
    client
        .set_window_size(
            u32::try_from(width).unwrap_or(1280),
            u32::try_from(height).unwrap_or(900),
        )
        .await
        .expect("resizable");
    client
        .execute(
            "window.scrollTo(arguments[0][0], arguments[0][1]);",
            vec![scrolled],
        )
        .await
        .expect("the page answers");
}

/// Runs axe-core on the page (loading it first if this page has not) and
/// returns each serious or critical violation as "rule (impact): help",
/// followed by the offending elements.
async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    let loaded = client
        .execute("return typeof window.axe !== 'undefined';", vec![])
        .await
        .expect("the page answers");
    if loaded != serde_json::Value::Bool(true) {
        client
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("axe-core loads into the page");
    }
    let found = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
             window.axe.run(document, { resultTypes: ['violations'] })
               .then((r) => done(r.violations
                 .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes
                   .map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ')}`)
                   .join('\n'))))
               .catch((e) => done([`axe-core failed: ${e}`]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).expect("a list of problems")
}

/// A script that returns `null` when each `id` on the page is used once and
/// each label's `for` names a field there, else the ids and labels at fault.
const IDS: &str = "
const seen = new Map();
for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
const repeated = [...seen].filter(([, n]) => n > 1).map(([id, n]) => `${id} (${n} times)`);
const astray = [...document.querySelectorAll('label[for]')]
  .filter((l) => !(document.getElementById(l.htmlFor) || {}).labels)
  .map((l) => `label for=${l.htmlFor}: ${l.textContent.trim()}`);
return repeated.length || astray.length ? { repeated, astray } : null;
";

/// A script that returns `null` when the page does not scroll sideways,
/// else its widths, the widest element and the outermost elements that
/// stick out past the window, each as a CSS selector.
const SIDEWAYS: &str = "
const width = window.innerWidth;
const scrolled = document.scrollingElement.scrollWidth;
const selector = (el) => {
  const parts = [];
  for (let e = el; e && e.nodeType === 1 && e !== document.documentElement; e = e.parentElement) {
    let part = e.tagName.toLowerCase();
    if (e.id) { parts.unshift(`${part}#${e.id}`); break; }
    if (e.classList.length) part += '.' + [...e.classList].join('.');
    const same = e.parentElement ? [...e.parentElement.children].filter((c) => c.tagName === e.tagName) : [];
    if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
    parts.unshift(part);
  }
  return parts.join(' > ');
};
const clipped = (el) => {
  // Positioned out of the flow, it escapes its ancestors' clipping.
  if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return false;
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX !== 'visible') return true;
  }
  return false;
};
// Main content in a box of its own that scrolls sideways needs sideways
// scrolling just the same.
const boxes = [...document.querySelectorAll('main *')].filter((el) =>
  ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1);
if (scrolled <= width && boxes.length === 0) return null;
if (scrolled <= width) {
  return { scrollsInside: boxes.map((el) => `${selector(el)} (${el.scrollWidth} px in ${el.clientWidth})`) };
}
let widest = null;
let furthest = 0;
const outermost = [];
for (const el of document.body.querySelectorAll('*')) {
  const box = el.getBoundingClientRect();
  // Text too long for its box sticks out without widening the box.
  const right = Math.max(box.right, box.left + el.scrollWidth) + window.scrollX;
  if (right <= width + 0.5 || box.width === 0 || clipped(el)) continue;
  if (right > furthest) { furthest = right; widest = selector(el); }
  const parent = el.parentElement.getBoundingClientRect().right + window.scrollX;
  if (parent <= width + 0.5 || el.parentElement === document.body) {
    outermost.push(`${selector(el)} (to ${Math.round(right)} px)`);
  }
}
return {
  scrollWidth: scrolled, innerWidth: width, widest, outermost: outermost.slice(0, 8),
  scrollsInside: boxes.map((el) => `${selector(el)} (${el.scrollWidth} px in ${el.clientWidth})`),
};
";

/// Helpers for driving pages.
pub async fn fill(client: &Client, name: &str, value: &str) {
    check_page(client).await;
    let field = client
        .find(Locator::Css(&format!("input[name='{name}']")))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

pub async fn press(client: &Client, label: &str) {
    check_page(client).await;
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
                check_page(client).await;
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
        .unwrap();
    check_page(client).await;
    client.find(Locator::Css(css)).await.unwrap()
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
                check_page(client).await;
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
    check_page(client).await;
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
    check_page(client).await;
    client.find(Locator::Css(css)).await.unwrap()
}

/// Clicks the element `locator` finds.
pub async fn click(client: &Client, locator: Locator<'_>) {
    check_page(client).await;
    client.find(locator).await.unwrap().click().await.unwrap();
}

/// The text of the flash message the last action led to.
pub async fn flash(client: &Client) -> String {
    wait_for(client, ".flash").await.text().await.unwrap()
}
