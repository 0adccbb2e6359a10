//! The dues roll in a browser: import a roster, set the rate, import the
//! employer's check-off, and read the reconciliation.

use fantoccini::Locator;

use crate::browser::{Browser, expect_heading, fill, press, wait_for};
use crate::helpers::TestApp;

fn sample(name: &str) -> String {
    std::fs::canonicalize(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[tokio::test]
async fn import_roster_preview_commit_import_check_off_and_reconcile() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let client = &browser.client;
    let officer_id = app.create_user(
        "olive@example.org",
        "Olive Officer",
        &[
            unionhall::users::Role::Member,
            unionhall::users::Role::Officer,
        ],
    );
    let secret = app.enrol_two_factor(officer_id);
    client.goto(&app.url("/sign-in")).await.unwrap();
    fill(client, "email", "olive@example.org").await;
    fill(client, "password", crate::helpers::PASSWORD).await;
    press(client, "Sign in").await;
    expect_heading(client, "Enter your code").await;
    fill(client, "code", &app.code(&secret)).await;
    press(client, "Continue").await;
    expect_heading(client, "Welcome, Olive Officer").await;

    // The roster: upload, read the preview, confirm.
    client.goto(&app.url("/officer/imports")).await.unwrap();
    client
        .find(Locator::Css("#roster-file"))
        .await
        .unwrap()
        .send_keys(&sample("roster.csv"))
        .await
        .unwrap();
    press(client, "Check the roster file").await;
    expect_heading(client, "Check the roster import").await;
    browser.screenshot("dues-01-roster-preview").await;
    press(client, "Import the roster").await;
    expect_heading(client, "Roster").await;
    assert!(
        wait_for(client, ".flash")
            .await
            .text()
            .await
            .unwrap()
            .contains("12 added")
    );
    browser
        .screenshots_at_each_width(&app.url("/officer/roster"), "dues-02-roster")
        .await;

    // The rate.
    client.goto(&app.url("/officer/dues")).await.unwrap();
    // A date input takes typing in the browser's locale; set its value directly.
    client
        .execute(
            "document.querySelector(\"input[name='from']\").value = '2026-01-01';",
            vec![],
        )
        .await
        .unwrap();
    fill(client, "percent", "1.5").await;
    fill(client, "min", "50").await;
    fill(client, "max", "120").await;
    press(client, "Save the rate").await;
    assert!(
        wait_for(client, ".flash")
            .await
            .text()
            .await
            .unwrap()
            .contains("is saved")
    );
    browser.screenshot("dues-03-rates").await;

    // The check-off, refused once for a bad file, then imported.
    client.goto(&app.url("/officer/imports")).await.unwrap();
    client
        .find(Locator::Css("#checkoff-file"))
        .await
        .unwrap()
        .send_keys(&sample("bad/checkoff-bad-amount.csv"))
        .await
        .unwrap();
    press(client, "Check the check-off file").await;
    let refusal = wait_for(client, ".error-summary")
        .await
        .text()
        .await
        .unwrap();
    assert!(refusal.contains("Line 3"), "{refusal}");
    browser.screenshot("dues-04-checkoff-refused").await;
    client
        .find(Locator::Css("#checkoff-file"))
        .await
        .unwrap()
        .send_keys(&sample("checkoff.csv"))
        .await
        .unwrap();
    press(client, "Check the check-off file").await;
    expect_heading(client, "Check the check-off import").await;
    browser.screenshot("dues-05-checkoff-preview").await;
    press(client, "Import the check-off").await;
    expect_heading(client, "Reconciliation").await;
    let summary = client
        .find(Locator::XPath("//p[contains(., 'matched')]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("8 matched, 0 under, 0 over, 0 missing"),
        "{summary}"
    );
    let url = client.current_url().await.unwrap().to_string();
    browser
        .screenshots_at_each_width(&url, "dues-06-reconciliation")
        .await;
}
