//! A strike vote in a browser: an officer creates and opens it, a member
//! votes and gets a tracking code, the officer closes it, and the member
//! sees the result and finds the code.

use fantoccini::Locator;

use crate::browser::{
    Browser, click, expect_heading, fill, press, set_value, wait_for, wait_for_text,
};
use crate::helpers::TestApp;
use crate::sign_in::sign_in_demo as sign_in;

#[tokio::test]
async fn an_officer_opens_a_strike_vote_a_member_votes_and_finds_their_code() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let client = &browser.client;
    let local = |minutes: i64| {
        (app.config.clock.now() + chrono::Duration::minutes(minutes))
            .and_utc()
            .with_timezone(&app.config.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };

    // The officer drafts, publishes and opens it.
    sign_in(client, &app, "officer@example.org", "Olive Organa").await;
    client
        .goto(&app.url("/officer/elections/new"))
        .await
        .unwrap();
    expect_heading(client, "New election").await;
    fill(client, "title", "Strike authorization, winter").await;
    set_value(client, "opens_at", &local(4 * 24 * 60)).await;
    set_value(client, "closes_at", &local(5 * 24 * 60)).await;
    fill(client, "q1_text", "Do you authorize a strike?").await;
    press(client, "Save the draft").await;
    expect_heading(client, "Strike authorization, winter").await;
    press(client, "Publish the roll for challenges").await;
    wait_for_text(client, ".flash", "Roll published").await;
    press(client, "Freeze the roll and open the vote now").await;
    wait_for_text(client, ".flash", "Voting is open").await;
    let admin_url = client.current_url().await.unwrap().to_string();
    let id = admin_url.rsplit('/').next().unwrap().to_owned();
    browser
        .screenshots_at_each_width(&admin_url, "elections-01-officer-open")
        .await;

    // Sarah votes.
    sign_in(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    client
        .goto(&app.url(&format!("/elections/{id}")))
        .await
        .unwrap();
    click(client, Locator::LinkText("Vote now")).await;
    expect_heading(client, "Your ballot").await;
    click(client, Locator::XPath("//label[normalize-space(.)='Yes']")).await;
    browser.screenshot("elections-02-ballot").await;
    press(client, "Review my vote").await;
    expect_heading(client, "Confirm your vote").await;
    browser.screenshot("elections-03-confirm").await;
    press(client, "Cast my vote").await;
    expect_heading(client, "Your vote is cast").await;
    let code = wait_for(client, ".tracking-code code")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(code.len(), 14, "{code}");
    client.set_window_size(390, 844).await.unwrap();
    browser.screenshot("elections-04-receipt-phone").await;
    client.set_window_size(1280, 800).await.unwrap();

    // The officer closes it early, with a reason.
    sign_in(client, &app, "officer@example.org", "Olive Organa").await;
    client.goto(&admin_url).await.unwrap();
    fill(client, "reason", "Demonstration: closed early").await;
    press(client, "Close the vote now").await;
    wait_for_text(client, ".flash", "Closed early").await;

    // Sarah sees the result and finds her code.
    sign_in(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    client
        .goto(&app.url(&format!("/elections/{id}")))
        .await
        .unwrap();
    expect_heading(client, "Strike authorization, winter").await;
    let source = client.source().await.unwrap();
    assert!(source.contains("The result"));
    assert!(source.contains(&code), "her tracking code is listed");
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}")),
            "elections-05-member-result",
        )
        .await;
}
