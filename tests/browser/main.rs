//! Browser tests: Debian's Chromium driven through chromedriver over
//! WebDriver, against the real server. Each flow saves screenshots under
//! `target/screenshots/` at desktop and phone width for a person to look at.

#![allow(
    clippy::unwrap_used,
    reason = "a failed step in a test helper should stop the test"
)]

#[path = "../app/helpers.rs"]
mod helpers;

#[path = "../app/morning.rs"]
#[allow(dead_code, reason = "the app suite reads the rest of the morning")]
mod morning;

mod browser;
mod sign_in;

mod accounts;
mod credentials;
mod dues;
mod elections;
mod every_page;
mod grievances;
mod home_pages;
mod keyboard;
mod salary;
mod start_page;
mod trustees;
