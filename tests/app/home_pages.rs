//! Each person's home page lists what needs them on the day, each item a
//! link to where it is dealt with: a morning in a local with a member
//! behind on dues, an open vote, a roll challenge, an overdue case, a
//! voter nobody can email, parked mail and a trustee who has not acted.

use crate::elections::{cast, question_choices};
use crate::helpers::{Page, TestApp, TestClient};
use crate::morning::{Morning, morning};

/// The text of the page's to-do lists, one line per item.
fn items(page: &Page) -> Vec<String> {
    let mut lines = Vec::new();
    for chunk in page.body.split("<li class=\"todo-").skip(1) {
        let item = chunk.split("</li>").next().unwrap_or_default();
        let item = item.split_once('>').map_or(item, |(_, rest)| rest);
        lines.push(text_of(item));
    }
    lines
}

/// The links of the page's to-do lists.
fn links(page: &Page) -> Vec<String> {
    page.body
        .split("<li class=\"todo-")
        .skip(1)
        .filter_map(|chunk| {
            let start = chunk.find("href=\"")? + 6;
            let end = chunk[start..].find('"')? + start;
            Some(chunk[start..end].replace("&amp;", "&"))
        })
        .collect()
}

fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#x201c;", "\u{201c}")
        .replace("&#x201d;", "\u{201d}")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|l| l.contains(wanted))
}

/// Every link on the lists opens a page the reader may see.
async fn every_link_opens(client: &TestClient, page: &Page) {
    for link in links(page) {
        let path = link.split('#').next().unwrap();
        let seen = client.get(path).await;
        assert_eq!(seen.status, 200, "{link} opens from the home page");
    }
}

#[tokio::test]
async fn each_home_page_lists_what_needs_that_person_with_a_link_to_it() {
    let app = TestApp::spawn().await;
    let Morning {
        strike,
        sarahs_case,
        danas_case,
        officer,
        ..
    } = morning(&app).await;
    let sarah = app.signed_in("sarah.okafor@example.org").await;
    let miguel = app.signed_in("miguel.santos@example.org").await;
    let dana = app.signed_in("dana.whitfield@example.org").await;
    let steve = app.signed_in("steve@example.org").await;
    let chief = app.signed_in("chief@example.org").await;

    // Miguel, three months behind: told so, why, and what to do.
    let home = miguel.visit("/").await;
    let list = items(&home);
    assert!(
        has(&list, "Not in good standing as of Fri 20 Nov 2026"),
        "{list:#?}"
    );
    assert!(has(&list, "3 months of dues behind"), "{list:#?}");
    assert!(has(
        &list,
        "\u{201c}Strike authorization\u{201d} is open, but you are not on its roll"
    ));
    assert!(has(
        &list,
        "You are not on the roll for \u{201c}Contract ratification\u{201d}"
    ));
    assert!(links(&home).contains(&"/dues".to_owned()));
    every_link_opens(&miguel, &home).await;

    // Sarah, paid up: vote now, then voted; her case with its next date.
    let home = sarah.visit("/").await;
    let list = items(&home);
    assert!(
        has(&list, "In good standing as of Fri 20 Nov 2026"),
        "{list:#?}"
    );
    assert!(has(
        &list,
        "Vote now in \u{201c}Strike authorization\u{201d}"
    ));
    assert!(links(&home).contains(&format!("/elections/{strike}/ballot")));
    assert!(has(
        &list,
        "You are on the roll for \u{201c}Contract ratification\u{201d}"
    ));
    assert!(
        has(&list, "Step 1: management's response due Sun 15 Nov 2026."),
        "{list:#?}"
    );
    every_link_opens(&sarah, &home).await;
    let (question, choices) = question_choices(&app, strike).remove(0);
    let receipt = cast(&sarah, strike, &[(question, choices[0])]).await;
    assert!(receipt.body.contains("tracking-code"), "{}", receipt.body);
    let list = items(&sarah.visit("/").await);
    assert!(
        has(&list, "You voted in \u{201c}Strike authorization\u{201d}"),
        "{list:#?}"
    );
    assert!(!has(&list, "Vote now"));

    // Steve: Sarah's case, five days past management's deadline.
    let home = steve.visit("/").await;
    let list = items(&home);
    assert!(has(&list, "5 days late"), "{list:#?}");
    assert!(links(&home).contains(&sarahs_case));
    assert!(!links(&home).contains(&danas_case), "not his case");
    every_link_opens(&steve, &home).await;

    // The chief: every case, and Dana's with no steward.
    let home = chief.visit("/").await;
    let list = items(&home);
    assert!(has(&list, "Steward: steve"), "{list:#?}");
    let dana_number = text_of(&dana.visit(&danas_case).await.body);
    let assign = list
        .iter()
        .find(|l| l.starts_with("Assign G-"))
        .expect("an unassigned case");
    assert!(
        dana_number.contains(
            assign
                .trim_start_matches("Assign ")
                .split(' ')
                .next()
                .unwrap()
        )
    );
    every_link_opens(&chief, &home).await;

    // The officer: everything waiting on them, and every area.
    let home = officer.visit("/").await;
    let list = items(&home);
    for wanted in [
        "Decide 1 challenge to the roll of \u{201c}Contract ratification\u{201d}",
        "1 member on the roll of \u{201c}Strike authorization\u{201d} cannot be reached",
        "1 member on the roll of \u{201c}Strike authorization\u{201d} has no account",
        "The trustees of \u{201c}Officer elections\u{201d} have not made its key",
        "Step 1 of 3: 0 of 3 trustees have sent their transport key.",
        "1 message parked in the outbox",
        "newly behind on dues",
        "Whitfield, Dana",
        "Reconciliation and arrears",
    ] {
        assert!(has(&list, wanted), "{wanted:?} in {list:#?}");
    }
    assert!(!has(&list, "Okafor, Sarah"), "paid up, not behind");
    every_link_opens(&officer, &home).await;
    let election = officer.visit(&format!("/officer/elections/{strike}")).await;
    assert!(election.body.contains("id=\"unreachable\""));
    assert!(election.body.contains("Reyes, Alma"));
    assert!(election.body.contains("Raman, Priya"));
}
