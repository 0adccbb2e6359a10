use std::time::Duration;

use diesel::prelude::*;
use unionhall::db::schema::outbox;
use unionhall::db::write_tx;
use unionhall::mail::outbox::{OutboxMessage, enqueue};

use crate::helpers::{TestApp, dead_port, test_email as email_to};

/// The latest message to `to`.
fn row_for(app: &TestApp, to: &str) -> OutboxMessage {
    outbox::table
        .filter(outbox::recipient.eq(to))
        .order(outbox::id.desc())
        .select(OutboxMessage::as_select())
        .first(&mut app.db())
        .unwrap()
}

async fn wait_for_status(app: &TestApp, to: &str, status: &str) -> OutboxMessage {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let row = row_for(app, to);
        if row.status.as_str() == status || tokio::time::Instant::now() > deadline {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn a_queued_message_is_sent_as_text_and_html_with_its_message_id() {
    let app = TestApp::spawn().await;
    app.queue_test_mail("member@example.org");
    let row = wait_for_status(&app, "member@example.org", "sent").await;
    assert_eq!(row.status.as_str(), "sent");
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_some());
    let received = app.smtp.to("member@example.org");
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(
        message.header("Message-ID").as_deref(),
        Some(row.message_id.as_str())
    );
    assert!(message.header("From").unwrap().contains("hall@example.org"));
    assert!(message.header("Subject").unwrap().contains("test message"));
    assert!(message.data.contains("multipart/alternative"));
    assert!(message.data.contains("text/plain"));
    assert!(message.data.contains("text/html"));
}

#[tokio::test]
async fn a_temporary_refusal_is_retried_then_sent() {
    let app = TestApp::spawn().await;
    app.queue_test_mail("tempfail2@example.org");
    let row = wait_for_status(&app, "tempfail2@example.org", "sent").await;
    assert_eq!(
        row.status.as_str(),
        "sent",
        "last error: {:?}",
        row.last_error
    );
    assert_eq!(row.attempts, 3, "two 451s, then accepted");
    assert_eq!(
        app.smtp.to("tempfail2@example.org").len(),
        1,
        "delivered once"
    );
}

#[tokio::test]
async fn a_permanent_refusal_is_parked_with_the_servers_words() {
    let app = TestApp::spawn().await;
    app.queue_test_mail("reject@example.org");
    let row = wait_for_status(&app, "reject@example.org", "failed").await;
    assert_eq!(row.status.as_str(), "failed");
    assert_eq!(row.attempts, 1, "a 5xx is not retried");
    let error = row.last_error.unwrap();
    assert!(
        error.contains("550") || error.contains("No such mailbox"),
        "{error}"
    );
    assert!(app.smtp.to("reject@example.org").is_empty());
    // An officer's retry puts it back in the queue; it fails again the same way.
    let retried = unionhall::mail::outbox::retry_failed(&mut app.db(), row.id).unwrap();
    assert!(retried);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let row = wait_for_status(&app, "reject@example.org", "failed").await;
    assert_eq!(row.attempts, 1);
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_parked_once_its_retry_period_is_over() {
    // Tests retry for 3 seconds from 200 ms doubling to 1 s: about six
    // tries, fewer than nine temporary refusals.
    let app = TestApp::spawn().await;
    app.queue_test_mail("tempfail9@example.org");
    let row = wait_for_status(&app, "tempfail9@example.org", "failed").await;
    assert_eq!(row.status.as_str(), "failed");
    assert!((4..=8).contains(&row.attempts), "{} tries", row.attempts);
    let error = row.last_error.unwrap();
    assert!(
        error.starts_with("Still failing after 3 seconds of tries"),
        "{error}"
    );
}

#[tokio::test]
async fn queued_mail_survives_a_restart_and_is_sent_exactly_once() {
    // The first process cannot reach its mail server; its messages wait.
    let app = TestApp::spawn_with(|config| {
        config.mail_transport = unionhall::config::MailTransportConfig::Smtp(format!(
            "smtp://127.0.0.1:{}?tls=none",
            dead_port()
        ));
    })
    .await;
    let recipients: Vec<String> = (0..5).map(|i| format!("restart{i}@example.org")).collect();
    for to in &recipients {
        app.queue_test_mail(to);
    }
    let first = wait_for_status(&app, &recipients[0], "queued").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first_after = row_for(&app, &recipients[0]);
    assert!(
        first_after.attempts >= 1 || first.attempts >= 1,
        "the dead server was tried"
    );
    assert!(first_after.last_error.is_some());
    assert!(app.smtp.received().is_empty());

    // The next process reaches the real listener.
    let port = app.smtp.port;
    let app = app
        .restart(|config| {
            config.mail_transport = unionhall::config::MailTransportConfig::Smtp(format!(
                "smtp://127.0.0.1:{port}?tls=none"
            ));
        })
        .await;
    let got = app.smtp.wait_for(5, Duration::from_secs(15)).await;
    assert_eq!(got.len(), 5);
    for to in &recipients {
        assert_eq!(app.smtp.to(to).len(), 1, "{to} got exactly one");
        assert_eq!(
            wait_for_status(&app, to, "sent").await.status.as_str(),
            "sent"
        );
    }
    // Another restart sends nothing again.
    let app = app.restart(|_| {}).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.smtp.received().len(), 5);
}

#[tokio::test]
async fn a_message_claimed_by_a_process_that_died_is_sent_once_its_lease_runs_out() {
    let app = TestApp::spawn_with(|config| {
        // The worker is kept idle so the test can play the dead process.
        config.outbox.poll_interval = Duration::from_secs(3600);
    })
    .await;
    // Stop the worker's own claims by parking it; then queue and "claim" as a
    // process would that sent and died before recording the result.
    let mut conn = app.db();
    write_tx(&mut conn, |c| {
        enqueue(c, &email_to("crash@example.org"), "example.org")
    })
    .unwrap();
    let claimed =
        unionhall::mail::outbox::claim_due(&mut conn, 10, Duration::from_secs(0)).unwrap();
    assert_eq!(claimed.len(), 1);
    let message_id = claimed[0].message_id.clone();
    drop(conn);

    // A new process sees the lapsed lease and sends it, under the same Message-ID.
    let app = app
        .restart(|config| config.outbox.poll_interval = Duration::from_millis(50))
        .await;
    let row = wait_for_status(&app, "crash@example.org", "sent").await;
    assert_eq!(row.status.as_str(), "sent");
    assert_eq!(row.attempts, 2);
    let received = app.smtp.to("crash@example.org");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("Message-ID"), Some(message_id));
}

#[tokio::test]
async fn a_claim_whose_lease_is_still_running_is_left_alone() {
    let app =
        TestApp::spawn_with(|config| config.outbox.poll_interval = Duration::from_secs(3600)).await;
    let mut conn = app.db();
    write_tx(&mut conn, |c| {
        enqueue(c, &email_to("busy@example.org"), "example.org")
    })
    .unwrap();
    let claimed =
        unionhall::mail::outbox::claim_due(&mut conn, 10, Duration::from_secs(3600)).unwrap();
    assert_eq!(claimed.len(), 1);
    // Another worker finds nothing to claim: no duplicate send while the
    // first holder may still be talking to the server.
    let again =
        unionhall::mail::outbox::claim_due(&mut conn, 10, Duration::from_secs(3600)).unwrap();
    assert!(again.is_empty());
}

#[tokio::test]
async fn without_smtp_each_message_is_written_as_an_eml_file() {
    let app = TestApp::spawn_with(|config| {
        config.mail_transport =
            unionhall::config::MailTransportConfig::Files(config.data_dir.join("mail"));
    })
    .await;
    app.queue_test_mail("file@example.org");
    let row = wait_for_status(&app, "file@example.org", "sent").await;
    assert_eq!(row.status.as_str(), "sent");
    let dir = app.config.data_dir.join("mail");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "eml");
    let content = std::fs::read_to_string(&files[0]).unwrap();
    assert!(content.contains("To: file@example.org"), "{content}");
    assert!(
        content.contains(&format!("Message-ID: {}", row.message_id)),
        "{content}"
    );
}

#[tokio::test]
async fn a_dead_mail_server_does_not_slow_a_page() {
    // A server that accepts the connection and never answers: the worker's
    // send hangs until its time-out, while pages keep answering.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let app = TestApp::spawn_with(|config| {
        config.mail_transport = unionhall::config::MailTransportConfig::Smtp(format!(
            "smtp://127.0.0.1:{port}?tls=none"
        ));
        config.outbox.send_timeout = Duration::from_secs(30);
    })
    .await;
    for i in 0..3 {
        app.queue_test_mail(&format!("slow{i}@example.org"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let (status, _) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the page did not wait for mail"
    );
    drop(silent);
}

/// Production's retry policy (a minute doubling to an hour, for two days)
/// against a mail server that refuses every connection, on a clock the
/// test moves on.
async fn through_an_outage() -> TestApp {
    TestApp::spawn_with(|config| {
        config.mail_transport = unionhall::config::MailTransportConfig::Smtp(format!(
            "smtp://127.0.0.1:{}?tls=none",
            dead_port()
        ));
        let defaults = unionhall::config::OutboxSettings::default();
        config.outbox.retry_base = defaults.retry_base;
        config.outbox.retry_cap = defaults.retry_cap;
        config.outbox.retry_for = defaults.retry_for;
    })
    .await
}

/// Waits for the worker to make its try number `attempts`.
async fn wait_for_attempts(app: &TestApp, to: &str, attempts: i32) -> OutboxMessage {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let row = outbox::table
            .filter(outbox::recipient.eq(to))
            .select(OutboxMessage::as_select())
            .first(&mut app.db())
            .optional()
            .unwrap();
        if let Some(row) = row.filter(|r| r.attempts >= attempts && r.status.as_str() != "sending")
        {
            return row;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "try {attempts} was not made: {:?}",
            row_for(app, to)
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

#[tokio::test]
async fn a_reset_is_still_retried_after_a_day_of_smtp_failure_and_parked_after_two() {
    let app = through_an_outage().await;
    let to = "fay@example.org";
    app.create_user(to, "Fay Forgetful", &[unionhall::users::Role::Member]);
    app.new_client()
        .post("/password-reset", &[("email", to)])
        .await;
    let first = wait_for_attempts(&app, to, 1).await;
    assert_eq!(first.status.as_str(), "queued");
    let started = app.config.clock.now();
    let next = first.next_attempt_at - started;
    assert!(
        (50..=61).contains(&next.num_seconds()),
        "a minute before the second try: {next:?}"
    );

    // An hour at a time, 25 hours of a dead mail server: every hour it is
    // tried again, and it stays in the queue.
    for hour in 1..=25 {
        app.config.clock.advance(hours(1));
        let row = wait_for_attempts(&app, to, hour + 1).await;
        assert_eq!(row.status.as_str(), "queued", "after {hour} hours");
    }
    let row = row_for(&app, to);
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    let wait = row.next_attempt_at - app.config.clock.now();
    assert!(
        wait <= chrono::Duration::hours(1) && wait > chrono::Duration::zero(),
        "hourly at most: {wait:?}"
    );
    // The officer on duty looks at the outbox.
    let (officer, _) = app.officer("olive@example.org").await;
    let page = officer.visit("/officer/outbox").await;
    let zone = app.config.timezone;
    let next_try = unionhall::clock::local_moment(zone, row.next_attempt_at);
    let until =
        unionhall::clock::local_moment(zone, row.retry_until.expect("a period from the first try"));
    assert!(
        page.body
            .contains(&format!("{next_try} (retried until {until})")),
        "{next_try} (retried until {until}) in\n{}",
        page.body
    );
    assert!(
        page.body.contains(
            "Its reset link lasted 30 minutes and has run out, so sending it now would deliver a dead link: ask them to request a new one"
        ),
        "{}",
        page.body
    );

    // Two days after the first try, the last try fails and it is parked.
    app.config.clock.advance(hours(22));
    let row = wait_for_attempts(&app, to, 27).await;
    assert_eq!(row.status.as_str(), "queued", "the period is not over yet");
    app.config.clock.advance(hours(1));
    let row = wait_for_status(&app, to, "failed").await;
    assert_eq!(row.status.as_str(), "failed");
    let reason = row.last_error.clone().unwrap();
    assert!(
        reason.starts_with("Still failing after 2 days of tries ("),
        "{reason}"
    );
    assert!(
        row.body_text.contains("/password-reset/"),
        "a parked reset keeps its content"
    );
    let (officer, _) = app.officer("otto@example.org").await;
    let page = officer.visit("/officer/outbox?status=failed").await;
    assert!(page.body.contains("Still failing after 2 days of tries"));
    assert!(page.body.contains("not tried again unless retried"));
    assert!(
        page.body
            .contains(&format!("/officer/outbox/{}/retry", row.id))
    );
}

#[tokio::test]
async fn a_ballot_receipt_the_server_refuses_says_plainly_it_cannot_be_sent_again() {
    use crate::helpers::{ROSTER_HEADER, Stage};
    let app = TestApp::spawn().await;
    let voter = "reject.vera@example.org";
    app.import_roster(
        format!("{ROSTER_HEADER}V00001,Vera,Voter,{voter},Vote Unit,Staff,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n")
            .as_bytes(),
    );
    let unit = app.unit_id("Vote Unit");
    let id = app.election(
        unit,
        vec![unionhall::elections::store::QuestionDraft {
            text: "Strike?".into(),
            kind: unionhall::elections::states::QuestionKind::YesNo,
            choices: vec!["Yes".into(), "No".into()],
            rule: unionhall::elections::rules::PassRule {
                num: 1,
                den: 2,
                at_least: false,
                min_turnout_bp: 0,
            },
            dues: None,
        }],
        Stage::Open,
    );
    let question = unionhall::elections::store::questions(&mut app.db(), id)
        .unwrap()
        .remove(0);
    app.create_user(voter, "Vera Voter", &[unionhall::users::Role::Member]);
    let vera = app.signed_in(voter).await;
    let answer = vera
        .post(
            &format!("/elections/{id}/cast"),
            &[(
                &format!("q_{}", question.id),
                &question.choices[0].0.to_string(),
            )],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let row = wait_for_status(&app, voter, "failed").await;
    assert_eq!(row.template, unionhall::elections::RECEIPT_TEMPLATE);

    let (officer, _) = app.officer("olive@example.org").await;
    let page = officer.visit("/officer/outbox?status=failed").await;
    assert!(
        page.body.contains(
            "Cannot be sent again: it held the voter&#39;s ballot tracking code next to their name"
        ) || page.body.contains(
            "Cannot be sent again: it held the voter's ballot tracking code next to their name"
        ),
        "{}",
        page.body
    );
    assert!(page.body.contains("Their ballot is counted all the same."));
    assert!(
        !page
            .body
            .contains(&format!("/officer/outbox/{}/retry", row.id)),
        "no Retry button"
    );
    // A retry sent from an old page is refused in words, and nothing is sent.
    let answer = officer
        .post(&format!("/officer/outbox/{}/retry", row.id), &[])
        .await;
    assert_eq!(answer.status, 303);
    let page = officer.visit("/officer/outbox").await;
    assert!(
        page.body.contains(&format!(
            "Message #{} was not retried. Cannot be sent again",
            row.id
        )),
        "{}",
        page.body
    );
    assert_eq!(row_for(&app, voter).status.as_str(), "failed");
}
