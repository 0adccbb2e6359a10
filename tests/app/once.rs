//! A form sent twice takes effect once: the second sending of the same
//! one-time key gets the first answer and writes nothing.

use std::time::Duration;

use diesel::prelude::*;
use unionhall::db::schema::{outbox, users};

use crate::helpers::{Page, TestApp, TestClient};

/// The invitation form as the officer's page hands it out: its CSRF token
/// and one-time key, with what the officer typed.
async fn invitation_form(officer: &TestClient, email: &str) -> Vec<(String, String)> {
    let page = officer.visit("/officer/users").await;
    let key = page
        .value_of("submission_key")
        .expect("the form carries a one-time key");
    let token = page.value_of("csrf_token").expect("and a CSRF token");
    vec![
        ("name".into(), "Rosa Reyes".into()),
        ("email".into(), email.into()),
        ("role".into(), "member".into()),
        ("csrf_token".into(), token),
        ("submission_key".into(), key),
    ]
}

async fn send(client: &TestClient, form: &[(String, String)]) -> Page {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    client.post_raw("/officer/users/invite", &fields).await
}

fn invitations_to(app: &TestApp, email: &str) -> i64 {
    outbox::table
        .filter(outbox::recipient.eq(email))
        .filter(outbox::template.eq("invitation"))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_double_click_invites_once_and_both_clicks_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let form = invitation_form(&officer, "rosa@example.org").await;
    // Three sendings at once, as a double (triple) click makes them.
    let (a, b, c) = tokio::join!(
        send(&officer, &form),
        send(&officer, &form),
        send(&officer, &form)
    );
    for answer in [&a, &b, &c] {
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location.as_deref(), Some("/officer/users"));
        assert!(
            answer
                .set_cookies
                .iter()
                .any(|c| c.starts_with("flash=") && c.contains("rosa%40example.org")),
            "each answer carries the first one's message: {:?}",
            answer.set_cookies
        );
    }
    assert_eq!(invitations_to(&app, "rosa@example.org"), 1, "one mail");
    let people: i64 = users::table
        .filter(users::email.eq("rosa@example.org"))
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(people, 1);
    let audited = app
        .audit_actions()
        .iter()
        .filter(|a| a.as_str() == "invitation_sent")
        .count();
    assert_eq!(audited, 1, "one audit entry: {:?}", app.audit_actions());

    // Later, the browser's back button and a resend: still the first answer.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let again = send(&officer, &form).await;
    assert_eq!(again.location.as_deref(), Some("/officer/users"));
    assert_eq!(invitations_to(&app, "rosa@example.org"), 1);

    // The same form opened afresh is a new submission: renewing is allowed.
    let fresh = invitation_form(&officer, "rosa@example.org").await;
    assert_eq!(send(&officer, &fresh).await.status, 303);
    assert_eq!(invitations_to(&app, "rosa@example.org"), 2);
}

#[tokio::test]
async fn a_refused_form_can_be_corrected_and_sent_with_its_key() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let mut form = invitation_form(&officer, "not an address").await;
    let refused = send(&officer, &form).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("value=\"not an address\""),
        "typing kept"
    );
    // The page that came back carries its own key; even the old one still
    // works, since a refusal wrote nothing and is not kept.
    form[1].1 = "rosa@example.org".into();
    let accepted = send(&officer, &form).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    assert_eq!(invitations_to(&app, "rosa@example.org"), 1);
}

#[tokio::test]
async fn another_browser_cannot_replay_a_key_it_did_not_get() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let form = invitation_form(&officer, "rosa@example.org").await;
    assert_eq!(send(&officer, &form).await.status, 303);
    // A second officer's browser, with its own CSRF token, sending the first
    // browser's key: a submission of its own, not a replay of the first.
    let (other, _) = app.officer("otto@example.org").await;
    let mut theirs = form.clone();
    theirs[3].1 = other.csrf().await;
    theirs[1].1 = "sam@example.org".into();
    assert_eq!(send(&other, &theirs).await.status, 303);
    assert_eq!(invitations_to(&app, "sam@example.org"), 1);
}

/// The CSRF token and the one-time key of the form posting to `action` on
/// `page` (a page holds several forms, each with its own key).
fn form_keys(page: &Page, action: &str) -> (String, String) {
    let form = page
        .body
        .split(&format!("action=\"{action}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("a form posting to {action}: {}", page.body));
    let value = |name: &str| {
        form.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned()
    };
    (value("csrf_token"), value("submission_key"))
}

/// Sends the form three times at once, as a triple click does.
async fn thrice(client: &TestClient, action: &str, page_path: &str, fields: &[(&str, &str)]) {
    let page = client.visit(page_path).await;
    let (token, key) = form_keys(&page, action);
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("csrf_token", &token));
    all.push(("submission_key", &key));
    let (a, b, c) = tokio::join!(
        client.post_raw(action, &all),
        client.post_raw(action, &all),
        client.post_raw(action, &all)
    );
    for answer in [&a, &b, &c] {
        assert_eq!(answer.status, 303, "{action}: {}", answer.body);
        assert_eq!(answer.location, a.location, "the same answer");
    }
}

#[tokio::test]
async fn each_kind_of_dues_form_sent_three_times_at_once_takes_effect_once() {
    use unionhall::db::schema::{dues_rates, ledger_entries};
    let app = TestApp::spawn().await;
    app.config.clock.set_to(
        crate::helpers::day("2026-12-15")
            .and_hms_opt(12, 0, 0)
            .unwrap(),
    );
    let unit = app.sample_roster();
    app.set_rate(
        unit,
        crate::helpers::day("2026-01-01"),
        crate::helpers::SAMPLE_RATE,
    );
    let (officer, _) = app.officer("olive@example.org").await;
    let entries = || -> i64 {
        ledger_entries::table
            .count()
            .get_result(&mut app.db())
            .unwrap()
    };
    thrice(
        &officer,
        "/officer/dues/post",
        "/officer/dues",
        &[("month", "2026-12")],
    )
    .await;
    assert_eq!(entries(), 8, "one posting");
    let unit_s = unit.to_string();
    thrice(
        &officer,
        "/officer/dues/rate",
        "/officer/dues",
        &[
            ("unit", &unit_s),
            ("from", "2027-01-01"),
            ("kind", "percent"),
            ("percent", "1.25"),
            ("min", "50"),
            ("max", "120"),
        ],
    )
    .await;
    let rates: i64 = dues_rates::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(rates, 2, "one new rate");
    let sarah = app.member_id("E1001");
    let member_page = format!("/officer/roster/{sarah}");
    thrice(
        &officer,
        &format!("{member_page}/ledger"),
        &member_page,
        &[
            ("kind", "payment"),
            ("date", "2026-12-10"),
            ("amount", "20.00"),
        ],
    )
    .await;
    assert_eq!(entries(), 9, "one payment");
    let payment = app.latest_ledger_entry(sarah).to_string();
    thrice(
        &officer,
        &format!("{member_page}/reversals"),
        &member_page,
        &[("entry", &payment), ("reversal_reason", "typed twice")],
    )
    .await;
    assert_eq!(entries(), 10, "one reversal");
    thrice(
        &officer,
        "/officer/dues/reversals",
        "/officer/dues",
        &[
            ("reverse_month", "2026-12"),
            ("reversal_reason", "wrong month"),
        ],
    )
    .await;
    assert_eq!(entries(), 18, "one reversal of the posting");
}

#[tokio::test]
async fn two_servers_on_one_database_take_a_form_once() {
    let app = TestApp::spawn().await;
    // A second server with its own pool on the same database, as two
    // processes behind a load balancer are; the claim lives in the database.
    let mut config = app.config.clone();
    config.bind = "127.0.0.1:0".parse().unwrap();
    let second = unionhall::app::Application::build(config)
        .await
        .expect("a second server starts");
    let second_address = format!("http://127.0.0.1:{}", second.port());
    let handle = second.server_handle();
    let task = tokio::spawn(second.run_until_stopped());

    let (officer, _) = app.officer("olive@example.org").await;
    let form = invitation_form(&officer, "rosa@example.org").await;
    // The same browser (its cookies go to both ports) reaches each server.
    let via_second = TestClient {
        http: officer.http.clone(),
        base: second_address,
        forwarded_for: None,
    };
    let (a, b) = tokio::join!(send(&officer, &form), send(&via_second, &form));
    for answer in [&a, &b] {
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location.as_deref(), Some("/officer/users"));
    }
    assert_eq!(invitations_to(&app, "rosa@example.org"), 1, "one mail");
    handle.stop(false).await;
    let _ = task.await;
}
