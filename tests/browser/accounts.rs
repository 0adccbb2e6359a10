//! The account flows a person walks through, in a real browser.

use std::time::Duration;

use fantoccini::Locator;
use unionhall::users::Role;

use crate::browser::{
    Browser, click, expect_heading, fill, flash, press, value_of, visit, wait_for,
};
use crate::helpers::{PASSWORD, TestApp};
use crate::sign_in::{enter_code, sign_in};

#[tokio::test]
async fn invite_set_password_sign_in_enrol_two_factor_and_sign_in_with_a_code() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let client = &browser.client;

    // An officer (already enrolled) signs in and invites Sam.
    let (_, officer_secret) = app.officer_account("olive@example.org");
    sign_in(client, &app, "olive@example.org", PASSWORD).await;
    expect_heading(client, "Enter your code").await;
    browser.screenshot("accounts-01-second-factor").await;
    enter_code(client, &app, &officer_secret, "Olive Officer").await;
    visit(client, &app.url("/officer/users")).await;
    fill(client, "name", "Sam Steward").await;
    fill(client, "email", "not an address").await;
    press(client, "Send invitation").await;
    let error = wait_for(client, "#email-error").await.text().await.unwrap();
    assert_eq!(error, "Enter an email address like name@example.org.");
    browser.screenshot("accounts-02-invite-error").await;
    fill(client, "email", "sam@example.org").await;
    click(client, Locator::Css("#role-steward")).await;
    press(client, "Send invitation").await;
    assert_eq!(flash(client).await, "Invitation sent to sam@example.org.");
    browser.screenshot("accounts-03-invited").await;
    click(client, Locator::Css("form.sign-out button")).await;
    // Let the sign-out land before going anywhere, or its redirect to the
    // start page can arrive after the next page has begun to load.
    expect_heading(client, &app.config.local_name).await;

    // Sam follows the link from the email and chooses a password.
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    let link = mails[0].link(&format!("{}/invite/", app.address));
    visit(client, &link).await;
    expect_heading(client, "Welcome: choose your password").await;
    fill(client, "password", "short").await;
    fill(client, "confirm", "short").await;
    press(client, "Save password").await;
    assert!(
        wait_for(client, "#password-error")
            .await
            .text()
            .await
            .unwrap()
            .contains("at least 12")
    );
    browser
        .screenshots_at_each_width(&link, "accounts-04-choose-password")
        .await;
    fill(client, "password", "harbour lights at dusk").await;
    fill(client, "confirm", "harbour lights at dusk").await;
    press(client, "Save password").await;
    expect_heading(client, "Sign in").await;

    // Sam signs in and turns on two-factor.
    sign_in(client, &app, "sam@example.org", "harbour lights at dusk").await;
    expect_heading(client, "Welcome, Sam Steward").await;
    visit(client, &app.url("/account/two-factor")).await;
    assert!(
        client.find(Locator::Css(".qr svg")).await.is_ok(),
        "the QR code is drawn"
    );
    browser
        .screenshots_at_each_width(&app.url("/account/two-factor"), "accounts-05-enrol")
        .await;
    let secret = client
        .find(Locator::Css("code.secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    fill(client, "code", &app.code(&secret)).await;
    press(client, "Turn on two-factor sign-in").await;
    expect_heading(client, "Your recovery codes").await;
    let codes = client.find_all(Locator::Css(".codes li")).await.unwrap();
    assert_eq!(codes.len(), 10);
    browser.screenshot("accounts-06-recovery-codes").await;

    // Signs out, and back in with a code.
    click(client, Locator::Css("form.sign-out button")).await;
    assert_eq!(flash(client).await, "You have signed out.");
    sign_in(client, &app, "sam@example.org", "harbour lights at dusk").await;
    expect_heading(client, "Enter your code").await;
    app.config.clock.advance(Duration::from_secs(30));
    enter_code(client, &app, &secret, "Sam Steward").await;
    visit(client, &app.url("/account/sessions")).await;
    browser
        .screenshots_at_each_width(&app.url("/account/sessions"), "accounts-07-sessions")
        .await;
    browser
        .screenshots_at_each_width(&app.url("/account"), "accounts-08-account")
        .await;
}

#[tokio::test]
async fn a_wrong_password_is_said_in_words_and_the_email_is_kept() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.create_user("mia@example.org", "Mia Member", &[Role::Member]);
    let client = &browser.client;
    sign_in(client, &app, "mia@example.org", "not my password").await;
    let alert = wait_for(client, "[role=alert]").await.text().await.unwrap();
    assert!(alert.contains("don't match an account"), "{alert}");
    let kept = value_of(client, "email").await;
    assert_eq!(kept.as_deref(), Some("mia@example.org"));
    let password = value_of(client, "password").await;
    assert_eq!(password.as_deref(), Some(""));
    browser
        .screenshots_at_each_width(&app.url("/sign-in"), "accounts-00-sign-in")
        .await;
}
