//! `unionhall demo`: a fictional local to try the app with. Each feature
//! adds its own data here.

use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::auth::password::hash_blocking;
use crate::auth::two_factor;
use crate::config::Config;
use crate::db::schema::users as u;
use crate::db::{self, write_tx};
use crate::users::{self, Role};

/// The password every demo account shares. Printed; never use it for real.
pub const DEMO_PASSWORD: &str = "picket line coffee";

/// One demo account, for the printed list.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// Sign-in name.
    pub email: String,
    /// Their roles, in words.
    pub roles: String,
}

/// What `demo` made: the accounts, and the officer's two-factor key unless
/// the officer was left without two-factor.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The accounts.
    pub logins: Vec<DemoLogin>,
    /// The officer's authenticator key (base32), when two-factor is on.
    pub officer_two_factor_key: Option<String>,
}

const PEOPLE: [(&str, &str, &[Role]); 8] = [
    (
        "officer@example.org",
        "Olive Organa",
        &[Role::Member, Role::Officer],
    ),
    (
        "chief@example.org",
        "Chris Chen",
        &[Role::Member, Role::ChiefSteward],
    ),
    (
        "steward@example.org",
        "Sam Steward",
        &[Role::Member, Role::Steward],
    ),
    ("sarah.okafor@example.org", "Sarah Okafor", &[Role::Member]),
    (
        "miguel.santos@example.org",
        "Miguel Santos",
        &[Role::Member],
    ),
    ("priya.raman@example.org", "Priya Raman", &[Role::Member]),
    (
        "dana.whitfield@example.org",
        "Dana Whitfield",
        &[Role::Member],
    ),
    ("jordan.lee@example.org", "Jordan Lee", &[Role::Member]),
];

// (employee number, first, last, unit, classification, department, salary in dollars, status, pays by check-off)
const ROSTER: [(&str, &str, &str, &str, &str, &str, i64, &str, bool); 16] = [
    (
        "E1001",
        "Sarah",
        "Okafor",
        "Guild Staff",
        "Research Analyst",
        "Research",
        58_250,
        "member",
        true,
    ),
    (
        "E1002",
        "Miguel",
        "Santos",
        "Guild Staff",
        "Organizer",
        "Organizing",
        64_000,
        "member",
        true,
    ),
    (
        "E1003",
        "Priya",
        "Raman",
        "Guild Staff",
        "Administrative Assistant",
        "Member Services",
        52_500,
        "member",
        false,
    ),
    (
        "E1004",
        "Dana",
        "Whitfield",
        "Guild Staff",
        "Benefits Specialist",
        "Health Fund",
        71_200,
        "member",
        true,
    ),
    (
        "E1005",
        "Jonah",
        "Kim",
        "Guild Staff",
        "Research Analyst",
        "Research",
        55_000,
        "member",
        true,
    ),
    (
        "E1006",
        "Alma",
        "Reyes",
        "Guild Staff",
        "Receptionist",
        "Member Services",
        48_900,
        "member",
        false,
    ),
    (
        "E1007",
        "Terrence",
        "Boyd",
        "Guild Staff",
        "Legal Assistant",
        "Legal",
        61_750,
        "non-member",
        false,
    ),
    (
        "E1008",
        "Lucia",
        "Ferrante",
        "Guild Staff",
        "Organizer",
        "Organizing",
        69_300,
        "on-leave",
        false,
    ),
    (
        "E1009",
        "Howard",
        "Chen",
        "Guild Staff",
        "Data Entry Clerk",
        "Residuals",
        47_800,
        "member",
        true,
    ),
    (
        "E1010",
        "Nadia",
        "Haddad",
        "Guild Staff",
        "Benefits Specialist",
        "Pension Fund",
        74_500,
        "member",
        true,
    ),
    (
        "E1011",
        "Olive",
        "Organa",
        "Guild Staff",
        "Organizer",
        "Organizing",
        66_000,
        "member",
        true,
    ),
    (
        "E1012",
        "Chris",
        "Chen",
        "Guild Staff",
        "Research Analyst",
        "Research",
        62_400,
        "member",
        true,
    ),
    (
        "E1013",
        "Sam",
        "Steward",
        "Guild Staff",
        "Legal Assistant",
        "Legal",
        57_300,
        "member",
        true,
    ),
    (
        "E2001",
        "Grace",
        "Liu",
        "Theatre Alliance Staff",
        "Coordinator",
        "Programs",
        53_400,
        "member",
        true,
    ),
    (
        "E2002",
        "Oscar",
        "Mendez",
        "Theatre Alliance Staff",
        "Coordinator",
        "Programs",
        57_900,
        "resigned",
        false,
    ),
    (
        "E2003",
        "Jordan",
        "Lee",
        "Theatre Alliance Staff",
        "Box Office Lead",
        "Box Office",
        51_000,
        "member",
        true,
    ),
];

fn demo_email(first: &str, last: &str) -> Option<String> {
    match (first, last) {
        ("Olive", "Organa") => Some("officer@example.org".into()),
        ("Chris", "Chen") => Some("chief@example.org".into()),
        ("Sam", "Steward") => Some("steward@example.org".into()),
        ("Alma", _) => None,
        _ => Some(format!(
            "{}.{}@example.org",
            first.to_lowercase(),
            last.to_lowercase()
        )),
    }
}

/// Two units, their roster and rates, and a year of charges and check-offs,
/// with Priya Raman paying nothing (so in arrears) and Alma Reyes behind.
fn dues_roll(
    conn: &mut crate::db::DbConnection,
    now: chrono::NaiveDateTime,
    actor: &Actor,
) -> diesel::QueryResult<()> {
    use crate::dues::checkoff::{self, CheckedFile, Deduction};
    use crate::dues::ledger;
    use crate::dues::money::Cents;
    use crate::dues::rules::{Rate, Status};
    use crate::roster::csv_import::RosterRow;
    use chrono::{Datelike, NaiveDate};
    let rows: Vec<RosterRow> = ROSTER
        .iter()
        .map(
            |(number, first, last, unit, class, dept, salary, status, _)| RosterRow {
                line: 0,
                employee_number: (*number).into(),
                first_name: (*first).into(),
                last_name: (*last).into(),
                email: demo_email(first, last),
                unit: (*unit).into(),
                classification: (*class).into(),
                department: (*dept).into(),
                hire_date: NaiveDate::from_ymd_opt(2020, 3, 2).unwrap_or_default(),
                annual_salary: Cents(salary * 100),
                work_arrangement: "hybrid".into(),
                status: Status::parse(status).unwrap_or(Status::Member),
                join_date: NaiveDate::from_ymd_opt(2020, 4, 1),
            },
        )
        .collect();
    crate::roster::commit(conn, rows, actor, now)?;
    let unit_id = |conn: &mut crate::db::DbConnection, name: &str| -> diesel::QueryResult<i64> {
        crate::db::schema::units::table
            .filter(crate::db::schema::units::name.eq(name))
            .select(crate::db::schema::units::id)
            .first(conn)
    };
    let guild = unit_id(conn, "Guild Staff")?;
    let theatre = unit_id(conn, "Theatre Alliance Staff")?;
    let since = NaiveDate::from_ymd_opt(now.year() - 1, 1, 1).unwrap_or_default();
    ledger::set_rate(
        conn,
        guild,
        since,
        Rate::Percent {
            basis_points: 150,
            monthly_min: Cents(5000),
            monthly_max: Cents(12000),
        },
        now,
    )?;
    ledger::set_rate(
        conn,
        theatre,
        since,
        Rate::Flat {
            monthly: Cents(4500),
        },
        now,
    )?;
    let member_ids: Vec<(String, i64)> = crate::db::schema::members::table
        .select((
            crate::db::schema::members::employee_number,
            crate::db::schema::members::id,
        ))
        .load(conn)?;
    let id_of = |number: &str| {
        member_ids
            .iter()
            .find(|(n, _)| n == number)
            .map(|(_, id)| *id)
    };
    let this_month = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).unwrap_or_default();
    let mut month = this_month
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(this_month);
    while month < this_month {
        ledger::post_month(conn, month, actor, now)?;
        let end = ledger::next_month(month).pred_opt().unwrap_or(month);
        for (unit, name, rate) in [
            (
                guild,
                "Guild Staff",
                Rate::Percent {
                    basis_points: 150,
                    monthly_min: Cents(5000),
                    monthly_max: Cents(12000),
                },
            ),
            (
                theatre,
                "Theatre Alliance Staff",
                Rate::Flat {
                    monthly: Cents(4500),
                },
            ),
        ] {
            // Alma's deductions stopped three months ago.
            let stopped_alma = month
                >= this_month
                    .checked_sub_months(chrono::Months::new(3))
                    .unwrap_or(this_month);
            let rows: Vec<Deduction> = ROSTER
                .iter()
                .filter(|r| {
                    r.3 == name && r.7 == "member" && (r.8 || (r.0 == "E1006" && !stopped_alma))
                })
                .filter_map(|r| {
                    Some(Deduction {
                        line: 0,
                        member_id: id_of(r.0)?,
                        employee_number: r.0.into(),
                        amount: rate.monthly_dues(Cents(r.6 * 100)),
                    })
                })
                .collect();
            let total = Cents(rows.iter().map(|d| d.amount.0).sum());
            let file = CheckedFile {
                unit_id: unit,
                unit_name: name.into(),
                period_start: month,
                period_end: end,
                sha256: format!("demo-{unit}-{month}"),
                rows,
                total,
            };
            checkoff::commit(conn, &file, actor, now)?;
        }
        month = ledger::next_month(month);
    }
    Ok(())
}

/// Fills an empty database; refuses one that has users.
pub fn run(config: &Config, insecure: bool) -> Result<Demo, String> {
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let hash = hash_blocking(DEMO_PASSWORD)?;
    let now = config.clock.now();
    let actor = Actor::command_line();
    write_tx(&mut conn, |conn| {
        let existing: i64 = u::table.count().get_result(conn)?;
        if existing > 0 {
            return Ok(Err(
                "the database already has users; demo fills an empty database only".to_owned(),
            ));
        }
        let mut logins = Vec::new();
        let mut officer_key = None;
        for (email, name, roles) in PEOPLE {
            let id = users::create(conn, email, name, Some(&hash), roles, now)?;
            if roles.contains(&Role::Officer) {
                if insecure {
                    diesel::update(u::table.find(id))
                        .set(u::two_factor_exempt.eq(true))
                        .execute(conn)?;
                } else {
                    let secret = two_factor::new_secret();
                    diesel::update(u::table.find(id))
                        .set(u::totp_secret.eq(&secret))
                        .execute(conn)?;
                    two_factor::new_recovery_codes(conn, id)?;
                    officer_key = Some(secret);
                }
            }
            logins.push(DemoLogin {
                email: email.to_owned(),
                roles: roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        dues_roll(conn, now, &actor)?;
        audit::record(
            conn,
            now,
            Entry {
                actor: &actor,
                action: "demo_created",
                target: "demo local",
                detail: if insecure {
                    "officer without two-factor"
                } else {
                    ""
                },
            },
        )?;
        Ok(Ok(Demo {
            logins,
            officer_two_factor_key: officer_key,
        }))
    })
    .map_err(|e: diesel::result::Error| e.to_string())?
}
