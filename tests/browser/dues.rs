//! The dues roll in a browser: import a roster, set the rate, post the
//! month, import the employer's check-off, read the reconciliation, and
//! reverse a payment typed on the wrong page.

use fantoccini::Locator;

use crate::browser::{
    Browser, choose, expect_heading, fill, flash, press, set_value, type_into, visit, wait_for,
    wait_for_text,
};
use crate::helpers::{TestApp, sample_path as sample};
use crate::sign_in::sign_in_officer;

#[tokio::test]
async fn import_roster_preview_commit_import_check_off_and_reconcile() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    // Mid-November: October, the sample check-off's month, is last month.
    app.config.clock.set_to(
        chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap(),
    );
    let client = &browser.client;
    sign_in_officer(client, &app, "olive@example.org").await;

    // The roster: upload, read the preview, confirm.
    visit(client, &app.url("/officer/imports")).await;
    type_into(client, "#roster-file", &sample("roster.csv")).await;
    press(client, "Check the roster file").await;
    expect_heading(client, "Check the roster import").await;
    browser.screenshot("dues-01-roster-preview").await;
    press(client, "Import the roster").await;
    expect_heading(client, "Roster").await;
    assert!(flash(client).await.contains("12 added"));
    browser
        .screenshots_at_each_width(&app.url("/officer/roster"), "dues-02-roster")
        .await;

    // The rate.
    visit(client, &app.url("/officer/dues")).await;
    // A date input takes typing in the browser's locale; set its value directly.
    set_value(client, "from", "2026-01-01").await;
    fill(client, "percent", "1.5").await;
    fill(client, "min", "50").await;
    fill(client, "max", "120").await;
    press(client, "Save the rate").await;
    assert!(flash(client).await.contains("is saved"));
    browser.screenshot("dues-03-rates").await;

    // October's charges, posted before the employer's file arrives.
    fill(client, "month", "2026-10").await;
    press(client, "Post the charges").await;
    wait_for_text(client, ".flash", "Posted 8 dues charges for 2026-10").await;

    // The check-off, refused once for a bad file, then imported.
    visit(client, &app.url("/officer/imports")).await;
    type_into(
        client,
        "#checkoff-file",
        &sample("bad/checkoff-bad-amount.csv"),
    )
    .await;
    press(client, "Check the check-off file").await;
    let refusal = wait_for(client, ".error-summary")
        .await
        .text()
        .await
        .unwrap();
    assert!(refusal.contains("Line 3"), "{refusal}");
    browser.screenshot("dues-04-checkoff-refused").await;
    type_into(client, "#checkoff-file", &sample("checkoff.csv")).await;
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

    // A payment typed on the wrong member's page is reversed, with why.
    let sarah = app.member_id("E1001");
    let page = app.url(&format!("/officer/roster/{sarah}"));
    visit(client, &page).await;
    fill(client, "amount", "72.81").await;
    press(client, "Add to the ledger").await;
    wait_for_text(client, ".flash", "added to the ledger").await;
    let payment = app.latest_ledger_entry(sarah);
    choose(client, "#entry", &payment.to_string()).await;
    press(client, "Reverse the entry").await;
    let refused = wait_for(client, "#reversal_reason-error")
        .await
        .text()
        .await
        .unwrap();
    assert!(refused.contains("Say why it is reversed."), "{refused}");
    fill(client, "reversal_reason", "Paid by Tomas, not Sarah").await;
    press(client, "Reverse the entry").await;
    wait_for_text(client, ".flash", "The entry is reversed").await;
    let marked = client
        .find(Locator::Css("tr.reversed"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(marked.contains("Paid by Tomas, not Sarah"), "{marked}");
    browser
        .screenshots_at_each_width(&page, "dues-07-ledger-reversal")
        .await;
}
