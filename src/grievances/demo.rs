//! The demo local's grievances: a procedure for each unit and cases at
//! every step, some due soon and some overdue, dated back from today so
//! the board always has something to show.

use chrono::{Days, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::calendar::{DayCount, UnitHolidays};
use super::case::{Procedure, Step};
use super::states::{Act, Kind};
use super::store::{self, ActRecord, Filing, Outcome};
use crate::audit::Actor;
use crate::config::Config;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{members, units, users};
use crate::money::Cents;

struct DemoCase {
    grievants: &'static [&'static str],
    incident_ago: u64,
    filed_ago: u64,
    articles: &'static [&'static str],
    department: &'static str,
    description: &'static str,
    remedy: &'static str,
    steward: Option<&'static str>,
    /// (act, days ago, terms, back pay in cents)
    acts: &'static [(Act, u64, &'static str, i64)],
}

const CASES: [DemoCase; 9] = [
    DemoCase {
        grievants: &["E1001"],
        incident_ago: 14,
        filed_ago: 12,
        articles: &["Article 12.3"],
        department: "Research",
        description: "My schedule was changed with one day's notice instead of the two weeks Article 12.3 requires.",
        remedy: "Restore the posted schedule and pay for the hours lost.",
        steward: Some("steward@example.org"),
        acts: &[],
    },
    DemoCase {
        grievants: &["E1002"],
        incident_ago: 30,
        filed_ago: 28,
        articles: &["Article 7(b)"],
        department: "Organizing",
        description: "Mileage for field work in October was not reimbursed.",
        remedy: "Reimburse the mileage at the contract rate.",
        steward: Some("steward@example.org"),
        acts: &[
            (Act::MeetingHeld, 20, "", 0),
            (Act::ResponseReceived, 8, "", 0),
        ],
    },
    DemoCase {
        grievants: &["E1004"],
        incident_ago: 70,
        filed_ago: 65,
        articles: &["Article 30"],
        department: "Health Fund",
        description: "The remote-work stipend was stopped without bargaining.",
        remedy: "Restore the stipend with arrears, and bargain any change.",
        steward: Some("steward@example.org"),
        acts: &[
            (Act::ResponseReceived, 55, "", 0),
            (Act::Appealed, 50, "", 0),
            (Act::ResponseReceived, 30, "", 0),
            (Act::Appealed, 25, "", 0),
            (Act::MeetingHeld, 5, "", 0),
        ],
    },
    DemoCase {
        grievants: &["E1005", "E1003"],
        incident_ago: 100,
        filed_ago: 95,
        articles: &["Article 30", "Article 12.3"],
        department: "Member Services",
        description: "Member Services staff were moved to evening shifts without notice or the shift differential.",
        remedy: "Pay the differential for every evening shift worked and restore day shifts.",
        steward: Some("chief@example.org"),
        acts: &[
            (Act::ResponseReceived, 85, "", 0),
            (Act::Appealed, 80, "", 0),
            (Act::ResponseReceived, 60, "", 0),
            (Act::Appealed, 55, "", 0),
            (Act::ResponseReceived, 30, "", 0),
            (Act::ArbitrationDemanded, 20, "", 0),
        ],
    },
    DemoCase {
        grievants: &["E1003"],
        incident_ago: 40,
        filed_ago: 3,
        articles: &["Article 22"],
        department: "Member Services",
        description: "A written warning was placed in my file without a meeting.",
        remedy: "Remove the warning from my file.",
        steward: None,
        acts: &[],
    },
    DemoCase {
        grievants: &["E1001"],
        incident_ago: 130,
        filed_ago: 120,
        articles: &["Article 12.3"],
        department: "Research",
        description: "Hours were cut over the summer without notice.",
        remedy: "Pay for the hours cut.",
        steward: Some("steward@example.org"),
        acts: &[
            (Act::MeetingHeld, 110, "", 0),
            (
                Act::Settled,
                90,
                "Schedule restored; back pay for the hours lost.",
                124_000,
            ),
        ],
    },
    DemoCase {
        grievants: &["E1002"],
        incident_ago: 110,
        filed_ago: 100,
        articles: &["Article 7(b)"],
        department: "Organizing",
        description: "A parking charge was deducted from pay.",
        remedy: "Refund the charge.",
        steward: Some("steward@example.org"),
        acts: &[(
            Act::Withdrawn,
            96,
            "The employer refunded the charge before the meeting.",
            0,
        )],
    },
    DemoCase {
        grievants: &["E1004"],
        incident_ago: 200,
        filed_ago: 190,
        articles: &["Article 18"],
        department: "Health Fund",
        description: "A promotion went to a less senior applicant.",
        remedy: "Promote the grievant with back pay.",
        steward: Some("chief@example.org"),
        acts: &[
            (Act::ResponseReceived, 170, "", 0),
            (Act::Appealed, 165, "", 0),
            (
                Act::Won,
                130,
                "Promoted retroactively with the difference in pay.",
                350_000,
            ),
        ],
    },
    DemoCase {
        grievants: &["E2001"],
        incident_ago: 150,
        filed_ago: 140,
        articles: &["Article 9"],
        department: "Box Office",
        description: "Overtime was paid at straight time.",
        remedy: "Pay the overtime premium.",
        steward: Some("steward@example.org"),
        acts: &[
            (Act::ResponseReceived, 120, "", 0),
            (Act::Denied, 110, "", 0),
        ],
    },
];

fn step(position: i32, name: &str, filing: u32, response: u32, count: DayCount) -> Step {
    Step {
        position,
        name: name.into(),
        filing_days: filing,
        response_days: response,
        count,
        arbitration: name == "Arbitration",
    }
}

/// Writes the procedures and the cases.
pub fn fill(
    conn: &mut DbConnection,
    config: &Config,
    today: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let unit_id = |conn: &mut DbConnection, name: &str| -> QueryResult<i64> {
        units::table
            .filter(units::name.eq(name))
            .select(units::id)
            .first(conn)
    };
    let guild = unit_id(conn, "Guild Staff")?;
    let theatre = unit_id(conn, "Theatre Alliance Staff")?;
    let business = DayCount::Business;
    let day_after_thanksgiving = NaiveDate::from_weekday_of_month_opt(
        chrono::Datelike::year(&today),
        11,
        chrono::Weekday::Fri,
        4,
    );
    let holidays: UnitHolidays = day_after_thanksgiving
        .map(|d| (d, "Day after Thanksgiving".to_owned()))
        .into_iter()
        .collect();
    let command_line = Context {
        actor: Actor::command_line(),
        now,
        today,
        config: config.clone(),
    };
    store::save_procedure(
        conn,
        &command_line,
        guild,
        &Procedure {
            steps: vec![
                step(1, "Informal", 10, 5, business),
                step(2, "Step 1", 10, 10, business),
                step(3, "Step 2", 10, 15, business),
                step(4, "Arbitration", 30, 0, DayCount::Calendar),
            ],
            holidays,
            roll_forward: false,
        },
    )?;
    store::save_procedure(
        conn,
        &command_line,
        theatre,
        &Procedure {
            steps: vec![
                step(1, "Step 1", 21, 14, DayCount::Calendar),
                step(2, "Step 2", 14, 14, DayCount::Calendar),
                step(3, "Arbitration", 30, 0, DayCount::Calendar),
            ],
            holidays: UnitHolidays::new(),
            roll_forward: false,
        },
    )?;
    let user = |conn: &mut DbConnection, email: &str| -> QueryResult<(i64, String)> {
        users::table
            .filter(users::email.eq(email))
            .select((users::id, users::email))
            .first(conn)
    };
    let ago = |days: u64| today - Days::new(days);
    for case in &CASES {
        let mut member_ids = Vec::new();
        let mut unit = guild;
        for number in case.grievants {
            let (id, unit_of): (i64, i64) = members::table
                .filter(members::employee_number.eq(number))
                .select((members::id, members::unit_id))
                .first(conn)?;
            member_ids.push(id);
            unit = unit_of;
        }
        let steward = match case.steward {
            Some(email) => Some(user(conn, email)?),
            None => None,
        };
        let actor = match &steward {
            Some((id, email)) => Actor {
                user_id: Some(*id),
                label: email.clone(),
                ip: "demo".into(),
            },
            None => Actor::command_line(),
        };
        let filing = Filing {
            unit_id: unit,
            kind: if member_ids.len() > 1 {
                Kind::Group
            } else {
                Kind::Individual
            },
            class_description: String::new(),
            incident_date: ago(case.incident_ago),
            articles: case.articles.iter().map(|a| (*a).to_owned()).collect(),
            description: case.description.into(),
            remedy: case.remedy.into(),
            department: case.department.into(),
            supervisor: "Jamie Rivera".into(),
            continuing_violation: false,
            member_ids,
            steward_id: steward.as_ref().map(|(id, _)| *id),
        };
        // Each case is filed on its own day in the past and acted on
        // since, by its steward (or the command line).
        let acting = Context {
            actor,
            now,
            today,
            config: config.clone(),
        };
        let filing_day = Context {
            today: ago(case.filed_ago),
            ..acting.clone()
        };
        let id = store::file(conn, &filing_day, &filing)?.id;
        for (act, days, terms, back_pay) in case.acts {
            let row = store::lock(conn, id)?;
            let record = ActRecord {
                act: *act,
                on: ago(*days),
                detail: String::new(),
                outcome: Outcome {
                    terms: (*terms).to_owned(),
                    back_pay: (*back_pay > 0).then_some(Cents(*back_pay)),
                },
            };
            if let Err(refusal) = store::record_act(conn, &acting, &row, &record)? {
                return Err(diesel::result::Error::QueryBuilderError(
                    format!("demo grievance {id}: {refusal}").into(),
                ));
            }
        }
    }
    // The demo's people are fictional: none of its notices should leave.
    diesel::delete(
        crate::db::schema::outbox::table
            .filter(crate::db::schema::outbox::template.eq("grievance")),
    )
    .execute(conn)?;
    Ok(())
}
