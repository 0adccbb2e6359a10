//! A grievance in a browser: a member files it, a chief steward assigns a
//! steward, the steward finds it on the deadline board, records a meeting
//! and appeals, and the member sees the new step.

use diesel::prelude::*;
use fantoccini::{Client, Locator};
use unionhall::audit::Actor;
use unionhall::db::schema::{members, units, users};
use unionhall::db::write_tx;
use unionhall::grievances::calendar::{DayCount, UnitHolidays};
use unionhall::grievances::case::Step;
use unionhall::grievances::store;
use unionhall::roster::{self, csv_import};
use unionhall::users::Role;

use crate::browser::{Browser, expect_heading, fill, press, wait_for, wait_for_text};
use crate::helpers::{PASSWORD, TestApp};

fn setup(app: &TestApp) -> (i64, i64) {
    let roster_file =
        std::fs::read(format!("{}/samples/roster.csv", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let rows = csv_import::parse(&roster_file).unwrap();
    let now = app.config.clock.now();
    let mut conn = app.db();
    write_tx(&mut conn, |c| {
        roster::commit(c, rows, &Actor::command_line(), now)
    })
    .unwrap();
    let unit: i64 = units::table.select(units::id).first(&mut conn).unwrap();
    let step = |position, name: &str, arbitration| Step {
        position,
        name: name.into(),
        filing_days: 30,
        response_days: 10,
        count: DayCount::Business,
        arbitration,
    };
    write_tx(&mut conn, |c| {
        store::save_procedure(
            c,
            unit,
            &[
                step(1, "Step 1", false),
                step(2, "Step 2", false),
                step(3, "Arbitration", true),
            ],
            &UnitHolidays::new(),
        )
    })
    .unwrap();
    let sarah = app.create_user("sarah.okafor@example.org", "Sarah Okafor", &[Role::Member]);
    let member: i64 = members::table
        .filter(members::employee_number.eq("E1001"))
        .select(members::id)
        .first(&mut conn)
        .unwrap();
    diesel::update(users::table.find(sarah))
        .set(users::member_id.eq(member))
        .execute(&mut conn)
        .unwrap();
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
    (sarah, sam)
}

async fn sign_in_as(client: &Client, app: &TestApp, email: &str, name: &str) {
    client.delete_all_cookies().await.unwrap();
    client.goto(&app.url("/sign-in")).await.unwrap();
    fill(client, "email", email).await;
    fill(client, "password", PASSWORD).await;
    press(client, "Sign in").await;
    expect_heading(client, &format!("Welcome, {name}")).await;
}

async fn type_into(client: &Client, css: &str, text: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn choose(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_member_files_the_steward_meets_and_appeals_the_member_sees_the_step() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let (_, sam) = setup(&app);
    let client = &browser.client;

    // Sarah files.
    sign_in_as(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    client.goto(&app.url("/grievances")).await.unwrap();
    client
        .find(Locator::LinkText("File a grievance"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_heading(client, "File a grievance").await;
    let incident = (app.config.today() - chrono::Days::new(5)).to_string();
    client
        .execute(
            &format!(
                "document.querySelector(\"input[name='incident_date']\").value = '{incident}';"
            ),
            vec![],
        )
        .await
        .unwrap();
    fill(client, "articles", "12.3").await;
    type_into(
        client,
        "#description",
        "My schedule was changed with one day's notice.",
    )
    .await;
    type_into(client, "#remedy", "Restore my schedule.").await;
    fill(client, "supervisor", "Pat Boss").await;
    browser
        .screenshots_at_each_width(&app.url("/grievances/new"), "grievances-01-file-form")
        .await;
    // The screenshots reloaded the form; fill it again and send it.
    client
        .execute(
            &format!(
                "document.querySelector(\"input[name='incident_date']\").value = '{incident}';"
            ),
            vec![],
        )
        .await
        .unwrap();
    fill(client, "articles", "12.3").await;
    type_into(
        client,
        "#description",
        "My schedule was changed with one day's notice.",
    )
    .await;
    type_into(client, "#remedy", "Restore my schedule.").await;
    press(client, "File the grievance").await;
    expect_heading(client, "Grievance G-1").await;
    wait_for_text(client, ".flash", "Grievance G-1 filed.").await;
    browser.screenshot("grievances-02-filed").await;

    // The chief steward assigns Sam.
    sign_in_as(client, &app, "chris@example.org", "Chris Chief").await;
    client.goto(&app.url("/grievances/1")).await.unwrap();
    choose(client, "#steward", &sam.to_string()).await;
    press(client, "Assign").await;
    wait_for_text(client, ".flash", "Steward assigned.").await;

    // Sam finds it on his board, records the meeting and appeals.
    sign_in_as(client, &app, "sam@example.org", "Sam Steward").await;
    client.goto(&app.url("/stewards/board")).await.unwrap();
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
    client
        .find(Locator::LinkText("G-1"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
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
    client.goto(&app.url("/grievances/1")).await.unwrap();
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
