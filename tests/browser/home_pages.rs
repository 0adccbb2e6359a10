//! Each role's home page in a browser on the morning of `morning.rs`: the
//! items it lists, and every link on them leading to a page that opens.

use fantoccini::{Client, Locator};

use crate::browser::{Browser, visit};
use crate::helpers::{PASSWORD, TestApp};
use crate::morning::morning;
use crate::sign_in::{sign_in_as, sign_in_officer};

/// The to-do items' text and links on the page now.
async fn items(client: &Client) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for li in client
        .find_all(Locator::Css(".todo-list li"))
        .await
        .unwrap()
    {
        let text = li
            .text()
            .await
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let href = li
            .find(Locator::Css("a"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap_or_default();
        found.push((text, href));
    }
    found
}

/// Checks the home page lists each of `wanted`, saves it at both widths,
/// and follows every link on its lists to a page that is not an error.
async fn check_home(browser: &Browser, app: &TestApp, who: &str, wanted: &[&str]) {
    let client = &browser.client;
    browser
        .screenshots_at_each_width(&app.url("/"), &format!("home-{who}"))
        .await;
    visit(client, &app.url("/")).await;
    let listed = items(client).await;
    for w in wanted {
        assert!(
            listed.iter().any(|(text, _)| text.contains(w)),
            "{who}'s home lists {w:?}: {listed:#?}"
        );
    }
    let mut links: Vec<String> = listed.into_iter().map(|(_, href)| href).collect();
    links.dedup();
    for href in links {
        visit(client, &app.url(&href)).await;
        let title = client.title().await.unwrap();
        assert!(
            !title.starts_with("Page not found")
                && !title.starts_with("Not allowed")
                && !title.starts_with("Something went wrong"),
            "{who}'s link {href} opens a page, not {title:?}"
        );
    }
}

#[tokio::test]
async fn each_role_finds_what_needs_them_on_their_home_page_and_every_link_opens() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let morning = morning(&app).await;
    let client = &browser.client;

    sign_in_as(
        client,
        &app,
        "miguel.santos@example.org",
        PASSWORD,
        "miguel.santos",
    )
    .await;
    check_home(
        &browser,
        &app,
        "member-behind",
        &[
            "Not in good standing as of Fri 20 Nov 2026",
            "3 months of dues behind",
            "\u{201c}Strike authorization\u{201d} is open, but you are not on its roll",
        ],
    )
    .await;

    sign_in_as(
        client,
        &app,
        "sarah.okafor@example.org",
        PASSWORD,
        "sarah.okafor",
    )
    .await;
    check_home(
        &browser,
        &app,
        "member-voting",
        &[
            "Vote now in \u{201c}Strike authorization\u{201d}",
            "In good standing as of Fri 20 Nov 2026",
            "Step 1: management's response due Sun 15 Nov 2026.",
        ],
    )
    .await;
    // "Vote now" leads to the ballot.
    visit(client, &app.url("/")).await;
    client
        .find(Locator::XPath(
            "//a[starts-with(normalize-space(.), 'Vote now')]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    crate::browser::expect_heading(client, "Your ballot").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&format!("/elections/{}/ballot", morning.strike))
    );

    sign_in_as(client, &app, "steve@example.org", PASSWORD, "steve").await;
    check_home(
        &browser,
        &app,
        "steward",
        &["5 days late", "The deadline board"],
    )
    .await;

    sign_in_as(client, &app, "chief@example.org", PASSWORD, "chief").await;
    check_home(
        &browser,
        &app,
        "chief-steward",
        &["Steward: steve", "Assign G-"],
    )
    .await;

    client.delete_all_cookies().await.unwrap();
    sign_in_officer(client, &app, "olive@example.org").await;
    check_home(
        &browser,
        &app,
        "officer",
        &[
            "Decide 1 challenge to the roll of \u{201c}Contract ratification\u{201d}",
            "1 member on the roll of \u{201c}Strike authorization\u{201d} cannot be reached",
            "The trustees of \u{201c}Officer elections\u{201d} have not made its key",
            "1 message parked in the outbox",
            "newly behind on dues",
            "Audit log",
        ],
    )
    .await;
}
