//! Dues as of a date, and mistakes taken back: a month as a local lives
//! it. A charge is dated the 1st and falls due at the month's end plus the
//! unit's grace; the employer's deduction comes dated the 31st. Nobody is
//! behind for a month before it falls due, a posting too far ahead is
//! refused, and a mistaken entry, posting or import is reversed, not
//! erased.

use chrono::NaiveDate;
use diesel::prelude::*;
use unionhall::db::schema::{audit_log, checkoff_imports, ledger_entries, members};
use unionhall::db::write_tx;

use crate::helpers::{SAMPLE_RATE, TestApp, TestClient, day, sample};

/// The sample roster at the sample rate, on a clock set to noon on `on`.
fn local_on(app: &TestApp, on: &str) -> i64 {
    app.config
        .clock
        .set_to(day(on).and_hms_opt(12, 0, 0).unwrap());
    let unit = app.sample_roster();
    app.set_rate(unit, day("2026-01-01"), SAMPLE_RATE);
    unit
}

/// The sample check-off file, for the month starting `first` instead of
/// October 2026.
fn checkoff_for(first: NaiveDate) -> Vec<u8> {
    let last = unionhall::dues::ledger::next_month(first)
        .pred_opt()
        .unwrap();
    String::from_utf8(sample("checkoff.csv"))
        .unwrap()
        .replace("2026-10-01", &first.to_string())
        .replace("2026-10-31", &last.to_string())
        .into_bytes()
}

async fn import_checkoff(officer: &TestClient, file: Vec<u8>) {
    let preview = officer.preview_checkoff("checkoff.csv", file).await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let done = officer.post(&preview.confirm_path(), &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
}

async fn press_arrears_button(officer: &TestClient, unit: i64) -> String {
    let sent = officer
        .post(
            "/officer/dues/arrears-notices",
            &[("unit", &unit.to_string())],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    officer.get(sent.location.as_deref().unwrap()).await.body
}

fn ledger_count(app: &TestApp) -> i64 {
    ledger_entries::table
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn december_charged_and_deducted_mails_no_arrears_notice() {
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    let posted = officer
        .post("/officer/dues/post", &[("month", "2026-12")])
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    import_checkoff(&officer, checkoff_for(day("2026-12-01"))).await;

    // Mid-December: December is charged and deducted, and not due yet.
    let flash = press_arrears_button(&officer, unit).await;
    assert!(flash.contains("Sent 0 arrears notices"), "{flash}");
    let page = officer
        .get(&format!(
            "/officer/dues/reconciliation?unit={unit}&month=2026-12"
        ))
        .await;
    assert!(page.body.contains("8 matched"), "{}", page.body);
    assert!(
        !page.body.contains("Email an arrears notice"),
        "nobody is on the arrears list: {}",
        page.body
    );

    // Sarah's page: nothing owed on the 15th, nothing upcoming either (the
    // deduction dated the 31st cancels the charge).
    let sarah = app.member_id("E1001");
    let her = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        her.body
            .contains("Owed as of Tue 15 Dec 2026</dt><dd>$0.00"),
        "{}",
        her.body
    );
    assert!(her.body.contains("(upcoming)"), "{}", her.body);
    assert!(
        !her.body.contains("in credit"),
        "the deduction pays the charge when it falls due, not before: {}",
        her.body
    );

    // In January, after December's grace, still nobody is behind.
    app.config
        .clock
        .set_to(day("2027-01-12").and_hms_opt(12, 0, 0).unwrap());
    // Her session has long expired: the treasurer signs in anew.
    let (officer, _) = app.officer("oscar@example.org").await;
    let flash = press_arrears_button(&officer, unit).await;
    assert!(flash.contains("Sent 0 arrears notices"), "{flash}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.smtp.received().is_empty(), "no mail at all");
}

#[tokio::test]
async fn a_charge_not_yet_due_is_upcoming_and_owed_once_its_grace_is_over() {
    let app = TestApp::spawn().await;
    local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    officer
        .post("/officer/dues/post", &[("month", "2026-12")])
        .await;
    let sarah = app.member_id("E1001");
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        page.body
            .contains("Owed as of Tue 15 Dec 2026</dt><dd>$0.00"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Upcoming, not yet due</dt><dd>$72.81"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("2027-01-11"),
        "counts from the day after the grace"
    );

    // No deduction came: on 11 January December is owed.
    app.config
        .clock
        .set_to(day("2027-01-11").and_hms_opt(12, 0, 0).unwrap());
    let (officer, _) = app.officer("oscar@example.org").await;
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        page.body
            .contains("Owed as of Mon 11 Jan 2027</dt><dd>$72.81"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Upcoming, not yet due"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("(1 month of dues owed)"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn posting_further_than_next_month_is_refused_in_words() {
    let app = TestApp::spawn().await;
    local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    let far = officer
        .post("/officer/dues/post", &[("month", "2030-01")])
        .await;
    assert_eq!(far.status, 422);
    assert!(
        far.body.contains(
            "2030-01 is too far ahead: months can be posted from 2026-11 to 2027-01, the next one."
        ),
        "{}",
        far.body
    );
    assert!(far.body.contains("value=\"2030-01\""), "typing kept");
    assert_eq!(ledger_count(&app), 0, "nothing written");
    let next = officer
        .post("/officer/dues/post", &[("month", "2027-01")])
        .await;
    assert_eq!(next.status, 303);
    assert_eq!(ledger_count(&app), 8);
}

#[tokio::test]
async fn a_mistaken_payment_is_reversed_and_stays_on_the_ledger() {
    let app = TestApp::spawn().await;
    local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    let sarah = app.member_id("E1001");
    let path = format!("/officer/roster/{sarah}");
    officer
        .post(
            &format!("{path}/ledger"),
            &[
                ("kind", "payment"),
                ("date", "2026-12-10"),
                ("amount", "50.00"),
            ],
        )
        .await;
    let entry: i64 = ledger_entries::table
        .filter(ledger_entries::member_id.eq(sarah))
        .select(ledger_entries::id)
        .first(&mut app.db())
        .unwrap();
    let page = officer.get(&path).await;
    assert!(page.body.contains("$50.00 in credit"), "{}", page.body);

    // No reason: refused beside the field, the choice kept.
    let bad = officer
        .post(
            &format!("{path}/reversals"),
            &[("entry", &entry.to_string()), ("reversal_reason", " ")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Say why it is reversed."), "{}", bad.body);
    assert!(
        bad.body
            .contains(&format!("<option value=\"{entry}\" selected>")),
        "{}",
        bad.body
    );
    assert_eq!(ledger_count(&app), 1);

    let done = officer
        .post(
            &format!("{path}/reversals"),
            &[
                ("entry", &entry.to_string()),
                ("reversal_reason", "Posted to the wrong person"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = officer.get(&path).await;
    assert!(
        page.body
            .contains("Owed as of Tue 15 Dec 2026</dt><dd>$0.00"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<strong>Reversed</strong> on 2026-12-15: Posted to the wrong person"),
        "the original stays, marked: {}",
        page.body
    );
    assert!(page.body.contains("Reverses the entry of 2026-12-10"));
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("ledger_reversal"))
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(audited, 1);

    // Once reversed, it cannot be reversed again.
    let again = officer
        .post(
            &format!("{path}/reversals"),
            &[("entry", &entry.to_string()), ("reversal_reason", "again")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("That entry has been reversed already."),
        "{}",
        again.body
    );
    assert_eq!(ledger_count(&app), 2);

    // Someone else's entry is not on this ledger.
    let other = app.member_id("E1002");
    let elsewhere = officer
        .post(
            &format!("/officer/roster/{other}/reversals"),
            &[("entry", &entry.to_string()), ("reversal_reason", "x")],
        )
        .await;
    assert_eq!(elsewhere.status, 404);
}

#[tokio::test]
async fn a_mistaken_posting_is_reversed_as_one_act_and_posted_again() {
    let app = TestApp::spawn().await;
    local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    officer
        .post("/officer/dues/post", &[("month", "2027-01")])
        .await;
    assert_eq!(ledger_count(&app), 8);
    let done = officer
        .post(
            "/officer/dues/reversals",
            &[
                ("reverse_month", "2027-01"),
                ("reversal_reason", "January posted instead of December"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let flash = officer.get("/officer/dues").await;
    assert!(
        flash
            .body
            .contains("Reversed the 8 charges posted for 2027-01."),
        "{}",
        flash.body
    );
    let sarah = app.member_id("E1001");
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        !page.body.contains("Upcoming, not yet due"),
        "{}",
        page.body
    );

    // Nothing is left to reverse; the month can be posted again.
    let twice = officer
        .post(
            "/officer/dues/reversals",
            &[("reverse_month", "2027-01"), ("reversal_reason", "again")],
        )
        .await;
    assert_eq!(twice.status, 422);
    assert!(
        twice
            .body
            .contains("No charges for 2027-01 are left to reverse.")
    );
    let reposted = officer
        .post("/officer/dues/post", &[("month", "2027-01")])
        .await;
    assert_eq!(reposted.status, 303);
    assert_eq!(ledger_count(&app), 24, "8 charges, 8 reversals, 8 again");
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        page.body.contains("Upcoming, not yet due</dt><dd>$72.81"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_mistaken_check_off_import_is_reversed_as_one_act() {
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-11-20");
    let (officer, _) = app.officer("olive@example.org").await;
    app.post_month(day("2026-10-01"));
    import_checkoff(&officer, sample("checkoff.csv")).await;
    let imports = officer.get("/officer/imports").await;
    assert!(
        imports.body.contains("Reverse a mistaken check-off import"),
        "{}",
        imports.body
    );
    let import: i64 = checkoff_imports::table
        .select(checkoff_imports::id)
        .first(&mut app.db())
        .unwrap();
    let import = import.to_string();
    let done = officer
        .post(
            "/officer/imports/checkoff/reversals",
            &[
                ("import", &import),
                ("reversal_reason", "The employer sent a draft file"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = officer.get("/officer/imports").await;
    assert!(
        page.body.contains("Reversed the import&#39;s 8 deductions"),
        "{}",
        page.body
    );
    assert!(page.body.contains("The employer sent a draft file"));
    let reconciliation = officer
        .get(&format!(
            "/officer/dues/reconciliation?unit={unit}&month=2026-10"
        ))
        .await;
    assert!(
        reconciliation
            .body
            .contains("0 matched</strong>, 0 under, 0 over, 8 missing"),
        "{}",
        reconciliation.body
    );
    let again = officer
        .post(
            "/officer/imports/checkoff/reversals",
            &[("import", &import), ("reversal_reason", "again")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(
        ledger_count(&app),
        24,
        "8 charges, 8 deductions, 8 reversals"
    );
}

#[tokio::test]
async fn reconciliation_expects_what_was_charged_not_todays_salary() {
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-11-20");
    let (officer, _) = app.officer("olive@example.org").await;
    app.post_month(day("2026-10-01"));
    import_checkoff(&officer, sample("checkoff.csv")).await;
    // After the posting Sarah gets a raise and a new member joins.
    diesel::update(members::table.filter(members::employee_number.eq("E1001")))
        .set(members::annual_salary_cents.eq(9_000_000))
        .execute(&mut app.db())
        .unwrap();
    let added = String::from_utf8(sample("roster.csv")).unwrap();
    let sarah_line = added.lines().find(|l| l.starts_with("E1001")).unwrap();
    let newcomer = sarah_line
        .replacen("E1001", "E1999", 1)
        .replace("sarah.okafor@", "newcomer@");
    app.import_roster(format!("{added}{newcomer}\n").as_bytes());
    let page = officer
        .get(&format!(
            "/officer/dues/reconciliation?unit={unit}&month=2026-10"
        ))
        .await;
    assert!(
        page.body
            .contains("<strong>8 matched</strong>, 0 under, 0 over, 0 missing"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_roll_reads_status_and_join_date_as_of_the_cut_off() {
    use unionhall::elections::store;
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-12-01");
    // A week after the cut-off of the 15th: Sarah went on leave, and a
    // newcomer who joined on the 20th is added.
    app.config
        .clock
        .set_to(day("2026-12-22").and_hms_opt(12, 0, 0).unwrap());
    let roster = String::from_utf8(sample("roster.csv")).unwrap();
    let sarah_line = roster.lines().find(|l| l.starts_with("E1001")).unwrap();
    let newcomer = sarah_line
        .replacen("E1001", "E1999", 1)
        .replace("sarah.okafor@", "newcomer@")
        .replace("2021-04-01", "2026-12-20");
    let changed = roster.replace(sarah_line, &sarah_line.replace(",member,", ",on-leave,"));
    app.import_roster(format!("{changed}{newcomer}\n").as_bytes());

    let now = app.config.clock.now();
    let election = write_tx(&mut app.db(), |c| {
        store::create(
            c,
            &store::ElectionDraft {
                unit_id: unit,
                title: "Strike authorization".into(),
                description: String::new(),
                opens_at: now + chrono::Duration::days(4),
                closes_at: now + chrono::Duration::days(5),
                cutoff: day("2026-12-15"),
                questions: vec![],
            },
            now,
        )
    })
    .unwrap();
    app.name_trustees(election);
    write_tx(&mut app.db(), |c| store::publish(c, election, now)).unwrap();
    let on_roll = |number: &str| {
        let member = app.member_id(number);
        store::on_roll(&mut app.db(), election, member).unwrap()
    };
    assert!(on_roll("E1001"), "a member on the cut-off, on leave since");
    assert!(!on_roll("E1999"), "joined after the cut-off");
    assert!(on_roll("E1002"), "a member throughout");

    // Sarah's page keeps both records, each from its day.
    let (officer, _) = app.officer("olive@example.org").await;
    let sarah = app.member_id("E1001");
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        page.body.contains(
            "<td data-label=\"From\">on the first roster</td><td data-label=\"Status\">member</td>"
        ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(
            "<td data-label=\"From\">Tue 22 Dec 2026</td><td data-label=\"Status\">on-leave</td>"
        ),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_dues_increase_is_refused_without_its_ballot() {
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    let rate = |percent| officer.post_percent_rate(unit, "2027-01-01", (percent, "50", "120"), "");
    let count = || -> i64 {
        unionhall::db::schema::dues_rates::table
            .count()
            .get_result(&mut app.db())
            .unwrap()
    };
    let raised = rate("1.75").await;
    assert_eq!(raised.status, 422);
    assert!(
        raised
            .body
            .contains("only a secret ballot of members in good standing"),
        "{}",
        raised.body
    );
    assert!(raised.body.contains("value=\"1.75\""), "typing kept");
    assert_eq!(count(), 1, "nothing saved");
    assert_eq!(rate("1.25").await.status, 303, "a lower rate needs no vote");
    assert_eq!(count(), 2);
}

#[test]
fn the_command_line_refuses_a_dues_increase_too() {
    let dir = tempfile::tempdir().unwrap();
    let roster = crate::helpers::sample_path("roster.csv");
    let run = |args: &[&str]| crate::roster::run(args, dir.path());
    assert!(run(&["import", "roster", &roster, "--commit"]).0);
    let rate = |from: &str, bp: &str| {
        run(&[
            "dues",
            "rate",
            "--unit",
            "Guild Staff",
            "--from",
            from,
            "--basis-points",
            bp,
            "--min",
            "50",
            "--max",
            "120",
        ])
    };
    let (ok, _, err) = rate("2026-01-01", "150");
    assert!(ok, "the first rate needs no vote: {err}");
    let (ok, _, err) = rate("2027-01-01", "175");
    assert!(!ok);
    assert!(err.contains("only a secret ballot"), "{err}");
    let (ok, _, err) = rate("2027-01-01", "125");
    assert!(ok, "{err}");
}

#[tokio::test]
async fn no_back_door_raises_dues_or_rewrites_old_months() {
    use unionhall::dues::rules::Status;
    let app = TestApp::spawn().await;
    let unit = local_on(&app, "2026-12-15");
    let (officer, _) = app.officer("olive@example.org").await;
    // Replacing the first rate on its own day, or setting one before it.
    for from in ["2026-01-01", "2025-01-01"] {
        let raised = officer
            .post_percent_rate(unit, from, ("10", "0", "1000"), "")
            .await;
        assert_eq!(raised.status, 422, "from {from}");
        assert!(
            raised.body.contains("only a secret ballot"),
            "{}",
            raised.body
        );
    }
    // A lower rate set in front of a later, higher one would make that one
    // a raise nobody voted for.
    let set = |from, percent| officer.post_percent_rate(unit, from, (percent, "50", "120"), "");
    assert_eq!(set("2027-03-01", "1.5").await.status, 303, "equal");
    let in_front = set("2027-02-01", "1.25").await;
    assert_eq!(in_front.status, 422);
    assert!(
        in_front
            .body
            .contains("The rate from 2027-03-01 is higher than this one"),
        "{}",
        in_front.body
    );
    // Old months cannot be charged; last month can.
    let old = officer
        .post("/officer/dues/post", &[("month", "2025-01")])
        .await;
    assert_eq!(old.status, 422);
    assert!(
        old.body
            .contains("2025-01 has passed: months can be posted from 2026-11 to 2027-01."),
        "{}",
        old.body
    );
    assert_eq!(ledger_count(&app), 0);
    // Who is charged is read from the history on the month's last day:
    // Miguel resigned on the 10th of December.
    app.set_status("E1002", Status::Resigned, day("2026-12-10"));
    let december = officer
        .post("/officer/dues/post", &[("month", "2026-12")])
        .await;
    assert_eq!(december.status, 303);
    assert_eq!(ledger_count(&app), 7, "the other seven members");
    let november = officer
        .post("/officer/dues/post", &[("month", "2026-11")])
        .await;
    assert_eq!(november.status, 303);
    assert_eq!(
        ledger_count(&app),
        15,
        "Miguel was a member through November"
    );

    // A status change is dated today or earlier, and not before one kept.
    let sarah = app.member_id("E1001");
    let edit = |status: &'static str, from: &'static str| {
        let officer = &officer;
        async move {
            officer
                .post(
                    &format!("/officer/roster/{sarah}/edit"),
                    &[
                        ("first_name", "Sarah"),
                        ("last_name", "Okafor"),
                        ("email", "sarah.okafor@example.org"),
                        ("unit", "Guild Staff"),
                        ("classification", "Research Analyst"),
                        ("department", "Research"),
                        ("hire_date", "2021-03-15"),
                        ("annual_salary", "58250.00"),
                        ("work_arrangement", "hybrid"),
                        ("status", status),
                        ("join_date", "2021-04-01"),
                        ("status_from", from),
                    ],
                )
                .await
        }
    };
    let ahead = edit("on-leave", "2027-06-01").await;
    assert_eq!(ahead.status, 422);
    assert!(
        ahead.body.contains("enter today or an earlier day"),
        "{}",
        ahead.body
    );
    assert_eq!(edit("on-leave", "2026-12-01").await.status, 303);
    let earlier = edit("member", "2026-11-01").await;
    assert_eq!(earlier.status, 422);
    assert!(
        earlier
            .body
            .contains("A change from 2026-12-01 is already kept"),
        "{}",
        earlier.body
    );
}
