//! Salary comparisons under load, measured against their limits.
//!
//! Starts the real server on a fresh SQLite database with one unit of
//! `--people` (default 2,000) in 12 classifications and three scenarios,
//! and in one run measures:
//! 1. the arithmetic alone: three scenarios over the unit, per second;
//! 2. `GET /healthz` with `--clients` concurrent clients: the limit;
//! 3. `GET /salary/compare` of the three scenarios as an officer (every
//!    person's line, three charts) and as a member (aggregates), with their
//!    ratio to (2).
//!
//! Run: `cargo bench --bench salary` (options: `-- --people 2000
//! --clients 16 --seconds 5`). Prints figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use common::{arg, client, drive, report, sign_in};
use diesel::prelude::*;
use unionhall::app::Application;
use unionhall::audit::Actor;
use unionhall::auth::password::hash_blocking;
use unionhall::config::Config;
use unionhall::db::schema::units;
use unionhall::db::write_tx;
use unionhall::roster::{self, csv_import};
use unionhall::salary::{calc, store};
use unionhall::users::{self, Role};

const PASSWORD: &str = "tin cup river spoon";

fn roster_csv(people: usize) -> Vec<u8> {
    let mut csv = String::from(
        "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n",
    );
    for i in 0..people {
        csv.push_str(&format!(
            "B{i:05},Bench,Person{i},b{i:05}@example.org,Bench Unit,Class {},Dept,2020-01-06,{}.00,hybrid,member,2020-02-01\n",
            i % 12,
            45_000 + (i * 7919) % 40_000
        ));
    }
    csv.into_bytes()
}

fn main() {
    let people = arg("--people", 2000) as usize;
    let clients = arg("--clients", 16) as usize;
    let seconds = arg("--seconds", 5);
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!(
        "unionhall salary benchmark: {cores} cores, {people} people, {clients} clients, {seconds} s a run"
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
        let hash = hash_blocking(PASSWORD).unwrap();
        let now = config.clock.now();
        let mut conn = pool.get().unwrap();
        let rows = csv_import::parse(&roster_csv(people)).unwrap();
        let ids = write_tx(&mut conn, |c| {
            roster::commit(c, rows, &Actor::command_line(), now, now.date())?;
            let unit: i64 = units::table.select(units::id).first(c)?;
            let officer = users::create(c, "officer@example.org", "Officer", Some(&hash), &[Role::Officer], now)?;
            diesel::update(unionhall::db::schema::users::table.find(officer))
                .set(unionhall::db::schema::users::two_factor_exempt.eq(true))
                .execute(c)?;
            users::create(c, "b00001@example.org", "Member", Some(&hash), &[Role::Member], now)?;
            let classes = store::classes(c, unit)?;
            let mut ids = Vec::new();
            for (name, raise, premium, floor) in [
                ("Current contract", 0, 0, 5_000_000),
                ("Union proposal", 500, 0, 5_973_700),
                ("Management offer", 300, 20_833, 5_500_000),
            ] {
                let floors: BTreeMap<i64, i64> = classes.iter().map(|(id, _, _)| (*id, floor)).collect();
                ids.push(store::save_scenario(
                    c,
                    None,
                    &store::ScenarioInput {
                        unit_id: unit,
                        name: name.into(),
                        raise_bp: raise,
                        flat_raise: 0,
                        premium_monthly: premium,
                        effective_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                        floors,
                    },
                    now,
                )?);
            }
            store::save_references(
                c,
                unit,
                &BTreeMap::from([(
                    "rent".to_owned(),
                    store::Reference {
                        amount: 280_000,
                        source: "bench".into(),
                        as_of: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                    },
                )]),
                now,
            )?;
            Ok::<_, diesel::result::Error>((unit, ids))
        })
        .unwrap();
        let (unit, scenario_ids) = ids;

        let everyone = store::people(&mut conn, unit).unwrap();
        let refs = store::figures(&store::references(&mut conn, unit).unwrap());
        let terms: Vec<calc::Terms> = scenario_ids
            .iter()
            .map(|id| {
                let row = store::scenario(&mut conn, *id).unwrap();
                store::terms(&mut conn, &row).unwrap()
            })
            .collect();
        drop(conn);
        let t = Instant::now();
        let rounds = 50;
        for _ in 0..rounds {
            for t in &terms {
                assert_eq!(calc::compute(&everyone, t, &refs).unit.headcount, people);
            }
        }
        let per = t.elapsed() / rounds;
        println!(
            "arithmetic: three scenarios over {people} people in {:.2} ms ({:.0} person-scenarios/s)",
            per.as_secs_f64() * 1000.0,
            (3 * people) as f64 / per.as_secs_f64()
        );

        let anonymous: Vec<reqwest::Client> = (0..clients).map(|_| client()).collect();
        let mut officers = Vec::new();
        let mut members = Vec::new();
        for _ in 0..clients {
            let c = client();
            assert!(sign_in(&c, &base, "officer@example.org", PASSWORD).await);
            officers.push(c);
            let m = client();
            assert!(sign_in(&m, &base, "b00001@example.org", PASSWORD).await);
            members.push(m);
        }
        let query = scenario_ids
            .iter()
            .map(|id| format!("scenario={id}"))
            .collect::<Vec<_>>()
            .join("&");
        let (limit, times) = drive(&anonymous, &base, seconds, |_| "/healthz".to_owned()).await;
        report("GET /healthz (the limit)", limit, &times);
        let path = format!("/salary/compare?{query}");
        let officer_path = path.clone();
        let (rate, times) = drive(&officers, &base, seconds, move |_| officer_path.clone()).await;
        report("GET /salary/compare (officer)", rate, &times);
        println!("  officer page / limit: {:.1}%", 100.0 * rate / limit);
        let (rate, times) = drive(&members, &base, seconds, move |_| path.clone()).await;
        report("GET /salary/compare (member)", rate, &times);
        println!("  member page / limit: {:.1}%", 100.0 * rate / limit);
        handle.stop(true).await;
        let _ = server.await;
    });
}
