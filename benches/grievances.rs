//! Grievances under load, measured against their limits.
//!
//! Starts the real server on a fresh SQLite database, files `--cases`
//! grievances (default 2,000) across 200 members, and in one run measures:
//! 1. deadline arithmetic alone (business days, the slow kind), per second;
//! 2. filing through the store (row, grievants, articles, event, mail);
//! 3. `GET /healthz` with `--clients` concurrent clients: the limit, a
//!    handler that only asks the database one question;
//! 4. `GET /grievances/{id}` (random cases) as a chief steward, and its
//!    ratio to (3);
//! 5. `GET /stewards/board` as a steward carrying a fifth of the cases;
//! 6. one pass of the reminder job over every open case;
//! 7. saving the procedure with a new unit holiday (tomorrow, or the next
//!    weekday), which counts every open case's deadline again in the same
//!    transaction, and saving it unchanged (a recount that moves nothing).
//!
//! Run: `cargo bench --bench grievances` (options: `-- --cases 2000
//! --clients 16 --seconds 5`). Prints figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

mod common;

use std::time::Instant;

use chrono::{Days, NaiveDate};
use common::{arg, client, drive, ms, report, sign_in};
use diesel::prelude::*;
use unionhall::app::Application;
use unionhall::audit::Actor;
use unionhall::auth::password::hash_blocking;
use unionhall::config::Config;
use unionhall::context::Context;
use unionhall::db::schema::{members, units};
use unionhall::db::write_tx;
use unionhall::grievances::calendar::{self, DayCount, UnitHolidays};
use unionhall::grievances::case::{Procedure, Step};
use unionhall::grievances::states::Kind;
use unionhall::grievances::store::{self, Filing};
use unionhall::jobs::grievance_reminders as reminders;
use unionhall::roster::{self, csv_import};
use unionhall::users::{self, Role};

const PASSWORD: &str = "tin cup river spoon";
const STEWARDS: usize = 5;

fn arithmetic(rounds: u32) -> f64 {
    let unit = UnitHolidays::from([(
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        "Day after Thanksgiving".to_owned(),
    )]);
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let t = Instant::now();
    let mut last = start;
    for i in 0..rounds {
        let from = start + Days::new(u64::from(i % 365));
        last = last.max(calendar::add_days(from, 10, DayCount::Business, &unit).due);
    }
    assert!(last > start);
    f64::from(rounds) / t.elapsed().as_secs_f64()
}

fn roster_csv(people: usize) -> Vec<u8> {
    let mut csv = String::from(
        "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n",
    );
    for i in 0..people {
        csv.push_str(&format!(
            "B{i:05},Bench,Person{i},,Bench Unit,Analyst,Dept {},2020-01-06,60000.00,hybrid,member,2020-02-01\n",
            i % 12
        ));
    }
    csv.into_bytes()
}

fn main() {
    let cases = arg("--cases", 2000) as usize;
    let clients = arg("--clients", 16) as usize;
    let seconds = arg("--seconds", 5);
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!(
        "unionhall grievance benchmark: {cores} cores, {cases} cases, {clients} clients, {seconds} s a run"
    );
    println!(
        "deadline arithmetic: {:.0} ten-business-day deadlines/s",
        arithmetic(200_000)
    );

    let data = tempfile::tempdir().unwrap();
    let db_path = data.path().join("bench.db").to_string_lossy().into_owned();
    let vars = [
        ("DATABASE_URL", format!("sqlite://{db_path}")),
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", data.path().to_string_lossy().into_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let app = Application::build(config).await.unwrap();
        let config = app.config().clone();
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool();
        let handle = app.server_handle();
        let server = tokio::spawn(app.run_until_stopped());

        // The local: 200 members, a chief, five stewards, the procedure.
        let hash = hash_blocking(PASSWORD).unwrap();
        let now = config.clock.now();
        let today = config.today();
        let mut conn = pool.get().unwrap();
        let rows = csv_import::parse(&roster_csv(200)).unwrap();
        let (unit, member_ids, stewards) = write_tx(&mut conn, |c| {
            roster::commit(c, rows, &Actor::command_line(), now, now.date())?;
            let unit: i64 = units::table.select(units::id).first(c)?;
            let member_ids: Vec<i64> = members::table.select(members::id).load(c)?;
            users::create(c, "chief@example.org", "Chief", Some(&hash), &[Role::ChiefSteward], now)?;
            let mut stewards = Vec::new();
            for i in 0..STEWARDS {
                stewards.push(users::create(
                    c,
                    &format!("steward{i}@example.org"),
                    &format!("Steward {i}"),
                    Some(&hash),
                    &[Role::Steward],
                    now,
                )?);
            }
            let step = |position, name: &str, arbitration| Step {
                position,
                name: name.into(),
                filing_days: 10,
                response_days: 10,
                count: DayCount::Business,
                arbitration,
            };
            store::save_procedure(
                c,
                &unionhall::context::Context::command_line(&config),
                unit,
                &Procedure {
                    steps: vec![
                        step(1, "Step 1", false),
                        step(2, "Step 2", false),
                        step(3, "Arbitration", true),
                    ],
                    holidays: UnitHolidays::new(),
                    roll_forward: false,
                },
            )?;
            Ok::<_, diesel::result::Error>((unit, member_ids, stewards))
        })
        .unwrap();

        let t = Instant::now();
        write_tx(&mut conn, |c| {
            for i in 0..cases {
                let filed = today - Days::new((i % 60) as u64);
                let steward = stewards[i % STEWARDS];
                let filing = Filing {
                    unit_id: unit,
                    kind: Kind::Individual,
                    class_description: String::new(),
                    incident_date: filed - Days::new(3),
                    articles: vec![format!("Article {}", i % 30), "Article 12.3".into()],
                    description: "Hours were cut without the notice the contract requires.".into(),
                    remedy: "Restore the hours and pay for those lost.".into(),
                    department: format!("Dept {}", i % 12),
                    supervisor: "A Supervisor".into(),
                    continuing_violation: false,
                    member_ids: vec![member_ids[i % member_ids.len()]],
                    steward_id: Some(steward),
                };
                let actor = Actor { user_id: Some(steward), label: "bench".into(), ip: "bench".into() };
                let ctx = Context { actor, now, today: filed, config: config.clone() };
                store::file(c, &ctx, &filing)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        let filing = t.elapsed();
        println!(
            "filing {cases} cases in one transaction: {:.1} s = {:.0} cases/s (each: row, grievant, 2 articles, 2 events, {} mails)",
            filing.as_secs_f64(),
            cases as f64 / filing.as_secs_f64(),
            STEWARDS
        );
        drop(conn);

        let anonymous: Vec<reqwest::Client> = (0..clients).map(|_| client()).collect();
        let mut chiefs = Vec::new();
        let mut steward_clients = Vec::new();
        for _ in 0..clients {
            let c = client();
            assert!(sign_in(&c, &base, "chief@example.org", PASSWORD).await);
            chiefs.push(c);
            let s = client();
            assert!(sign_in(&s, &base, "steward0@example.org", PASSWORD).await);
            steward_clients.push(s);
        }

        let (limit, times) = drive(&anonymous, &base, seconds, |_| "/healthz".to_owned()).await;
        report("GET /healthz (the limit)", limit, &times);
        let total = cases as u64;
        let (rate, times) = drive(&chiefs, &base, seconds, move |n| {
            format!("/grievances/{}", (n * 7919) % total + 1)
        })
        .await;
        report("GET /grievances/{id} (chief)", rate, &times);
        println!("  case page / limit: {:.0}%", 100.0 * rate / limit);
        let (rate, times) = drive(&steward_clients, &base, seconds, |_| "/stewards/board".to_owned()).await;
        report(&format!("GET /stewards/board ({} cases)", cases / STEWARDS), rate, &times);
        println!("  board / limit: {:.0}%", 100.0 * rate / limit);

        let mut conn = pool.get().unwrap();
        let t = Instant::now();
        let sent = reminders::run_once(&mut conn, &config, today, now).unwrap();
        let first = t.elapsed();
        let t = Instant::now();
        let again = reminders::run_once(&mut conn, &config, today, now).unwrap();
        println!(
            "reminder job over {cases} cases: {} queued in {}; a second pass queued {again} in {}",
            sent,
            ms(first),
            ms(t.elapsed())
        );
        // A holiday on the next weekday moves every deadline whose count
        // runs past it (not those already overdue or due today).
        let mut holiday = today + Days::new(1);
        while !calendar::is_business_day(holiday, &UnitHolidays::new()) {
            holiday = holiday + Days::new(1);
        }
        let officer = Context::command_line(&config);
        let mut procedure = store::procedure(&mut conn, unit).unwrap();
        procedure.holidays.insert(holiday, "Bench day".into());
        let t = Instant::now();
        let moved = write_tx(&mut conn, |c| store::save_procedure(c, &officer, unit, &procedure)).unwrap();
        let recount = t.elapsed();
        let t = Instant::now();
        let unmoved = write_tx(&mut conn, |c| store::save_procedure(c, &officer, unit, &procedure)).unwrap();
        println!(
            "procedure saved with a new holiday: {} of {cases} deadlines moved, in {} ({:.0} cases/s); saved unchanged: {} moved, in {}",
            moved.len(),
            ms(recount),
            cases as f64 / recount.as_secs_f64(),
            unmoved.len(),
            ms(t.elapsed())
        );
        handle.stop(true).await;
        let _ = server.await;
    });
}
