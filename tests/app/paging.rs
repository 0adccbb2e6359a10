//! Long lists a page at a time: the deadline board, the audit log, the
//! roster, the outbox and the reconciliation page each say which rows they
//! show of how many, reach their last row by their links, keep their
//! filters from page to page, and answer a page past the end in words.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use unionhall::audit::{self, Actor, Entry};
use unionhall::context::Context;
use unionhall::db::schema::{grievances, members, outbox};
use unionhall::db::write_tx;
use unionhall::grievances::calendar::DayCount;
use unionhall::grievances::states::Kind;
use unionhall::grievances::store::{self, Filing};

use crate::helpers::{Page, TestApp};

/// The href of the link whose text is `text`, with `&amp;` read back.
fn link_named(page: &Page, text: &str) -> Option<String> {
    let end = page.body.find(&format!(">{text}</a>"))?;
    let start = page.body[..end].rfind("href=\"")? + "href=\"".len();
    let href = &page.body[start..end];
    Some(
        href.split('"')
            .next()?
            .replace("&amp;", "&")
            .replace("&#38;", "&"),
    )
}

/// Follows "Next ›" from `first` to the last page; returns every page seen.
async fn walk(client: &crate::helpers::TestClient, first: &str) -> Vec<Page> {
    let mut pages = vec![client.get(first).await];
    while let Some(next) = link_named(pages.last().unwrap(), "Next ›") {
        assert!(pages.len() < 50, "the pages end");
        let page = client.get(&next).await;
        assert_eq!(page.status, 200, "{next}");
        pages.push(page);
    }
    pages
}

fn file_cases(app: &TestApp, unit: i64, n: usize) {
    let today = app.config.today();
    let people: Vec<i64> = members::table
        .select(members::id)
        .load(&mut app.db())
        .unwrap();
    write_tx(&mut app.db(), |c| {
        for i in 0..n {
            let filed = today - Days::new((i % 40) as u64);
            let filing = Filing {
                unit_id: unit,
                kind: Kind::Individual,
                class_description: String::new(),
                incident_date: filed - Days::new(2),
                articles: vec!["Article 7".into()],
                description: format!("Case number {i} of the test."),
                remedy: "Make them whole.".into(),
                department: "Research".into(),
                supervisor: "A Supervisor".into(),
                continuing_violation: false,
                member_ids: vec![people[i % people.len()]],
                steward_id: None,
            };
            let ctx = Context {
                today: filed,
                ..Context::command_line(&app.config)
            };
            store::file(c, &ctx, &filing)?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

#[tokio::test]
async fn the_deadline_board_shows_fifty_cases_a_page_with_every_part_counted_and_reaches_the_last()
{
    let app = TestApp::spawn().await;
    let unit = app.grievance_unit(DayCount::Calendar);
    file_cases(&app, unit, 120);
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let today = app.config.today();
    let open: Vec<(i64, Option<NaiveDate>)> = grievances::table
        .select((grievances::id, grievances::due_on))
        .load(&mut app.db())
        .unwrap();
    let overdue = open
        .iter()
        .filter(|(_, d)| d.is_some_and(|d| d < today))
        .count();
    let last_case = open
        .iter()
        .max_by_key(|(id, due)| (due.is_none(), *due, *id))
        .unwrap()
        .0;

    let first = chief.get("/stewards/board").await;
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains("Showing 1\u{2013}50 of 120 (page 1 of 3)."),
        "{}",
        first.body
    );
    assert!(first.body.contains(&format!("Overdue ({overdue})")));
    assert_eq!(first.body.matches("<a href=\"/grievances/").count(), 50);
    let pages = walk(&chief, "/stewards/board").await;
    assert_eq!(pages.len(), 3);
    assert!(
        pages[2]
            .body
            .contains("Showing 101\u{2013}120 of 120 (page 3 of 3).")
    );
    assert_eq!(pages[2].body.matches("<a href=\"/grievances/").count(), 20);
    assert!(
        pages[2]
            .body
            .contains(&format!("<a href=\"/grievances/{last_case}\">")),
        "the case due last is on the last page"
    );
    // Every case is on exactly one page.
    let shown: usize = pages
        .iter()
        .map(|p| p.body.matches("<a href=\"/grievances/").count())
        .sum();
    assert_eq!(shown, 120);
    assert!(link_named(&pages[2], "‹ Previous").is_some_and(|l| l == "/stewards/board?page=2"));

    let beyond = chief.get("/stewards/board?page=9").await;
    assert_eq!(beyond.status, 200);
    assert!(
        beyond
            .body
            .contains("There is no page 9: the list has 120 on 3 pages."),
        "{}",
        beyond.body
    );
    assert!(beyond.body.contains("href=\"/stewards/board?page=3\""));
    let nonsense = chief.get("/stewards/board?page=first").await;
    assert_eq!(nonsense.status, 200);
    assert!(nonsense.body.contains("Showing 1\u{2013}50 of 120"));
}

#[tokio::test]
async fn the_audit_log_keeps_its_filter_on_every_page_and_reaches_the_oldest_entry() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let start = app.config.clock.now() - chrono::Duration::days(30);
    let actor = Actor::command_line();
    write_tx(&mut app.db(), |c| {
        for i in 0..130_i64 {
            for action in ["paging_test", "other_test"] {
                audit::record(
                    c,
                    start + chrono::Duration::minutes(i),
                    Entry {
                        actor: &actor,
                        action,
                        target: &format!("target number {i:03}"),
                        detail: "",
                    },
                )?;
            }
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    let first = officer.get("/officer/audit?action=paging_test").await;
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains("Showing 1\u{2013}50 of 130 (page 1 of 3)."),
        "{}",
        first.body
    );
    assert!(first.body.contains("target number 129"), "newest first");
    let pages = walk(&officer, "/officer/audit?action=paging_test").await;
    assert_eq!(pages.len(), 3);
    for page in &pages[1..] {
        assert!(page.body.contains("Showing"));
        assert!(!page.body.contains("other_test</td>"), "the filter is kept");
    }
    assert!(
        link_named(&pages[1], "‹ Previous")
            .unwrap()
            .contains("action=paging_test")
    );
    assert!(
        pages[2].body.contains("target number 000"),
        "the oldest entry"
    );
    assert!(pages[2].body.contains("Showing 101\u{2013}130 of 130"));
    let beyond = officer
        .get("/officer/audit?action=paging_test&page=4")
        .await;
    assert!(
        beyond
            .body
            .contains("There is no page 4: the list has 130 on 3 pages.")
    );
    assert!(
        link_named(&beyond, "Go to the last page (3)")
            .is_some_and(|l| l == "/officer/audit?action=paging_test&page=3")
    );
    let none = officer.get("/officer/audit?action=never_done").await;
    assert!(none.body.contains("Nothing to show."));
}

#[tokio::test]
async fn the_roster_pages_keep_the_search_and_reach_the_last_name() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let mut csv = String::from(
        "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n",
    );
    for i in 0..120 {
        csv.push_str(&format!(
            "P{i:04},Pat,Pager{i:03},,Big Unit,Analyst,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n"
        ));
    }
    csv.push_str(
        "Q0001,Quinn,Other,,Big Unit,Analyst,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n",
    );
    app.import_roster(csv.as_bytes());
    let pages = walk(&officer, "/officer/roster?q=pager").await;
    assert_eq!(pages.len(), 3);
    assert!(
        pages[0]
            .body
            .contains("Showing 1\u{2013}50 of 120 (page 1 of 3).")
    );
    assert!(pages[2].body.contains("Pager119, Pat"), "the last name");
    assert!(
        !pages.iter().any(|p| p.body.contains("Other, Quinn")),
        "the search is kept"
    );
    assert!(
        link_named(&pages[2], "‹ Previous")
            .unwrap()
            .contains("q=pager")
    );
    let beyond = officer.get("/officer/roster?q=pager&page=7").await;
    assert!(
        beyond
            .body
            .contains("There is no page 7: the list has 120 on 3 pages.")
    );
}

#[tokio::test]
async fn the_outbox_pages_keep_the_status_and_reach_the_first_message_sent() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    for i in 0..70 {
        app.queue_test_mail(&format!("person{i:02}@example.org"));
    }
    // The worker sends them all; then the list holds still.
    app.smtp
        .wait_for(70, std::time::Duration::from_secs(60))
        .await;
    for _ in 0..600 {
        let sent: i64 = outbox::table
            .filter(outbox::status.eq("sent"))
            .count()
            .get_result(&mut app.db())
            .unwrap();
        if sent == 70 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let pages = walk(&officer, "/officer/outbox?status=sent").await;
    assert_eq!(pages.len(), 2);
    assert!(
        pages[0]
            .body
            .contains("Showing 1\u{2013}50 of 70 (page 1 of 2)."),
        "{}",
        pages[0].body
    );
    assert!(
        pages[1].body.contains("person00@example.org"),
        "the first sent"
    );
    assert!(!pages[0].body.contains("person00@example.org"));
    assert!(
        link_named(&pages[1], "‹ Previous")
            .unwrap()
            .contains("status=sent")
    );
    let failed = officer.get("/officer/outbox?status=failed").await;
    assert!(failed.body.contains("Nothing to show."));
}
