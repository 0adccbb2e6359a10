//! Importing a 100,000-row employer check-off file, measured against its
//! limit: the same database's raw batched-insert rate, in the same run.
//!
//! For SQLite (a fresh file) and PostgreSQL (a fresh database, when one
//! answers at TEST_POSTGRES_URL or 127.0.0.1:5432): builds a 100,000-person
//! roster, then times (1) checking and importing the file through the same
//! code the page and the command line use, and (2) plain batched inserts
//! of as many ledger rows in one transaction. Prints rows per second for
//! both, their ratio, and the process's peak memory.
//!
//! Run: `cargo bench --bench checkoff`. Prints figures; never fails on time.

#![allow(
    clippy::unwrap_used,
    reason = "a benchmark stops at the first broken step"
)]

use std::time::Instant;

use chrono::NaiveDate;
use diesel::prelude::*;
use unionhall::audit::Actor;
use unionhall::config::DatabaseUrl;
use unionhall::db::schema::{classifications, ledger_entries, members, units};
use unionhall::db::{self, DbConnection, write_tx};
use unionhall::dues::checkoff;

const ROWS: usize = 100_000;

fn peak_memory_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or_else(
            || "unknown".to_owned(),
            |kb| format!("{:.0} MiB", kb / 1024.0),
        )
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

macro_rules! batch_insert {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Postgres(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
        }
        .unwrap()
    };
}

fn roster(conn: &mut DbConnection) {
    let now = chrono::Utc::now().naive_utc();
    diesel::insert_into(units::table)
        .values((units::name.eq("Bench Unit"), units::created_at.eq(now)))
        .execute(conn)
        .unwrap();
    let unit: i64 = units::table.select(units::id).first(conn).unwrap();
    diesel::insert_into(classifications::table)
        .values((
            classifications::unit_id.eq(unit),
            classifications::name.eq("Staff"),
        ))
        .execute(conn)
        .unwrap();
    let class: i64 = classifications::table
        .select(classifications::id)
        .first(conn)
        .unwrap();
    write_tx(conn, |conn| {
        for start in (0..ROWS).step_by(2_000) {
            let rows: Vec<_> = (start..start + 2_000)
                .map(|i| {
                    (
                        members::employee_number.eq(format!("B{i:06}")),
                        members::first_name.eq("Bench"),
                        members::last_name.eq(format!("Person{i}")),
                        members::unit_id.eq(unit),
                        members::classification_id.eq(class),
                        members::department.eq("Load"),
                        members::hire_date.eq(day("2020-01-01")),
                        members::annual_salary_cents.eq(6_000_000i64),
                        members::work_arrangement.eq("remote"),
                        members::status.eq("member"),
                        members::created_at.eq(now),
                        members::updated_at.eq(now),
                    )
                })
                .collect();
            batch_insert!(&mut *conn, members::table, &rows);
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

fn file() -> Vec<u8> {
    let mut out = String::from("employee_number,period_start,period_end,amount\n");
    for i in 0..ROWS {
        out.push_str(&format!("B{i:06},2026-10-01,2026-10-31,75.00\n"));
    }
    out.into_bytes()
}

fn raw_inserts(conn: &mut DbConnection) -> f64 {
    let ids: Vec<i64> = members::table.select(members::id).load(conn).unwrap();
    let now = chrono::Utc::now().naive_utc();
    let started = Instant::now();
    write_tx(conn, |conn| {
        for chunk in ids.chunks(2_000) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|id| {
                    (
                        ledger_entries::member_id.eq(*id),
                        ledger_entries::entry_date.eq(day("2026-09-30")),
                        ledger_entries::kind.eq("payment"),
                        ledger_entries::amount_cents.eq(-7500i64),
                        ledger_entries::period.eq(Some("2026-09")),
                        ledger_entries::reason.eq(""),
                        ledger_entries::created_at.eq(now),
                    )
                })
                .collect();
            batch_insert!(&mut *conn, ledger_entries::table, &rows);
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    ROWS as f64 / started.elapsed().as_secs_f64()
}

fn run(label: &str, url: DatabaseUrl) {
    let pool = db::connect_and_migrate(&url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    let started = Instant::now();
    roster(&mut conn);
    println!(
        "{label}: roster of {ROWS} people built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let bytes = file();
    let before = peak_memory_mib();
    let started = Instant::now();
    let checked = checkoff::check(&mut conn, "Bench Unit", &bytes)
        .unwrap()
        .unwrap();
    let checked_in = started.elapsed();
    write_tx(&mut conn, |c| {
        checkoff::commit(
            c,
            &checked,
            &Actor::command_line(),
            chrono::Utc::now().naive_utc(),
        )
    })
    .unwrap();
    let total = started.elapsed();
    let import_rate = ROWS as f64 / total.as_secs_f64();
    let raw_rate = raw_inserts(&mut conn);
    println!(
        "{label}: check-off import of {ROWS} rows: {:.2} s ({:.2} s checking) = {import_rate:.0} rows/s; raw batched inserts {raw_rate:.0} rows/s; import at {:.0}% of raw",
        total.as_secs_f64(),
        checked_in.as_secs_f64(),
        100.0 * import_rate / raw_rate
    );
    println!(
        "{label}: peak memory {} (before the import: {before})",
        peak_memory_mib()
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    run(
        "SQLite",
        DatabaseUrl::Sqlite(dir.path().join("bench.db").to_string_lossy().into_owned()),
    );

    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let Ok(mut admin_conn) = diesel::PgConnection::establish(&admin) else {
        println!("PostgreSQL: skipped, nothing answers at {admin}");
        return;
    };
    let name = format!("uh_bench_{}", std::process::id());
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin_conn,
        &format!("CREATE DATABASE {name}"),
    )
    .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    run("PostgreSQL", DatabaseUrl::Postgres(url.to_string()));
    diesel::connection::SimpleConnection::batch_execute(
        &mut admin_conn,
        &format!("DROP DATABASE {name} WITH (FORCE)"),
    )
    .unwrap();
}
