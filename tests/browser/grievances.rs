//! A grievance in a browser: a member files it, a chief steward assigns a
//! steward, the steward finds it on the deadline board, records a meeting
//! and appeals, and the member sees the new step.

use fantoccini::{Client, Locator};
use unionhall::grievances::calendar::DayCount;
use unionhall::users::Role;

use crate::browser::{
    Browser, choose, click, expect_heading, fill, press, set_value, type_into, visit, wait_for,
    wait_for_text,
};
use crate::helpers::{PASSWORD, TestApp};

/// The sample roster under a three-step procedure in business days,
/// Sarah's account on it, a steward and a chief steward; returns Sam the
/// steward's id.
fn setup(app: &TestApp) -> i64 {
    app.grievance_unit(DayCount::Business);
    let sarah = app.create_user("sarah.okafor@example.org", "Sarah Okafor", &[Role::Member]);
    app.link_to_roster(sarah, "E1001");
    let sam = app.create_user(
        "sam@example.org",
        "Sam Steward",
        &[Role::Member, Role::Steward],
    );
    app.create_user(
        "chris@example.org",
        "Chris Chief",
        &[Role::Member, Role::ChiefSteward],
    );
    sam
}

async fn sign_in_as(client: &Client, app: &TestApp, email: &str, name: &str) {
    crate::sign_in::sign_in_as(client, app, email, PASSWORD, name).await;
}

/// Fills in the grievance form with an incident on `incident`.
async fn fill_grievance(client: &Client, incident: &str) {
    set_value(client, "incident_date", incident).await;
    fill(client, "articles", "12.3").await;
    type_into(
        client,
        "#description",
        "My schedule was changed with one day's notice.",
    )
    .await;
    type_into(client, "#remedy", "Restore my schedule.").await;
}

#[tokio::test]
async fn a_member_files_the_steward_meets_and_appeals_the_member_sees_the_step() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let sam = setup(&app);
    let client = &browser.client;

    // Sarah files.
    sign_in_as(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &app.url("/grievances")).await;
    click(client, Locator::LinkText("File a grievance")).await;
    expect_heading(client, "File a grievance").await;
    let incident = (app.config.today() - chrono::Days::new(5)).to_string();
    fill_grievance(client, &incident).await;
    fill(client, "supervisor", "Pat Boss").await;
    browser
        .screenshots_at_each_width(&app.url("/grievances/new"), "grievances-01-file-form")
        .await;
    // The screenshots reloaded the form; fill it again and send it.
    fill_grievance(client, &incident).await;
    press(client, "File the grievance").await;
    expect_heading(client, "Grievance G-1").await;
    wait_for_text(client, ".flash", "Grievance G-1 filed.").await;
    browser.screenshot("grievances-02-filed").await;

    // The chief steward assigns Sam.
    sign_in_as(client, &app, "chris@example.org", "Chris Chief").await;
    visit(client, &app.url("/grievances/1")).await;
    choose(client, "#steward", &sam.to_string()).await;
    press(client, "Assign").await;
    wait_for_text(client, ".flash", "Steward assigned.").await;

    // Sam finds it on his board, records the meeting and appeals.
    sign_in_as(client, &app, "sam@example.org", "Sam Steward").await;
    visit(client, &app.url("/stewards/board")).await;
    expect_heading(client, "Deadline board").await;
    let board = client.source().await.unwrap();
    assert!(board.contains("G-1"), "on the board");
    assert!(
        board.contains("Step 1: management&#39;s response due")
            || board.contains("Step 1: management's response due")
    );
    browser
        .screenshots_at_each_width(&app.url("/stewards/board"), "grievances-03-board")
        .await;
    click(client, Locator::LinkText("G-1")).await;
    expect_heading(client, "Grievance G-1").await;
    choose(client, "#act", "meeting_held").await;
    press(client, "Record").await;
    wait_for_text(client, ".flash", "Recorded: Meeting held.").await;
    choose(client, "#act", "appealed").await;
    press(client, "Record").await;
    wait_for_text(client, ".flash", "Recorded: Appealed.").await;
    browser
        .screenshots_at_each_width(&app.url("/grievances/1"), "grievances-04-steward-case")
        .await;

    // Sarah sees the new step, and not Sam's private notes (there are none
    // here; the access tests cover them).
    sign_in_as(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &app.url("/grievances/1")).await;
    let status = wait_for(client, ".case-status").await.text().await.unwrap();
    assert!(status.starts_with("Step 2"), "{status}");
    let timeline = wait_for(client, ".timeline").await.text().await.unwrap();
    assert!(timeline.contains("Meeting held"));
    assert!(timeline.contains("Appealed"));
    browser
        .screenshots_at_each_width(
            &app.url("/grievances/1"),
            "grievances-05-member-sees-step-2",
        )
        .await;
}

#[tokio::test]
async fn a_member_files_twice_and_the_chief_steward_voids_the_duplicate() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    setup(&app);
    let client = &browser.client;

    // Sarah files, and not sure it went through, files the same again.
    sign_in_as(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    let incident = (app.config.today() - chrono::Days::new(5)).to_string();
    for number in ["G-1", "G-2"] {
        visit(client, &app.url("/grievances/new")).await;
        fill_grievance(client, &incident).await;
        press(client, "File the grievance").await;
        expect_heading(client, &format!("Grievance {number}")).await;
    }

    // The chief steward sees both on the board and voids the second.
    sign_in_as(client, &app, "chris@example.org", "Chris Chief").await;
    visit(client, &app.url("/stewards/board")).await;
    expect_heading(client, "Deadline board").await;
    let board = client.source().await.unwrap();
    assert!(
        board.contains(">G-1<") && board.contains(">G-2<"),
        "{board}"
    );
    click(client, Locator::LinkText("G-2")).await;
    expect_heading(client, "Grievance G-2").await;
    click(
        client,
        Locator::XPath("//summary[starts-with(normalize-space(.), 'Void G-2')]"),
    )
    .await;
    type_into(
        client,
        "#void_reason",
        "Duplicate of G-1: Sarah filed twice.",
    )
    .await;
    press(client, "Void G-2").await;
    // Without the box ticked, nothing is voided and the reason is kept.
    wait_for_text(
        client,
        ".error-summary",
        "Tick the box to confirm that G-2 was filed in error.",
    )
    .await;
    let kept = wait_for(client, "#void_reason")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some("Duplicate of G-1: Sarah filed twice.")
    );
    // The refused form, scrolled into view, at each width.
    for (label, width, height) in crate::browser::VIEWPORTS {
        client.set_window_size(width, height).await.unwrap();
        client
            .execute(
                "document.getElementById('void-heading').scrollIntoView();",
                vec![],
            )
            .await
            .unwrap();
        browser
            .screenshot(&format!("grievances-06-void-refused-{label}"))
            .await;
    }
    let (_, width, height) = crate::browser::VIEWPORTS[0];
    client.set_window_size(width, height).await.unwrap();
    click(client, Locator::Css("#void_confirm")).await;
    press(client, "Void G-2").await;
    wait_for_text(client, ".flash", "G-2 voided.").await;
    let notice = wait_for(client, ".voided").await.text().await.unwrap();
    assert!(
        notice.contains("Chris Chief voided this grievance")
            && notice.contains("Duplicate of G-1: Sarah filed twice."),
        "{notice}"
    );
    let status = wait_for(client, ".case-status").await.text().await.unwrap();
    assert!(status.contains("Voided"), "{status}");
    let timeline = wait_for(client, ".timeline").await.text().await.unwrap();
    assert!(
        timeline.contains("Voided by Chris Chief: Duplicate of G-1: Sarah filed twice."),
        "{timeline}"
    );
    browser
        .screenshots_at_each_width(&app.url("/grievances/2"), "grievances-06-voided-case")
        .await;

    // The board no longer shows it.
    visit(client, &app.url("/stewards/board")).await;
    expect_heading(client, "Deadline board").await;
    let board = client.source().await.unwrap();
    assert!(board.contains(">G-1<"), "{board}");
    assert!(!board.contains(">G-2<"), "the voided case left the board");
    browser
        .screenshots_at_each_width(
            &app.url("/stewards/board"),
            "grievances-07-board-without-the-duplicate",
        )
        .await;
}

#[tokio::test]
async fn an_officer_reads_how_limits_are_counted_and_ticks_the_roll_forward_option() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let unit = app.grievance_unit(DayCount::Calendar);
    let client = &browser.client;
    crate::sign_in::sign_in_officer(client, &app, "olive@example.org").await;
    let url = app.url(&format!("/officer/units/{unit}/procedure"));
    visit(client, &url).await;
    expect_heading(client, "Grievance procedure: Guild Staff").await;
    let words = client.source().await.unwrap();
    assert!(
        words.contains("<strong>stays where it falls</strong>"),
        "{words}"
    );
    click(client, Locator::Css("#roll_forward")).await;
    press(client, "Save the procedure").await;
    wait_for_text(client, ".flash", "Grievance procedure saved.").await;
    let ticked = wait_for(client, "#roll_forward")
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"));
    let words = client.source().await.unwrap();
    assert!(words.contains("<strong>moves to the next business day</strong>"));
    browser
        .screenshots_at_each_width(&url, "grievances-08-procedure-how-limits-count")
        .await;
    for (label, width, height) in crate::browser::VIEWPORTS {
        client.set_window_size(width, height).await.unwrap();
        client
            .execute(
                "document.getElementById('roll_forward').scrollIntoView({block: 'center'});",
                vec![],
            )
            .await
            .unwrap();
        browser
            .screenshot(&format!("grievances-08-procedure-roll-forward-{label}"))
            .await;
    }
}
