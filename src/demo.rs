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

/// One person on the demo roster.
struct DemoPerson {
    number: &'static str,
    first: &'static str,
    last: &'static str,
    unit: &'static str,
    class: &'static str,
    dept: &'static str,
    salary_dollars: i64,
    status: &'static str,
    /// Dues come out of pay (else they must pay directly, and in the demo do not).
    checkoff: bool,
}

const ROSTER: [DemoPerson; 16] = [
    DemoPerson {
        number: "E1001",
        first: "Sarah",
        last: "Okafor",
        unit: "Guild Staff",
        class: "Research Analyst",
        dept: "Research",
        salary_dollars: 58250,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1002",
        first: "Miguel",
        last: "Santos",
        unit: "Guild Staff",
        class: "Organizer",
        dept: "Organizing",
        salary_dollars: 64000,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1003",
        first: "Priya",
        last: "Raman",
        unit: "Guild Staff",
        class: "Administrative Assistant",
        dept: "Member Services",
        salary_dollars: 52500,
        status: "member",
        checkoff: false,
    },
    DemoPerson {
        number: "E1004",
        first: "Dana",
        last: "Whitfield",
        unit: "Guild Staff",
        class: "Benefits Specialist",
        dept: "Health Fund",
        salary_dollars: 71200,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1005",
        first: "Jonah",
        last: "Kim",
        unit: "Guild Staff",
        class: "Research Analyst",
        dept: "Research",
        salary_dollars: 55000,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1006",
        first: "Alma",
        last: "Reyes",
        unit: "Guild Staff",
        class: "Receptionist",
        dept: "Member Services",
        salary_dollars: 48900,
        status: "member",
        checkoff: false,
    },
    DemoPerson {
        number: "E1007",
        first: "Terrence",
        last: "Boyd",
        unit: "Guild Staff",
        class: "Legal Assistant",
        dept: "Legal",
        salary_dollars: 61750,
        status: "non-member",
        checkoff: false,
    },
    DemoPerson {
        number: "E1008",
        first: "Lucia",
        last: "Ferrante",
        unit: "Guild Staff",
        class: "Organizer",
        dept: "Organizing",
        salary_dollars: 69300,
        status: "on-leave",
        checkoff: false,
    },
    DemoPerson {
        number: "E1009",
        first: "Howard",
        last: "Chen",
        unit: "Guild Staff",
        class: "Data Entry Clerk",
        dept: "Residuals",
        salary_dollars: 47800,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1010",
        first: "Nadia",
        last: "Haddad",
        unit: "Guild Staff",
        class: "Benefits Specialist",
        dept: "Pension Fund",
        salary_dollars: 74500,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1011",
        first: "Olive",
        last: "Organa",
        unit: "Guild Staff",
        class: "Organizer",
        dept: "Organizing",
        salary_dollars: 66000,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1012",
        first: "Chris",
        last: "Chen",
        unit: "Guild Staff",
        class: "Research Analyst",
        dept: "Research",
        salary_dollars: 62400,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E1013",
        first: "Sam",
        last: "Steward",
        unit: "Guild Staff",
        class: "Legal Assistant",
        dept: "Legal",
        salary_dollars: 57300,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E2001",
        first: "Grace",
        last: "Liu",
        unit: "Theatre Alliance Staff",
        class: "Coordinator",
        dept: "Programs",
        salary_dollars: 53400,
        status: "member",
        checkoff: true,
    },
    DemoPerson {
        number: "E2002",
        first: "Oscar",
        last: "Mendez",
        unit: "Theatre Alliance Staff",
        class: "Coordinator",
        dept: "Programs",
        salary_dollars: 57900,
        status: "resigned",
        checkoff: false,
    },
    DemoPerson {
        number: "E2003",
        first: "Jordan",
        last: "Lee",
        unit: "Theatre Alliance Staff",
        class: "Box Office Lead",
        dept: "Box Office",
        salary_dollars: 51000,
        status: "member",
        checkoff: true,
    },
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
/// A hire date for the `i`th person on the demo roster, spread over
/// 2014–2023 and the months of the year.
fn hired(i: u32) -> chrono::NaiveDate {
    let year = 2014 + i32::try_from(i % 10).unwrap_or(0);
    chrono::NaiveDate::from_ymd_opt(year, 1 + (i * 5) % 12, 1 + (i * 7) % 28).unwrap_or_default()
}

fn dues_roll(
    conn: &mut crate::db::DbConnection,
    now: chrono::NaiveDateTime,
    actor: &Actor,
) -> diesel::QueryResult<()> {
    use crate::dues::checkoff::{self, CheckedFile, Deduction};
    use crate::dues::ledger;
    use crate::dues::rules::{Rate, Status};
    use crate::money::Cents;
    use crate::roster::csv_import::RosterRow;
    use chrono::{Datelike, NaiveDate};
    let rows: Vec<RosterRow> = ROSTER
        .iter()
        .zip(0_u32..)
        .map(|(p, i)| RosterRow {
            line: 0,
            unit: p.unit.into(),
            classification: p.class.into(),
            person: crate::roster::person::Person {
                employee_number: p.number.into(),
                first_name: p.first.into(),
                last_name: p.last.into(),
                email: demo_email(p.first, p.last),
                department: p.dept.into(),
                // Hired over a decade, so the roster reads like a real one.
                hire_date: hired(i),
                annual_salary: Cents(p.salary_dollars * 100),
                work_arrangement: crate::roster::person::Arrangement::Hybrid,
                status: Status::parse(p.status).unwrap_or(Status::Member),
                join_date: Some(hired(i) + chrono::Duration::days(30)),
            },
        })
        .collect();
    crate::roster::commit(conn, rows, actor, now, now.date())?;
    let unit_id = |conn: &mut crate::db::DbConnection, name: &str| -> diesel::QueryResult<i64> {
        crate::db::schema::units::table
            .filter(crate::db::schema::units::name.eq(name))
            .select(crate::db::schema::units::id)
            .first(conn)
    };
    let guild = unit_id(conn, "Guild Staff")?;
    let theatre = unit_id(conn, "Theatre Alliance Staff")?;
    // Guild Staff works under a contract in force; Theatre Alliance Staff's
    // expired this year and is being bargained.
    for (unit, employer, start, end) in [
        (
            guild,
            "Northern Counties Newspaper Guild",
            (now.year() - 2, 7, 1),
            (now.year() + 1, 6, 30),
        ),
        (
            theatre,
            "Theatre Alliance of the Midwest",
            (now.year() - 3, 9, 1),
            (now.year(), 8, 31),
        ),
    ] {
        let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d);
        diesel::update(crate::db::schema::units::table.find(unit))
            .set((
                crate::db::schema::units::employer.eq(employer),
                crate::db::schema::units::contract_start.eq(day(start)),
                crate::db::schema::units::contract_end.eq(day(end)),
            ))
            .execute(conn)?;
    }
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
        None,
        now,
    )?;
    ledger::set_rate(
        conn,
        theatre,
        since,
        Rate::Flat {
            monthly: Cents(4500),
        },
        None,
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
            // Alma's deductions stopped four months ago: three of those
            // months have fallen due, one more than the allowance.
            let stopped_alma = month
                >= this_month
                    .checked_sub_months(chrono::Months::new(4))
                    .unwrap_or(this_month);
            let rows: Vec<Deduction> = ROSTER
                .iter()
                .filter(|r| {
                    r.unit == name
                        && r.status == "member"
                        && (r.checkoff || (r.number == "E1006" && !stopped_alma))
                })
                .filter_map(|r| {
                    Some(Deduction {
                        line: 0,
                        member_id: id_of(r.number)?,
                        employee_number: r.number.into(),
                        amount: rate.monthly_dues(Cents(r.salary_dollars * 100)),
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
    let secrets = two_factor::SecretBox::of(config);
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
                    two_factor::store_secret(conn, &secrets, id, &secret)?;
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
        crate::grievances::demo::fill(conn, config, config.today(), now)?;
        crate::salary::demo::fill(conn, now)?;
        crate::elections::demo::fill(conn, config, now)?;
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
