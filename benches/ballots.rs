//! Casting ballots under load, measured against the database's own limit.
//!
//! For SQLite, and for PostgreSQL when one answers (`TEST_POSTGRES_URL`, or
//! 127.0.0.1:5432), in one run:
//! 1. the limit: single-row write transactions committed back to back on a
//!    pooled connection, at the same durability the app runs with (SQLite
//!    WAL with `synchronous=FULL`; PostgreSQL's defaults);
//! 2. `--voters` signed-in members (default 400) each cast one ballot on the
//!    real server, `--clients` at a time (default 32): the first half send
//!    ballots their device encrypted (the server checks every proof before
//!    it appends one), the second half vote without JavaScript (the server
//!    encrypts and proves); ballots per second and the p50/p99 of a cast for
//!    each, and the ratio to (1);
//! 3. the server's check of one yes/no ballot, and its encryption of one,
//!    each the mean of 1,000.
//!
//! Run: `cargo bench --bench ballots`. Prints figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Duration as Span;
use common::{arg, client, ms, percentile, sign_in};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tokio::sync::Mutex;
use unionhall::app::Application;
use unionhall::audit::Actor;
use unionhall::auth::password::hash_blocking;
use unionhall::config::{Config, DatabaseUrl};
use unionhall::context::Context;
use unionhall::db::write_tx;
use unionhall::elections::rules::PassRule;
use unionhall::elections::states::QuestionKind;
use unionhall::elections::store::{self, ElectionDraft, QuestionDraft};
use unionhall::record::ballot;
use unionhall::record::entry::CastBy;
use unionhall::roster::{self, csv_import};
use unionhall::users::{self, Role};

const PASSWORD: &str = "tin cup river spoon";

fn raw_commits(url: &DatabaseUrl, seconds: u64) -> f64 {
    let pool = unionhall::db::connect_and_migrate(url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    conn.batch_execute("CREATE TABLE bench_commits (id BIGINT PRIMARY KEY, code TEXT NOT NULL)")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut n: i64 = 0;
    while Instant::now() < deadline {
        write_tx(&mut conn, |c| {
            c.batch_execute(&format!(
                "INSERT INTO bench_commits (id, code) VALUES ({n}, 'ABCD-EFGH-JKMN')"
            ))
        })
        .unwrap();
        n += 1;
    }
    conn.batch_execute("DROP TABLE bench_commits").unwrap();
    n as f64 / started.elapsed().as_secs_f64()
}

async fn token(client: &reqwest::Client, base: &str) -> String {
    let body = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"csrf-token\" content=\"";
    let start = body.find(marker).unwrap() + marker.len();
    body[start..].split('"').next().unwrap().to_owned()
}

async fn run(label: &str, url: DatabaseUrl, data: &std::path::Path, voters: usize, clients: usize) {
    let raw = raw_commits(&url, 3);
    println!("{label}: limit: {raw:.0} single-row commits/s on one connection");
    let url_string = match &url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let vars = [
        ("DATABASE_URL", url_string),
        ("BIND", "127.0.0.1:0".to_owned()),
        ("DATA_DIR", data.to_string_lossy().into_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .unwrap();
    let app = Application::build(config).await.unwrap();
    let config = app.config().clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool();
    let handle = app.server_handle();
    let server = tokio::spawn(app.run_until_stopped());
    let now = config.clock.now();
    let hash = hash_blocking(PASSWORD).unwrap();
    let mut csv = String::from(
        "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n",
    );
    for i in 0..voters {
        csv.push_str(&format!("V{i:05},Voter,N{i},v{i:05}@example.org,Bench,Staff,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n"));
    }
    let rows = csv_import::parse(csv.as_bytes()).unwrap();
    let mut conn = pool.get().unwrap();
    let (id, q, yes) = write_tx(&mut conn, |c| {
        roster::commit(c, rows, &Actor::command_line(), now, now.date())?;
        let unit: i64 = unionhall::db::schema::units::table
            .select(unionhall::db::schema::units::id)
            .first(c)?;
        for i in 0..voters {
            users::create(
                c,
                &format!("v{i:05}@example.org"),
                "Voter",
                Some(&hash),
                &[Role::Member],
                now,
            )?;
        }
        let id = store::create(
            c,
            &ElectionDraft {
                unit_id: unit,
                title: "Bench vote".into(),
                description: String::new(),
                opens_at: now - Span::minutes(1),
                closes_at: now + Span::hours(2),
                cutoff: config.today(),
                questions: vec![QuestionDraft {
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
                }],
            },
            now,
        )?;
        let ctx = Context {
            now,
            ..Context::command_line(&config)
        };
        let trustees: Vec<i64> = (1..=3)
            .map(|i| {
                users::create(
                    c,
                    &format!("t{i}@example.org"),
                    "Trustee",
                    Some(&hash),
                    &[Role::Member],
                    now,
                )
            })
            .collect::<Result<_, _>>()?;
        let _ = store::trustees::name(c, id, &trustees, 2)?;
        store::publish(c, id, now)?;
        for _step in 0..3 {
            for position in 1..=3u32 {
                let _ = store::trustees::play_device(c, &ctx, id, position, &[position as u8; 32])?;
            }
        }
        store::open(c, &ctx, id)?;
        let question = store::questions(c, id)?.remove(0);
        Ok::<_, diesel::result::Error>((id, question.id, question.choices[0].0))
    })
    .unwrap();
    let (key, fingerprint) = store::casting::election_key(&mut conn, id).unwrap();
    drop(conn);
    // Sign everyone in first: the argon2 cost is the sign-in benchmark's.
    // The first half's devices encrypt their ballots before the clock runs.
    let mut ready = Vec::new();
    for i in 0..voters {
        let c = client();
        assert!(sign_in(&c, &base, &format!("v{i:05}@example.org"), PASSWORD).await);
        let t = token(&c, &base).await;
        let fields = if i < voters / 2 {
            let made = ballot::encrypt(&key, &fingerprint, None, CastBy::Voter, &[2], &[i % 2]);
            vec![(
                "ballot".to_owned(),
                serde_json::to_string(&made.entry).unwrap(),
            )]
        } else {
            vec![(format!("q_{q}"), yes.to_string())]
        };
        ready.push((c, t, fields));
    }
    let device = ready.split_off(voters - voters / 2);
    cast_all(
        label,
        "encrypted by the voter's device, every proof checked",
        &base,
        id,
        device,
        clients,
        raw,
    )
    .await;
    cast_all(
        label,
        "encrypted by the server (no JavaScript)",
        &base,
        id,
        ready,
        clients,
        raw,
    )
    .await;
    let mut conn = pool.get().unwrap();
    let counted: i64 = unionhall::db::schema::ballots::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(counted as usize, voters);
    handle.stop(true).await;
    let _ = server.await;
}

type Ready = (reqwest::Client, String, Vec<(String, String)>);

async fn cast_all(
    label: &str,
    kind: &str,
    base: &str,
    id: i64,
    ready: Vec<Ready>,
    clients: usize,
    raw: f64,
) {
    let voters = ready.len();
    let queue = Arc::new(Mutex::new(ready));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let (queue, base) = (queue.clone(), base.to_owned());
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let Some((c, t, mut fields)) = queue.lock().await.pop() else {
                        break;
                    };
                    fields.push(("csrf_token".to_owned(), t));
                    let at = Instant::now();
                    let response = c
                        .post(format!("{base}/elections/{id}/cast"))
                        .form(&fields)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 200);
                    let _ = response.bytes().await.unwrap();
                    times.push(at.elapsed());
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort();
    let rate = times.len() as f64 / elapsed;
    println!(
        "{label}: {voters} ballots {kind}, by {clients} concurrent members in {elapsed:.2} s = {rate:.0} ballots/s ({:.0}% of the limit); a cast p50 {} p99 {}",
        100.0 * rate / raw,
        ms(percentile(&times, 50.0)),
        ms(percentile(&times, 99.0))
    );
}

/// One yes/no ballot checked and one encrypted, as the server does each.
fn one_ballot() {
    use unionhall::crypto::group::{base_mul, random_scalar};
    let key = base_mul(&random_scalar());
    let fingerprint = [3u8; 32];
    let n = 1000;
    let started = Instant::now();
    let made: Vec<_> = (0..n)
        .map(|i| ballot::encrypt(&key, &fingerprint, None, CastBy::Server, &[2], &[i % 2]).entry)
        .collect();
    let encrypt = started.elapsed() / n as u32;
    let started = Instant::now();
    for entry in &made {
        ballot::check(entry, &key, &fingerprint, &[2]).unwrap();
    }
    let check = started.elapsed() / n as u32;
    println!(
        "one yes/no ballot on the server: checked in {} (goal: under 2 ms), encrypted and proved in {}",
        ms(check),
        ms(encrypt)
    );
}

fn main() {
    let voters = arg("--voters", 400) as usize;
    let clients = arg("--clients", 32) as usize;
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    println!("unionhall ballot benchmark: {cores} cores, {voters} voters, {clients} at a time");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    one_ballot();
    runtime.block_on(async {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().join("bench.db").to_string_lossy().into_owned();
        run(
            "SQLite",
            DatabaseUrl::Sqlite(path),
            data.path(),
            voters,
            clients,
        )
        .await;
        let admin = std::env::var("TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        match diesel::PgConnection::establish(&admin) {
            Ok(mut pg) => {
                let name = format!("uh_bench_{}", std::process::id());
                pg.batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let mut url = url::Url::parse(&admin).unwrap();
                url.set_path(&format!("/{name}"));
                let pg_data = tempfile::tempdir().unwrap();
                run(
                    "PostgreSQL",
                    DatabaseUrl::Postgres(url.to_string()),
                    pg_data.path(),
                    voters,
                    clients,
                )
                .await;
                pg.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                    .unwrap();
            }
            Err(_) => println!("PostgreSQL: skipped, none answers at {admin}"),
        }
    });
}
