use std::time::Duration;

use diesel::prelude::*;
use unionhall::db::schema::outbox;
use unionhall::db::write_tx;
use unionhall::mail::outbox::{OutboxMessage, enqueue};

use crate::helpers::{TestApp, dead_port, test_email as email_to};

fn row_for(app: &TestApp, to: &str) -> OutboxMessage {
    outbox::table
        .filter(outbox::recipient.eq(to))
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
async fn a_message_that_keeps_failing_is_parked_after_the_last_attempt() {
    // max_attempts is 4 in tests; five temporary refusals outlast it.
    let app = TestApp::spawn().await;
    app.queue_test_mail("tempfail5@example.org");
    let row = wait_for_status(&app, "tempfail5@example.org", "failed").await;
    assert_eq!(row.status.as_str(), "failed");
    assert_eq!(row.attempts, 4);
    assert!(row.last_error.unwrap().contains("gave up after 4 attempts"));
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
