//! The pages no flow opens get the same checks as those that do: in the
//! demo local, an officer and a member each follow every link from their
//! home page, one page of each kind, and `visit` checks each page.

use std::collections::{HashSet, VecDeque};

use fantoccini::{Client, Locator};

use crate::browser::{Browser, visit};
use crate::helpers::TestApp;
use crate::sign_in::sign_in_demo;

/// The kind of page an address opens: its path with numbers as `N`, so
/// that one member's page stands for all of them.
fn kind_of(path: &str) -> String {
    let mut kind = String::new();
    let mut in_number = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                kind.push('N');
            }
            in_number = true;
        } else {
            kind.push(c);
            in_number = false;
        }
    }
    kind
}

/// Whether following `path` opens a page to check (not a download, a
/// sign-out, or a file).
fn is_page(path: &str) -> bool {
    ![
        ".csv",
        "/record",
        "/packet",
        "/attachments/",
        "/static/",
        "/sign-out",
    ]
    .iter()
    .any(|skip| path.contains(skip))
}

/// Follows every link on the site's pages from the home page, one page of
/// each kind, and returns the kinds visited.
async fn walk(client: &Client, app: &TestApp) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut queue = VecDeque::from([String::from("/")]);
    let mut visited = Vec::new();
    while let Some(path) = queue.pop_front() {
        visit(client, &app.url(&path)).await;
        visited.push(kind_of(&path));
        for link in client.find_all(Locator::Css("a[href]")).await.unwrap() {
            let Some(href) = link.attr("href").await.unwrap() else {
                continue;
            };
            if !href.starts_with('/') || href.starts_with("//") {
                continue;
            }
            let href = href.split('#').next().unwrap_or_default().to_owned();
            let bare = href.split('?').next().unwrap_or_default();
            if is_page(bare) && seen.insert(kind_of(bare)) {
                queue.push_back(href);
            }
        }
    }
    visited
}

#[tokio::test]
async fn every_page_an_officer_or_a_member_can_reach_passes_the_page_checks() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let client = &browser.client;

    sign_in_demo(client, &app, "officer@example.org", "Olive Organa").await;
    let officer = walk(client, &app).await;
    for kind in [
        "/officer/roster/N/edit",
        "/officer/users/N",
        "/officer/units",
        "/officer/elections/N",
    ] {
        assert!(
            officer.iter().any(|k| k == kind),
            "the officer's walk reaches {kind}: {officer:#?}"
        );
    }

    sign_in_demo(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    let member = walk(client, &app).await;
    assert!(
        member.iter().any(|k| k == "/account/notifications"),
        "{member:#?}"
    );

    // And what someone signed out sees.
    client.delete_all_cookies().await.unwrap();
    for path in ["/", "/sign-in", "/password-reset"] {
        visit(client, &app.url(path)).await;
    }
}
