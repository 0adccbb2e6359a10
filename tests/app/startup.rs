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
    let queued = unionhall::mail::outbox::list(
        &mut pool.get().unwrap(),
        Some(unionhall::mail::outbox::Status::Queued),
        10,
    )
    .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].recipient, "officer@example.org");

    let output = unionhall(&["mail", "test", "not an address"], &[], dir.path());
    assert_one_clear_line(&output, "is not an email address");
}

#[test]
fn admin_create_refuses_a_weak_password_with_the_reason_and_accepts_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let weak = unionhall(
        &[
            "admin",
            "create",
            "--email",
            "olive@example.org",
            "--name",
            "Olive Officer",
        ],
        &[("UNIONHALL_ADMIN_PASSWORD", "olive-rules-the-hall")],
        dir.path(),
    );
    assert_one_clear_line(&weak, "password refused: Don't use your email name");
    let short = unionhall(
        &[
            "admin",
            "create",
            "--email",
            "olive@example.org",
            "--name",
            "Olive Officer",
        ],
        &[("UNIONHALL_ADMIN_PASSWORD", "short")],
        dir.path(),
    );
    assert_one_clear_line(&short, "Use at least 12 characters");
    let made = unionhall(
        &[
            "admin",
            "create",
            "--email",
            "Olive@Example.org",
            "--name",
            "Olive Officer",
        ],
        &[("UNIONHALL_ADMIN_PASSWORD", "tin cup river spoon")],
        dir.path(),
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let again = unionhall(
        &[
            "admin",
            "create",
            "--email",
            "olive@example.org",
            "--name",
            "Olive",
        ],
        &[("UNIONHALL_ADMIN_PASSWORD", "tin cup river spoon")],
        dir.path(),
    );
    assert_one_clear_line(&again, "olive@example.org already has an account");
    let no_password = unionhall(
        &["admin", "create", "--email", "x@example.org", "--name", "X"],
        &[],
        dir.path(),
    );
    assert_one_clear_line(&no_password, "UNIONHALL_ADMIN_PASSWORD");
}

#[test]
fn demo_fills_an_empty_database_once_and_prints_the_logins() {
    let dir = tempfile::tempdir().unwrap();
    let output = unionhall(&["demo"], &[], dir.path());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(unionhall::demo::DEMO_PASSWORD), "{stdout}");
    for email in [
        "officer@example.org",
        "chief@example.org",
        "steward@example.org",
        "sarah.okafor@example.org",
    ] {
        assert!(stdout.contains(email), "{stdout}");
    }
    assert!(
        stdout.contains("add this key to an authenticator app"),
        "two-factor stays on by default"
    );
    let again = unionhall(&["demo"], &[], dir.path());
    assert_one_clear_line(&again, "already has users");
}

#[tokio::test]
async fn the_insecure_demo_officer_may_skip_two_factor() {
    let app = crate::helpers::TestApp::spawn().await;
    let demo = unionhall::demo::run(&app.config, true).unwrap();
    assert!(demo.officer_two_factor_key.is_none());
    let officer = app.new_client();
    let answer = officer
        .sign_in("officer@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(answer.location.as_deref(), Some("/"));
    assert_eq!(officer.get("/officer/users").await.status, 200);
    // The demo dues roll: two units, a year of charges and check-offs, and
    // two members behind.
    let roster = officer.get("/officer/roster").await;
    assert!(roster.body.contains("16 people."), "{}", roster.body);
    let behind = officer
        .get("/officer/roster?standing=not-good&status=member")
        .await;
    assert!(behind.body.contains("Raman, Priya"), "{}", behind.body);
    assert!(behind.body.contains("Reyes, Alma"), "{}", behind.body);
    assert!(!behind.body.contains("Okafor, Sarah"));
    let sarah = app.new_client();
    sarah
        .sign_in("sarah.okafor@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    let statement = sarah.get("/dues").await;
    assert!(
        statement.body.contains("Good standing: you may vote"),
        "{}",
        statement.body
    );
}

#[tokio::test]
async fn serve_prints_a_working_setup_link_when_there_is_no_officer() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_unionhall"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("BIND", "127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let link = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.trim()
                    .starts_with("http://")
                    .then(|| line.trim().to_owned())
            })
    });
    let link = tokio::time::timeout(std::time::Duration::from_secs(60), link)
        .await
        .unwrap()
        .unwrap();
    let link = link.expect("serve prints the setup link");
    assert!(link.contains("/setup/"), "{link}");
    assert!(
        !link.contains(":0/"),
        "the link carries the bound port: {link}"
    );
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Create the first officer account")
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn demo_piped_into_a_reader_that_stops_early_ends_quietly() {
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_unionhall"))
        .arg("demo")
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // As `unionhall demo | head -0`: the reader is gone before the first
    // line (the demo takes a while to fill the database), so every line
    // meets a closed pipe, as the later lines do after `head -3`.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(!stderr.contains("backtrace"), "no backtrace: {stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    // The database was filled all the same: a second run says so.
    let again = unionhall(&["demo"], &[], dir.path());
    assert_one_clear_line(&again, "already has users");
}
