use fantoccini::Locator;
use fantoccini::key::Key;

use crate::browser::{Browser, visit};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_visitor_reads_the_start_page_and_finds_sign_in() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let client = &browser.client;
    visit(client, &app.url("/")).await;

    let h1 = client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "Test Local 1");
    assert_eq!(client.title().await.unwrap(), "Welcome · Test Local 1");
    // The stylesheet applied (CSP allows it): the header has the accent colour.
    let header = client.find(Locator::Css(".site-header")).await.unwrap();
    let background = header.css_value("background-color").await.unwrap();
    assert!(
        background.starts_with("rgb") && background.contains("138, 28, 28"),
        "{background}"
    );

    // The first Tab lands on the skip link, and it leads to the content.
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
    let focused = client.active_element().await.unwrap();
    assert_eq!(focused.text().await.unwrap(), "Skip to main content");

    let sign_in = client.find(Locator::LinkText("Sign in")).await.unwrap();
    assert_eq!(
        sign_in.attr("href").await.unwrap().as_deref(),
        Some("/sign-in")
    );

    browser
        .screenshots_at_each_width(&app.url("/"), "start-page")
        .await;
    browser
        .screenshots_at_each_width(&app.url("/no-such-page"), "not-found")
        .await;
}
