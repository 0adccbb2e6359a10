//! What is stored stays private: the files the server writes are its
//! user's only, and two-factor secrets are sealed with a key derived from
//! SECRET_KEY, which a wrong key refuses in words at start-up.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Days;
use diesel::prelude::*;
use unionhall::config::{DatabaseUrl, MailTransportConfig};
use unionhall::db::schema::{outbox, users};
use unionhall::grievances::calendar::DayCount;
use unionhall::users::Role;

use crate::helpers::{PASSWORD, TestApp, TestClient};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

/// Mail goes to `.eml` files in a data folder the server makes itself.
async fn mailing_to_files() -> TestApp {
    TestApp::spawn_with(|config| {
        config.data_dir = config.data_dir.join("data");
        config.mail_transport = MailTransportConfig::Files(config.data_dir.join("mail"));
    })
    .await
}

async fn wait_until_sent(app: &TestApp, to: &str) {
    for _ in 0..400 {
        let sent: Vec<String> = outbox::table
            .filter(outbox::recipient.eq(to))
            .select(outbox::status)
            .load(&mut app.db())
            .unwrap();
        if !sent.is_empty() && sent.iter().all(|s| s == "sent") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("mail to {to} was not sent");
}

/// Every file and folder the server wrote for this test, with its mode.
fn written(app: &TestApp) -> Vec<(PathBuf, u32)> {
    let data = &app.config.data_dir;
    let mut paths = vec![data.clone(), data.join("mail"), data.join("attachments")];
    paths.extend(files_in(&data.join("mail")));
    paths.extend(files_in(&data.join("attachments")));
    if let DatabaseUrl::Sqlite(db) = &app.config.database {
        paths.extend(["", "-wal", "-shm"].map(|s| PathBuf::from(format!("{db}{s}"))));
    }
    paths.into_iter().map(|p| (p.clone(), mode(&p))).collect()
}

fn assert_private(found: &[(PathBuf, u32)]) {
    let open: Vec<String> = found
        .iter()
        .filter(|(path, mode)| *mode != if path.is_dir() { 0o700 } else { 0o600 })
        .map(|(path, mode)| format!("{} is {mode:o}", path.display()))
        .collect();
    assert!(open.is_empty(), "readable by others: {open:#?}");
}

#[tokio::test]
async fn a_reset_link_evidence_and_the_database_are_readable_by_the_servers_user_only() {
    let app = mailing_to_files().await;
    app.grievance_unit(DayCount::Calendar);
    // Sarah forgets her password: the link is written to a mail file.
    app.create_user("forgetful@example.org", "Fay Forgetful", &[Role::Member]);
    let stranger = app.new_client();
    let answer = stranger
        .post("/password-reset", &[("email", "forgetful@example.org")])
        .await;
    assert!(answer.status < 400, "{}", answer.body);
    // Sarah files a grievance with her schedule attached.
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let incident = (app.config.today() - Days::new(3)).to_string();
    let answer = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", incident.as_str()),
                ("articles", "12.3"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours."),
                ("department", "Research"),
                ("supervisor", "Pat Boss"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let case = answer.location.unwrap();
    let answer = sarah
        .upload(
            &format!("{case}/attachments"),
            &[],
            "schedule.pdf",
            b"%PDF-1.7 the schedule".to_vec(),
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    wait_until_sent(&app, "forgetful@example.org").await;

    let found = written(&app);
    let mail = files_in(&app.config.data_dir.join("mail"));
    assert!(
        mail.iter().any(|f| std::fs::read_to_string(f)
            .unwrap()
            .contains("/password-reset/")),
        "the reset link is in a mail file: {mail:?}"
    );
    assert_eq!(
        files_in(&app.config.data_dir.join("attachments")).len(),
        1,
        "the schedule"
    );
    assert_private(&found);
}

#[tokio::test]
async fn files_an_older_version_left_readable_are_narrowed_at_start() {
    let app = mailing_to_files().await;
    app.create_user("forgetful@example.org", "Fay Forgetful", &[Role::Member]);
    app.new_client()
        .post("/password-reset", &[("email", "forgetful@example.org")])
        .await;
    wait_until_sent(&app, "forgetful@example.org").await;
    let attachments = app.config.data_dir.join("attachments");
    std::fs::create_dir_all(&attachments).unwrap();
    std::fs::write(attachments.join("evidence"), b"%PDF-1.7").unwrap();
    // What an older version left: everything readable by every account.
    for (path, _) in written(&app) {
        set_mode(&path, if path.is_dir() { 0o755 } else { 0o644 });
    }

    let app = app.restart(|_| {}).await;
    assert_private(&written(&app));
}

/// The key the two-factor page shows to type into an app.
fn shown_key(page: &str) -> String {
    let start = page
        .find("<code class=\"secret\">")
        .expect("the key is shown")
        + 21;
    let end = start + page[start..].find("</code>").unwrap();
    page[start..end].to_owned()
}

fn stored_secrets(app: &TestApp, email: &str) -> (Option<String>, Option<String>) {
    users::table
        .filter(users::email.eq(email))
        .select((users::totp_secret, users::totp_pending_secret))
        .first(&mut app.db())
        .unwrap()
}

async fn sign_in_with_code(app: &TestApp, email: &str, key: &str) -> TestClient {
    let client = app.new_client();
    let answer = client.sign_in(email, PASSWORD).await;
    assert_eq!(
        answer.location.as_deref(),
        Some("/sign-in/two-factor?next=%2F"),
        "{}",
        answer.body
    );
    let answer = client
        .post(
            "/sign-in/two-factor",
            &[("code", &app.code(key)), ("next", "/")],
        )
        .await;
    assert_eq!(answer.status, 303, "the code is taken: {}", answer.body);
    client
}

#[tokio::test]
async fn a_two_factor_key_is_stored_sealed_and_a_wrong_secret_key_stops_start_up_in_words() {
    let app = TestApp::spawn().await;
    let email = "tess@example.org";
    app.create_user(email, "Tess Treasurer", &[Role::Member]);
    let tess = app.signed_in(email).await;
    let page = tess.visit("/account/two-factor").await;
    let key = shown_key(&page.body);
    let (_, pending) = stored_secrets(&app, email);
    let pending = pending.expect("the key waits for its first code");
    assert!(!pending.contains(&key), "stored in clear while pending");
    let answer = tess
        .post("/account/two-factor", &[("code", &app.code(&key))])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("recovery"), "{}", answer.body);
    let (current, _) = stored_secrets(&app, email);
    let current = current.expect("two-factor is on");
    assert!(!current.contains(&key), "stored in clear: {current}");
    assert!(current.len() > key.len(), "{current}");

    // The same key after a restart opens it: Tess signs in with her app
    // (with the next code: the one she enrolled with is used up).
    let app = app.restart(|_| {}).await;
    app.config.clock.advance(Duration::from_secs(30));
    sign_in_with_code(&app, email, &key).await;

    // Started with another SECRET_KEY, the server says so and does not start.
    let problem = app
        .restart_fails(|config| config.secret_key = vec![9u8; 32])
        .await;
    assert!(
        problem.contains("SECRET_KEY")
            && problem.contains("saved with another SECRET_KEY")
            && problem.contains("1 of the 1 two-factor secrets"),
        "{problem}"
    );
}

#[tokio::test]
async fn a_key_an_older_version_stored_in_clear_is_sealed_at_the_next_start() {
    let app = TestApp::spawn().await;
    let email = "olive@example.org";
    let (_, key) = app.officer_account(email);
    // An older version stored it as the app shows it.
    assert_eq!(stored_secrets(&app, email).0.as_deref(), Some(key.as_str()));
    let app = app.restart(|_| {}).await;
    let stored = stored_secrets(&app, email).0.unwrap();
    assert!(!stored.contains(&key), "still in clear: {stored}");
    let olive = sign_in_with_code(&app, email, &key).await;
    assert_eq!(olive.visit("/officer/outbox").await.status, 200);
}
