//! Salary comparisons in a browser: the demo's three scenarios side by
//! side, as an officer and as a member, at desktop and phone width.

use crate::browser::{Browser, expect_heading, press, visit};
use crate::helpers::TestApp;
use crate::sign_in::sign_in_demo;

#[tokio::test]
async fn the_comparison_page_as_an_officer_and_as_a_member() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let client = &browser.client;

    sign_in_demo(client, &app, "officer@example.org", "Olive Organa").await;
    visit(client, &app.url("/salary")).await;
    expect_heading(client, "Salary comparisons").await;
    press(client, "Compare").await;
    expect_heading(client, "Scenarios side by side").await;
    let source = client.source().await.unwrap();
    assert!(source.contains("Union proposal") && source.contains("Management offer"));
    assert!(
        source.contains("Every person"),
        "officers see each person's line"
    );
    let url = client.current_url().await.unwrap().to_string();
    browser
        .screenshots_at_each_width(&url, "salary-01-officer-compare")
        .await;
    client
        .execute(
            "document.querySelector('figure.chart').scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    browser.screenshot("salary-03-officer-chart-desktop").await;

    sign_in_demo(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &url).await;
    expect_heading(client, "Scenarios side by side").await;
    let source = client.source().await.unwrap();
    assert!(source.contains("Your line"));
    assert!(!source.contains("Every person"));
    assert!(!source.contains("Santos"), "no other person's name");
    browser
        .screenshots_at_each_width(&url, "salary-02-member-compare")
        .await;
    client.set_window_size(390, 844).await.unwrap();
    for (n, selector) in ["figure.chart", "figure.chart + figure.chart"]
        .iter()
        .enumerate()
    {
        client
            .execute(
                &format!("document.querySelector('{selector}').scrollIntoView();"),
                vec![],
            )
            .await
            .unwrap();
        browser
            .screenshot(&format!("salary-04-member-chart-{}-phone", n + 1))
            .await;
    }
    client.set_window_size(1280, 800).await.unwrap();
}
