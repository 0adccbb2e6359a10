//! A morning in a local, for the home-page tests of both suites: on Fri
//! 20 Nov 2026, Miguel is three months behind on dues, a strike vote is
//! open, a ratification vote's roll is challenged, another vote's trustees
//! have not begun, Sarah's case is five days past management's deadline,
//! Dana's has no steward, a voter has no email and another no account, and
//! a message is parked in the outbox. Every account's password is the test
//! one; the officer's client has done two-factor.

use chrono::Duration;
use diesel::prelude::*;
use unionhall::db::schema::outbox;
use unionhall::db::write_tx;
use unionhall::elections::rules::PassRule;
use unionhall::elections::states::QuestionKind;
use unionhall::elections::store::{self, ElectionDraft, QuestionDraft};

use crate::helpers::{SAMPLE_RATE, Stage, TestApp, TestClient, day};

/// What the morning holds, by id and path.
pub struct Morning {
    pub strike: i64,
    pub sarahs_case: String,
    pub danas_case: String,
    pub officer: TestClient,
}

pub fn strike_question() -> QuestionDraft {
    QuestionDraft {
        text: "Strike?".into(),
        kind: QuestionKind::YesNo,
        choices: vec!["Yes".into(), "No".into()],
        rule: PassRule {
            num: 2,
            den: 3,
            at_least: true,
            min_turnout_bp: 5000,
        },
        dues: None,
    }
}

fn at(date: &str, hour: u32) -> chrono::NaiveDateTime {
    day(date).and_hms_opt(hour, 0, 0).unwrap()
}

fn vote(app: &TestApp, unit: i64, title: &str, opens_in: Duration) -> i64 {
    let now = app.config.clock.now();
    write_tx(&mut app.db(), |c| {
        store::create(
            c,
            &ElectionDraft {
                unit_id: unit,
                title: title.into(),
                description: String::new(),
                opens_at: now + opens_in,
                closes_at: now + opens_in + Duration::days(1),
                cutoff: app.config.today(),
                questions: vec![strike_question()],
            },
            now,
        )
    })
    .unwrap()
}

async fn file(client: &TestClient) -> String {
    let answer = client
        .post(
            "/grievances/new",
            &[
                ("incident_date", "2026-11-02"),
                ("articles", "12.3"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours."),
                ("department", "Research"),
                ("supervisor", "Pat Boss"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "filed: {}", answer.body);
    answer.location.unwrap()
}

async fn pay(officer: &TestClient, app: &TestApp, number: &str, amount: &str) {
    let id = app.member_id(number);
    let answer = officer
        .post(
            &format!("/officer/roster/{id}/ledger"),
            &[
                ("kind", "payment"),
                ("date", "2026-11-01"),
                ("amount", amount),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "payment saved: {}", answer.body);
}

/// Sets the morning up in `app`.
pub async fn morning(app: &TestApp) -> Morning {
    app.config.clock.set_to(at("2026-11-05", 15));
    let unit = app.grievance_unit(unionhall::grievances::calendar::DayCount::Calendar);
    app.set_rate(unit, day("2026-01-01"), SAMPLE_RATE);
    for month in ["2026-08-01", "2026-09-01", "2026-10-01"] {
        app.post_month(day(month));
    }
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    app.roster_member("miguel.santos@example.org", "E1002")
        .await;
    let (dana, _) = app
        .roster_member("dana.whitfield@example.org", "E1004")
        .await;
    let (_, steve_id) = app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;

    // Sarah files on the 5th, and Steve is given her case; Dana's case has
    // no steward. Management had 10 days to answer Sarah's.
    let sarahs_case = file(&sarah).await;
    let danas_case = file(&dana).await;
    let assigned = chief
        .post(
            &format!("{sarahs_case}/assign"),
            &[("steward", &steve_id.to_string())],
        )
        .await;
    assert_eq!(assigned.status, 303);

    // Fifteen days on, a morning in the local; yesterday's sessions have
    // ended. Sarah, Alma (no email on the roster) and Priya (no account)
    // have paid up.
    app.config.clock.set_to(at("2026-11-20", 15));
    let (officer, _) = app.officer("officer@example.org").await;
    let miguel = app.signed_in("miguel.santos@example.org").await;
    pay(&officer, app, "E1001", "300.00").await;
    pay(&officer, app, "E1006", "300.00").await;
    pay(&officer, app, "E1003", "300.00").await;
    let strike = app.election(unit, vec![strike_question()], Stage::Open);
    let ratify = vote(app, unit, "Contract ratification", Duration::days(4));
    app.publish_with_key(ratify);
    let officers = vote(app, unit, "Officer elections", Duration::days(9));
    app.name_trustees(officers);
    let now = app.config.clock.now();
    write_tx(&mut app.db(), |c| store::publish(c, officers, now)).unwrap();
    let challenged = miguel
        .post(
            &format!("/elections/{ratify}/challenge"),
            &[
                ("employee_number", "E1002"),
                ("reason", "I paid at the office in November."),
            ],
        )
        .await;
    assert_eq!(challenged.status, 303, "{}", challenged.body);
    app.queue_test_mail("gone@example.org");
    diesel::update(outbox::table.filter(outbox::recipient.eq("gone@example.org")))
        .set((
            outbox::status.eq("failed"),
            outbox::last_error.eq("550 no such mailbox"),
        ))
        .execute(&mut app.db())
        .unwrap();

    Morning {
        strike,
        sarahs_case,
        danas_case,
        officer,
    }
}
