//! Every heavy page at the size of a large local, against `/healthz`.
//!
//! Starts the real server on a fresh SQLite database and seeds, through
//! the same store functions the pages and the command line use:
//! `--members` roster entries (default 20,000) in four units of twelve
//! classifications; a flat rate and `--months` (default 4) months of dues
//! posted with an employer check-off import for each unit and month (one
//! member in ten missed the last, one in twenty-five every one); `--cases`
//! open grievances (default 2,000) carried by five stewards; an open
//! election in the first unit (its roll drawn from the dues roll); three
//! salary scenarios for that unit; and `--audit` extra audit entries
//! (default 20,000). Then, one request at a time, it asks each page
//! `--requests` times (default 100) and prints p50 and p99 beside
//! `GET /healthz` asked as often in the same run, and the process's peak
//! memory while serving (the high-water mark is reset after seeding).
//!
//! Run: `cargo bench --bench scale` (options: `-- --members 20000
//! --cases 2000 --months 4 --audit 20000 --requests 100`). Prints figures;
//! never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use common::{arg, client, ms, percentile, sign_in};
use diesel::prelude::*;
use unionhall::app::Application;
use unionhall::audit::{self, Actor, Entry};
use unionhall::auth::password::hash_blocking;
use unionhall::config::Config;
use unionhall::context::Context;
use unionhall::db::schema::{members, units};
use unionhall::db::write_tx;
use unionhall::dues::rules::Rate;
use unionhall::dues::{checkoff, ledger};
use unionhall::elections::rules::PassRule;
use unionhall::elections::states::QuestionKind;
use unionhall::elections::store::{self as elections, ElectionDraft, QuestionDraft};
use unionhall::grievances::calendar::{DayCount, UnitHolidays};
use unionhall::grievances::case::{Procedure, Step};
use unionhall::grievances::states::Kind;
use unionhall::grievances::store::{self, Filing};
use unionhall::money::Cents;
use unionhall::roster::{self, csv_import};
use unionhall::salary::store as salary;
use unionhall::users::{self, Role};

const PASSWORD: &str = "tin cup river spoon";
const UNITS: usize = 4;
const STEWARDS: usize = 5;

/// A line of `/proc/self/status` in MiB ("VmHWM", "VmRSS").
fn status_mib(key: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |kb| format!("{:.0} MiB", kb / 1024.0),
        )
}

fn roster_csv(people: usize) -> Vec<u8> {
    let mut csv = String::from(
        "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n",
    );
    for i in 0..people {
        let email = if i % 10 == 7 {
            String::new()
        } else {
            format!("b{i:05}@example.org")
        };
        csv.push_str(&format!(
            "B{i:05},Bench,Person{i},{email},Unit {},Class {},Dept {},2020-01-06,{}.00,hybrid,member,2020-02-01\n",
            i % UNITS,
            (i / UNITS) % 12,
            i % 9,
            45_000 + (i * 7919) % 40_000
        ));
    }
    csv.into_bytes()
}

fn month_back(month: NaiveDate, n: u32) -> NaiveDate {
    let mut m = month;
    for _ in 0..n {
        m = ledger::previous_month(m);
    }
    m
}

/// One unit's check-off for a month: everyone pays but those who missed it.
fn checkoff_csv(people: usize, unit: usize, month: NaiveDate, last: bool) -> Vec<u8> {
    let end = ledger::next_month(month).pred_opt().unwrap();
    let mut out = String::from("employee_number,period_start,period_end,amount\n");
    for i in (unit..people).step_by(UNITS) {
        let missed = i % 25 == 3 || (last && i % 10 == 1);
        if !missed {
            out.push_str(&format!("B{i:05},{month},{end},40.00\n"));
        }
    }
    out.into_bytes()
}

fn strike_question() -> QuestionDraft {
    QuestionDraft {
        text: "Do you authorize the bargaining committee to call a strike?".into(),
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

/// `n` requests to `path`, one at a time; their sorted durations.
async fn measure(
    client: &reqwest::Client,
    base: &str,
    n: u64,
    path: impl Fn(u64) -> String,
) -> Vec<Duration> {
    // One unmeasured request warms the caches and the pool.
    let _ = client
        .get(format!("{base}{}", path(n)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await;
    let mut times = Vec::with_capacity(n as usize);
    for i in 0..n {
        let t = Instant::now();
        let response = client
            .get(format!("{base}{}", path(i)))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.bytes().await.unwrap();
        assert_eq!(
            status,
            200,
            "{}: {}",
            path(i),
            String::from_utf8_lossy(&body)
        );
        times.push(t.elapsed());
    }
    times.sort();
    times
}

#[allow(clippy::too_many_lines, reason = "one seeding, one run")]
fn main() {
    let people = arg("--members", 20_000) as usize;
    let cases = arg("--cases", 2_000) as usize;
    let months = arg("--months", 4) as u32;
    let extra_audit = arg("--audit", 20_000) as usize;
    let requests = arg("--requests", 100);
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!(
        "unionhall scale benchmark: {cores} cores; {people} members in {UNITS} units, {months} months of dues, {cases} open cases, {extra_audit} extra audit entries; {requests} requests a page, one at a time"
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

        let seeding = Instant::now();
        let hash = hash_blocking(PASSWORD).unwrap();
        let now = config.clock.now();
        let today = config.today();
        let officer_ctx = Context::command_line(&config);
        let mut conn = pool.get().unwrap();

        // The roster, the people who sign in, and each unit's procedure.
        let t = Instant::now();
        let rows = csv_import::parse(&roster_csv(people)).unwrap();
        let (unit_ids, member_ids, stewards, officer) = write_tx(&mut conn, |c| {
            roster::commit(c, rows, &Actor::command_line(), now, now.date())?;
            let unit_ids: Vec<i64> = units::table
                .order(units::name.asc())
                .select(units::id)
                .load(c)?;
            let member_ids: Vec<i64> = members::table.select(members::id).load(c)?;
            let officer = users::create(
                c,
                "officer@example.org",
                "Officer",
                Some(&hash),
                &[Role::Officer],
                now,
            )?;
            diesel::update(unionhall::db::schema::users::table.find(officer))
                .set(unionhall::db::schema::users::two_factor_exempt.eq(true))
                .execute(c)?;
            users::create(
                c,
                "chief@example.org",
                "Chief",
                Some(&hash),
                &[Role::ChiefSteward],
                now,
            )?;
            users::create(
                c,
                "b00000@example.org",
                "Bench Person0",
                Some(&hash),
                &[Role::Member],
                now,
            )?;
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
            for unit in &unit_ids {
                store::save_procedure(
                    c,
                    &officer_ctx,
                    *unit,
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
            }
            Ok::<_, diesel::result::Error>((unit_ids, member_ids, stewards, officer))
        })
        .unwrap();
        println!("  roster of {people}: {}", ms(t.elapsed()));

        // Dues: a flat rate, each month posted and each unit's check-off.
        let t = Instant::now();
        let this_month = ledger::first_of_month(today);
        let first = month_back(this_month, months);
        let actor = Actor::command_line();
        write_tx(&mut conn, |c| {
            for unit in &unit_ids {
                ledger::set_rate(
                    c,
                    *unit,
                    first,
                    Rate::Flat {
                        monthly: Cents(4000),
                    },
                    None,
                    now,
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        let mut imports = 0;
        for back in (1..=months).rev() {
            let month = month_back(this_month, back);
            write_tx(&mut conn, |c| ledger::post_month(c, month, &actor, now)).unwrap();
            for unit in 0..UNITS {
                let file = checkoff_csv(people, unit, month, back == 1);
                let checked = checkoff::check(&mut conn, &format!("Unit {unit}"), &file)
                    .unwrap()
                    .unwrap_or_else(|_| panic!("the check-off for Unit {unit}, {month}"));
                write_tx(&mut conn, |c| checkoff::commit(c, &checked, &actor, now)).unwrap();
                imports += 1;
            }
        }
        println!(
            "  {months} months of dues ({} charges) and {imports} check-off imports: {}",
            months as usize * people,
            ms(t.elapsed())
        );

        // Grievances, spread over the units and the stewards.
        let t = Instant::now();
        write_tx(&mut conn, |c| {
            for i in 0..cases {
                let filed = today - Days::new((i % 60) as u64);
                let steward = stewards[i % STEWARDS];
                let filing = Filing {
                    unit_id: unit_ids[i % UNITS],
                    kind: Kind::Individual,
                    class_description: String::new(),
                    incident_date: filed - Days::new(3),
                    articles: vec![format!("Article {}", i % 30), "Article 12.3".into()],
                    description: "Hours were cut without the notice the contract requires.".into(),
                    remedy: "Restore the hours and pay for those lost.".into(),
                    department: format!("Dept {}", i % 9),
                    supervisor: "A Supervisor".into(),
                    continuing_violation: false,
                    member_ids: vec![member_ids[(i * 37) % member_ids.len()]],
                    // One case in fifty waits for a steward.
                    steward_id: (i % 50 != 0).then_some(steward),
                };
                let actor = Actor {
                    user_id: Some(steward),
                    label: "bench".into(),
                    ip: "bench".into(),
                };
                let ctx = Context {
                    actor,
                    now,
                    today: filed,
                    config: config.clone(),
                };
                store::file(c, &ctx, &filing)?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        println!("  {cases} open cases: {}", ms(t.elapsed()));

        // An open election in the first unit, its roll from the dues roll.
        let t = Instant::now();
        let election = write_tx(&mut conn, |c| {
            let id = elections::create(
                c,
                &ElectionDraft {
                    unit_id: unit_ids[0],
                    title: "Strike authorization".into(),
                    description: "The bench's vote.".into(),
                    opens_at: now - chrono::Duration::hours(2),
                    closes_at: now + chrono::Duration::days(7),
                    cutoff: today - Days::new(1),
                    questions: vec![strike_question()],
                },
                now - chrono::Duration::days(3),
            )?;
            let trustees = vec![stewards[0], stewards[1], stewards[2]];
            let _ = elections::trustees::name(c, id, &trustees, 2)?;
            elections::publish(c, id, now)?;
            let seeds: Vec<[u8; 32]> = (0..3).map(|_| rand::random()).collect();
            for _ in 0..3 {
                for (i, seed) in seeds.iter().enumerate() {
                    let _ =
                        elections::trustees::play_device(c, &officer_ctx, id, i as u32 + 1, seed)?;
                }
            }
            elections::open(c, &officer_ctx, id)?;
            Ok::<_, diesel::result::Error>(id)
        })
        .unwrap();
        println!(
            "  an open election over {} people: {}",
            people / UNITS,
            ms(t.elapsed())
        );

        // Three salary scenarios for the first unit.
        let scenario_ids = write_tx(&mut conn, |c| {
            let classes = salary::classes(c, unit_ids[0])?;
            let mut ids = Vec::new();
            for (name, raise, premium, floor) in [
                ("Current contract", 0, 0, 5_000_000),
                ("Union proposal", 500, 0, 5_973_700),
                ("Management offer", 300, 20_833, 5_500_000),
            ] {
                let floors: BTreeMap<i64, i64> =
                    classes.iter().map(|(id, _, _)| (*id, floor)).collect();
                ids.push(salary::save_scenario(
                    c,
                    None,
                    &salary::ScenarioInput {
                        unit_id: unit_ids[0],
                        name: name.into(),
                        raise_bp: raise,
                        flat_raise: 0,
                        premium_monthly: premium,
                        effective_date: NaiveDate::from_ymd_opt(today.year() + 1, 1, 1).unwrap(),
                        floors,
                    },
                    now,
                )?);
            }
            Ok::<_, diesel::result::Error>(ids)
        })
        .unwrap();

        // The audit log of a local some years old.
        let t = Instant::now();
        let officer_actor = Actor {
            user_id: Some(officer),
            label: "officer@example.org".into(),
            ip: "127.0.0.1".into(),
        };
        write_tx(&mut conn, |c| {
            for i in 0..extra_audit {
                audit::record(
                    c,
                    now - chrono::Duration::minutes((extra_audit - i) as i64),
                    Entry {
                        actor: &officer_actor,
                        action: ["sign_in", "member_edit", "dues_post", "role_change"][i % 4],
                        target: &format!("b{:05}@example.org", i % people.max(1)),
                        detail: "",
                    },
                )?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .unwrap();
        println!("  {extra_audit} audit entries: {}", ms(t.elapsed()));
        drop(conn);
        println!(
            "seeded in {:.1} s; memory after seeding {} (peak {})",
            seeding.elapsed().as_secs_f64(),
            status_mib("VmRSS:"),
            status_mib("VmHWM:")
        );
        // From here the high-water mark is the serving's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");

        let anonymous = client();
        let officer_client = client();
        assert!(sign_in(&officer_client, &base, "officer@example.org", PASSWORD).await);
        let chief = client();
        assert!(sign_in(&chief, &base, "chief@example.org", PASSWORD).await);
        let steward = client();
        assert!(sign_in(&steward, &base, "steward0@example.org", PASSWORD).await);
        let member = client();
        assert!(sign_in(&member, &base, "b00000@example.org", PASSWORD).await);

        let compare = format!(
            "/salary/compare?{}",
            scenario_ids
                .iter()
                .map(|id| format!("scenario={id}"))
                .collect::<Vec<_>>()
                .join("&")
        );
        let month = month_back(this_month, 1).format("%Y-%m").to_string();
        let total_cases = cases as u64;
        let member_total = people as u64;
        type PathFn = Box<dyn Fn(u64) -> String>;
        let fixed = |p: String| -> PathFn { Box::new(move |_| p.clone()) };
        let pages: Vec<(&str, &reqwest::Client, PathFn)> = vec![
            (
                "GET /healthz (the limit)",
                &anonymous,
                fixed("/healthz".into()),
            ),
            ("officer home /", &officer_client, fixed("/".into())),
            ("member home /", &member, fixed("/".into())),
            ("steward home /", &steward, fixed("/".into())),
            ("chief home /", &chief, fixed("/".into())),
            ("steward board", &steward, fixed("/stewards/board".into())),
            ("chief board", &chief, fixed("/stewards/board".into())),
            (
                "chief board, last page",
                &chief,
                fixed("/stewards/board?page=40".into()),
            ),
            (
                "case page (chief)",
                &chief,
                Box::new(move |n| format!("/grievances/{}", (n * 7919) % total_cases + 1)),
            ),
            ("audit log", &officer_client, fixed("/officer/audit".into())),
            (
                "audit log, a person",
                &officer_client,
                fixed("/officer/audit?person=b00042".into()),
            ),
            (
                "audit log, page 300",
                &officer_client,
                fixed("/officer/audit?page=300".into()),
            ),
            ("roster", &officer_client, fixed("/officer/roster".into())),
            (
                "roster, behind, page 2",
                &officer_client,
                fixed("/officer/roster?standing=not-good&page=2".into()),
            ),
            (
                "roster search",
                &officer_client,
                fixed("/officer/roster?q=person1234".into()),
            ),
            (
                "a member's page",
                &officer_client,
                Box::new(move |n| format!("/officer/roster/{}", (n * 7919) % member_total + 1)),
            ),
            (
                "dues reconciliation",
                &officer_client,
                fixed(format!(
                    "/officer/dues/reconciliation?unit={}&month={month}",
                    unit_ids[0]
                )),
            ),
            (
                "comparison page (officer)",
                &officer_client,
                fixed(compare.clone()),
            ),
            ("comparison page (member)", &member, fixed(compare)),
            (
                "check-off imports",
                &officer_client,
                fixed("/officer/imports".into()),
            ),
            ("outbox", &officer_client, fixed("/officer/outbox".into())),
            (
                "outbox, queued",
                &officer_client,
                fixed("/officer/outbox?status=queued".into()),
            ),
            (
                "officer's election page",
                &officer_client,
                fixed(format!("/officer/elections/{election}")),
            ),
            (
                "member's election page",
                &member,
                fixed(format!("/elections/{election}")),
            ),
        ];
        let mut limit = Duration::ZERO;
        println!(
            "{:<28} {:>10} {:>10} {:>12}",
            "page", "p50", "p99", "p99/healthz"
        );
        for (label, client, path) in &pages {
            let times = measure(client, &base, requests, path).await;
            let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
            if limit.is_zero() {
                limit = p99.max(Duration::from_micros(1));
            }
            println!(
                "{label:<28} {:>10} {:>10} {:>11.0}x",
                ms(p50),
                ms(p99),
                p99.as_secs_f64() / limit.as_secs_f64()
            );
        }
        println!(
            "peak memory while serving: {} (now {})",
            status_mib("VmHWM:"),
            status_mib("VmRSS:")
        );
        handle.stop(true).await;
        let _ = server.await;
    });
}
