//! The real binary, started as an operator would start it.

use std::process::{Command, Output};

fn unionhall(args: &[&str], env: &[(&str, &str)], dir: &std::path::Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unionhall"));
    command.args(args).current_dir(dir).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        command.env("PATH", path);
    }
    command.env("RUST_LOG", "warn");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

fn assert_one_clear_line(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "must fail: {stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(!stderr.contains("backtrace"), "no backtrace: {stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("unionhall:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line naming the problem: {stderr}");
}

#[test]
fn an_unknown_database_scheme_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(
        &[],
        &[("DATABASE_URL", "mysql://root@localhost/hall")],
        dir.path(),
    );
    assert_one_clear_line(&output, "DATABASE_URL: unknown scheme \"mysql\"");
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::helpers::dead_port();
    let url = format!("postgres://postgres:s3cret@127.0.0.1:{port}/hall");
    let output = unionhall(&["serve"], &[("DATABASE_URL", &url)], dir.path());
    assert_one_clear_line(
        &output,
        "cannot open database postgres://postgres:***@127.0.0.1",
    );
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("s3cret"),
        "the password is not printed"
    );
}

#[test]
fn a_sqlite_file_in_a_missing_folder_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(
        &[],
        &[("DATABASE_URL", "sqlite://no/such/folder/hall.db")],
        dir.path(),
    );
    assert_one_clear_line(
        &output,
        "cannot open database sqlite://no/such/folder/hall.db",
    );
}

#[test]
fn a_bind_address_in_use_stops_start_up_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = unionhall(
        &[],
        &[("BIND", &addr), ("DATABASE_URL", "sqlite://hall.db")],
        dir.path(),
    );
    assert_one_clear_line(&output, &format!("cannot listen on BIND={addr}"));
}

#[test]
fn migrate_creates_the_database_and_backup_copies_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(&["migrate"], &[], dir.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("sqlite://unionhall.db is up to date")
    );
    assert!(
        dir.path().join("unionhall.db").exists(),
        "the default database is in the working folder"
    );
    assert!(
        dir.path().join("data/secret_key").exists(),
        "the secret key is generated under DATA_DIR"
    );

    let output = unionhall(&["backup", "copy.db"], &[], dir.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("copy.db").metadata().unwrap().len() > 0);

    let output = unionhall(&["backup", "copy.db"], &[], dir.path());
    assert_one_clear_line(&output, "already exists");
}

#[test]
fn backup_of_postgresql_points_to_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(
        &["backup", "x.db"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1/hall")],
        dir.path(),
    );
    assert_one_clear_line(&output, "pg_dump");
}

#[test]
fn mail_test_queues_a_message_for_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(&["mail", "test", "officer@example.org"], &[], dir.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = unionhall::config::DatabaseUrl::Sqlite(
        dir.path()
            .join("unionhall.db")
            .to_string_lossy()
            .into_owned(),
    );
    let pool = unionhall::db::connect_and_migrate(&url, 1).unwrap();
    let queued =
        unionhall::mail::outbox::list(&mut pool.get().unwrap(), Some("queued"), 10).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].recipient, "officer@example.org");

    let output = unionhall(&["mail", "test", "not an address"], &[], dir.path());
    assert_one_clear_line(&output, "is not an email address");
}
