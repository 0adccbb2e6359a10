//! Dues: rates, charges, check-off imports, reconciliation and standing,
//! on the suite's database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

use chrono::Datelike;
use diesel::prelude::*;
use unionhall::audit::Actor;
use unionhall::db::schema::{ledger_entries, members, units};
use unionhall::db::write_tx;
use unionhall::dues::checkoff::{self, Refusal};
use unionhall::dues::{ledger, owed};
use unionhall::money::Cents;

use crate::helpers::{SAMPLE_RATE, TestApp, day, sample};

/// The sample roster, with the sample rate from January.
fn sample_local(app: &TestApp) -> i64 {
    let unit = app.sample_roster();
    app.set_rate(unit, day("2026-01-01"), SAMPLE_RATE);
    unit
}

fn ledger_count(app: &TestApp) -> i64 {
    ledger_entries::table
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

fn import(app: &TestApp, bytes: &[u8]) -> Result<i64, Refusal> {
    let now = app.config.clock.now();
    let mut conn = app.db();
    let checked = checkoff::check(&mut conn, "Guild Staff", bytes).unwrap()?;
    Ok(write_tx(&mut conn, |c| {
        checkoff::commit(c, &checked, &Actor::command_line(), now)
    })
    .unwrap())
}

#[tokio::test]
async fn the_sample_roster_and_rate_expect_exactly_the_sample_check_off() {
    let app = TestApp::spawn().await;
    let unit = sample_local(&app);
    app.post_month(day("2026-10-01"));
    import(&app, &sample("checkoff.csv")).unwrap();
    let lines = ledger::reconcile(&mut app.db(), unit, day("2026-10-01")).unwrap();
    assert_eq!(lines.len(), 8, "the unit's members");
    for line in &lines {
        assert_eq!(line.verdict(), "matched", "{line:?}");
        assert_eq!(line.expected, line.deducted);
    }
    let sarah = lines.iter().find(|l| l.employee_number == "E1001").unwrap();
    assert_eq!(sarah.expected, Cents(7281));
}

#[tokio::test]
async fn the_same_file_or_period_twice_is_refused_and_counted_once() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    import(&app, &sample("checkoff.csv")).unwrap();
    let after_first = ledger_count(&app);
    match import(&app, &sample("checkoff.csv")) {
        Err(Refusal::AlreadyImported(message)) => {
            assert!(message.contains("already imported on"), "{message}");
            assert!(message.contains("by command line"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Another file for the same period (one cent different) is refused too.
    let other = String::from_utf8(sample("checkoff.csv"))
        .unwrap()
        .replace("72.81", "72.80");
    match import(&app, other.as_bytes()) {
        Err(Refusal::AlreadyImported(message)) => {
            assert!(message.contains("2026-10-01 to 2026-10-31"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(ledger_count(&app), after_first);
}

#[tokio::test]
async fn every_bad_sample_is_refused_by_line_and_writes_nothing() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    let cases = [
        (
            "bad/checkoff-bad-amount.csv",
            vec![
                (3, "\"eighty\" is not an amount"),
                (4, "more than two decimals"),
            ],
        ),
        (
            "bad/checkoff-duplicate-row.csv",
            vec![(4, "repeated (first on line 2)")],
        ),
        (
            "bad/checkoff-unknown-employee.csv",
            vec![(3, "E9999 is not on the roster")],
        ),
    ];
    for (file, expected) in cases {
        match import(&app, &sample(file)) {
            Err(Refusal::Lines(errors)) => {
                assert_eq!(errors.len(), expected.len(), "{file}: {errors:?}");
                for ((line, words), error) in expected.iter().zip(&errors) {
                    assert_eq!(error.line, *line, "{file}");
                    assert!(error.message.contains(words), "{file}: {}", error.message);
                }
            }
            other => panic!("{file}: expected a refusal, got {other:?}"),
        }
    }
    let reversed =
        "employee_number,period_start,period_end,amount\nE1001,2026-11-30,2026-11-01,72.81\n";
    match import(&app, reversed.as_bytes()) {
        Err(Refusal::Lines(errors)) => assert!(
            errors[0]
                .message
                .contains("ends (2026-11-01) before it starts"),
            "{errors:?}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A member of another unit.
    let other_unit =
        "employee_number,period_start,period_end,amount\nE2001,2026-11-01,2026-11-30,50.00\n";
    let roster_units: Vec<String> = units::table
        .select(units::name)
        .load(&mut app.db())
        .unwrap();
    assert!(
        roster_units.len() > 1,
        "the sample has two units: {roster_units:?}"
    );
    if let Ok(Some(number)) = members::table
        .inner_join(units::table)
        .filter(units::name.ne("Guild Staff"))
        .select(members::employee_number)
        .first::<String>(&mut app.db())
        .optional()
    {
        let file = other_unit.replace("E2001", &number);
        match import(&app, file.as_bytes()) {
            Err(Refusal::Lines(errors)) => {
                assert!(errors[0].message.contains("in another unit"), "{errors:?}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
    assert_eq!(ledger_count(&app), 0);
}

#[tokio::test]
async fn a_bad_row_near_the_end_of_a_100000_row_file_writes_nothing() {
    let app = TestApp::spawn().await;
    let unit = sample_local(&app);
    let class: i64 = unionhall::db::schema::classifications::table
        .filter(unionhall::db::schema::classifications::unit_id.eq(unit))
        .select(unionhall::db::schema::classifications::id)
        .first(&mut app.db())
        .unwrap();
    let now = app.config.clock.now();
    let mut conn = app.db();
    for chunk_start in (0..100_000).step_by(2_000) {
        let rows: Vec<_> = (chunk_start..chunk_start + 2_000)
            .map(|i| {
                (
                    members::employee_number.eq(format!("G{i:06}")),
                    members::first_name.eq("Gen"),
                    members::last_name.eq(format!("Erated{i}")),
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
        match &mut *conn {
            unionhall::db::DbConnection::Postgres(c) => {
                diesel::insert_into(members::table).values(&rows).execute(c)
            }
            unionhall::db::DbConnection::Sqlite(c) => {
                diesel::insert_into(members::table).values(&rows).execute(c)
            }
        }
        .unwrap();
    }
    drop(conn);
    let mut file = String::from("employee_number,period_start,period_end,amount\n");
    for i in 0..100_000 {
        // File line i + 2; line 99,999 is row 99,997.
        let amount = if i == 99_997 { "75.OO" } else { "75.00" };
        file.push_str(&format!("G{i:06},2026-11-01,2026-11-30,{amount}\n"));
    }
    match import(&app, file.as_bytes()) {
        Err(Refusal::Lines(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].line, 99_999);
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(ledger_count(&app), 0);
    // Fixed, the whole file goes in at once.
    let fixed = file.replace("75.OO", "75.00");
    import(&app, fixed.as_bytes()).unwrap();
    assert_eq!(ledger_count(&app), 100_000);
}

#[tokio::test]
async fn posting_a_month_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    let first = app.post_month(day("2026-10-01"));
    let second = app.post_month(day("2026-10-01"));
    assert!(first > 0);
    assert_eq!(second, 0);
    assert_eq!(ledger_count(&app), i64::try_from(first).unwrap());
}

#[tokio::test]
async fn standing_flips_when_the_third_unpaid_month_falls_due() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    for month in ["2026-08-01", "2026-09-01", "2026-10-01"] {
        app.post_month(day(month));
    }
    let sarah = app.member_id("E1001");
    let mut conn = app.db();
    let on = |conn: &mut unionhall::db::DbConnection, d: &str| {
        owed::member_on(conn, sarah, day(d)).unwrap().0
    };
    // A month's dues fall due at its end plus the unit's ten days' grace.
    let posted = on(&mut conn, "2026-08-01");
    assert_eq!(posted.owed.owed, Cents(0), "charged, not yet due");
    assert_eq!(posted.owed.upcoming, Cents(3 * 7281), "all three upcoming");
    assert!(on(&mut conn, "2026-09-10").standing.good);
    assert_eq!(on(&mut conn, "2026-09-11").standing.months_behind, 1);
    assert!(
        on(&mut conn, "2026-11-10").standing.good,
        "two months owed is within the allowance"
    );
    let flipped = on(&mut conn, "2026-11-11");
    assert!(
        !flipped.standing.good,
        "October falling due unpaid takes her out of good standing"
    );
    assert_eq!(flipped.standing.months_behind, 3);
    assert_eq!(flipped.owed.owed, Cents(3 * 7281));
    // The October check-off, dated the 31st, pays October.
    drop(conn);
    import(&app, &sample("checkoff.csv")).unwrap();
    let mut conn = app.db();
    let paid = on(&mut conn, "2026-11-11");
    assert!(paid.standing.good);
    assert_eq!(paid.standing.months_behind, 2);
}

#[tokio::test]
async fn officers_search_the_roster_and_add_ledger_entries() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let all = officer.get("/officer/roster").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("12 people."), "{}", all.body);
    let found = officer.get("/officer/roster?q=okafor").await;
    assert!(found.body.contains("1 person."), "{}", found.body);
    let by_number = officer.get("/officer/roster?q=E1004").await;
    assert!(by_number.body.contains("Whitfield, Dana"));
    let resigned = officer.get("/officer/roster?status=resigned").await;
    assert!(!resigned.body.contains("Okafor"));

    let sarah = app.member_id("E1001");
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(page.body.contains("$58,250.00"), "{}", page.body);
    assert!(page.body.contains("Good standing"));

    let refused = officer
        .post(
            &format!("/officer/roster/{sarah}/ledger"),
            &[
                ("kind", "adjustment"),
                ("date", "2026-11-01"),
                ("amount", "-15.00"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("an adjustment needs a reason"));
    assert!(refused.body.contains("value=\"-15.00\""), "typing kept");
    assert_eq!(ledger_count(&app), 0, "nothing saved");
    let bad = officer
        .post(
            &format!("/officer/roster/{sarah}/ledger"),
            &[
                ("kind", "payment"),
                ("date", "2026-11-01"),
                ("amount", "12.345"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("more than two decimals"));

    let paid = officer
        .post(
            &format!("/officer/roster/{sarah}/ledger"),
            &[
                ("kind", "payment"),
                ("date", "2026-11-01"),
                ("amount", "72.81"),
            ],
        )
        .await;
    assert_eq!(paid.status, 303, "{}", paid.body);
    let page = officer.get(&format!("/officer/roster/{sarah}")).await;
    assert!(
        page.body.contains("-$72.81"),
        "a payment lowers what is owed: {}",
        page.body
    );
    assert!(app.audit_actions().contains(&"ledger_entry".to_owned()));
}

#[tokio::test]
async fn a_member_sees_only_their_own_statement() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    app.post_month(day("2026-10-01"));
    let (sarah, _) = app.member("sarah.okafor@example.org").await;
    let own = sarah.get("/dues").await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains("E1001"), "{}", own.body);
    assert!(own.body.contains("$72.81"));
    assert!(!own.body.contains("E1002"));
    let miguel = app.member_id("E1002");
    for path in [
        "/officer/roster".to_owned(),
        format!("/officer/roster/{miguel}"),
    ] {
        assert_eq!(sarah.get(&path).await.status, 403, "{path}");
    }
    let posted = sarah
        .post(
            &format!("/officer/roster/{miguel}/ledger"),
            &[
                ("kind", "payment"),
                ("date", "2026-11-01"),
                ("amount", "1.00"),
            ],
        )
        .await;
    assert_eq!(posted.status, 403);

    // Someone with no roster entry is told so, not shown anyone's.
    let (stranger, _) = app.member("nobody@example.org").await;
    let page = stranger.get("/dues").await;
    assert!(page.body.contains("not linked to an entry on the roster"));
}

#[tokio::test]
async fn officers_add_and_edit_roster_entries_with_every_change_audited() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    let form = officer.get("/officer/roster/new").await;
    assert_eq!(form.status, 200);
    let bad = officer
        .post(
            "/officer/roster/new",
            &[
                ("employee_number", "E1001"),
                ("first_name", "Ana"),
                ("last_name", ""),
                ("unit", "Guild Staff"),
                ("classification", "Organizer"),
                ("department", "Org"),
                ("hire_date", "2026-02-30"),
                ("annual_salary", "fifty"),
                ("work_arrangement", "hybrid"),
                ("status", "member"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for message in [
        "The last name is empty.",
        "The hire date \"2026-02-30\" is not a date",
        "The annual salary",
    ] {
        assert!(
            bad.body.contains(&message.replace('"', "&#34;")),
            "{message}: {}",
            bad.body
        );
    }
    assert!(bad.body.contains("value=\"Ana\""), "typing kept");
    let taken = officer
        .post(
            "/officer/roster/new",
            &[
                ("employee_number", "E1001"),
                ("first_name", "Ana"),
                ("last_name", "Pérez"),
                ("unit", "Guild Staff"),
                ("classification", "Organizer"),
                ("department", "Org"),
                ("hire_date", "2026-02-02"),
                ("annual_salary", "55000"),
                ("work_arrangement", "hybrid"),
                ("status", "member"),
            ],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("E1001 is already on the roster"));
    let added = officer
        .post(
            "/officer/roster/new",
            &[
                ("employee_number", "E7001"),
                ("first_name", "Ana"),
                ("last_name", "Pérez"),
                ("unit", "Guild Staff"),
                ("classification", "Field Organizer"),
                ("department", "Org"),
                ("hire_date", "2026-02-02"),
                ("annual_salary", "55000"),
                ("work_arrangement", "hybrid"),
                ("status", "member"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let id = app.member_id("E7001");
    let edit = officer.get(&format!("/officer/roster/{id}/edit")).await;
    assert!(edit.body.contains("value=\"$55,000.00\""), "{}", edit.body);
    let saved = officer
        .post(
            &format!("/officer/roster/{id}/edit"),
            &[
                ("employee_number", "HACKED"),
                ("first_name", "Ana"),
                ("last_name", "Pérez"),
                ("unit", "Guild Staff"),
                ("classification", "Field Organizer"),
                ("department", "Organizing"),
                ("hire_date", "2026-02-02"),
                ("annual_salary", "57,500.00"),
                ("work_arrangement", "hybrid"),
                ("status", "member"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    let number: String = members::table
        .find(id)
        .select(members::employee_number)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(number, "E7001", "the employee number is not edited");
    let audit = officer.get("/officer/audit?action=roster_edit").await;
    assert!(
        audit
            .body
            .contains("annual_salary: &#34;$55,000.00&#34; -&#62; &#34;$57,500.00&#34;"),
        "{}",
        audit.body
    );
    assert!(
        audit
            .body
            .contains("department: &#34;Org&#34; -&#62; &#34;Organizing&#34;")
    );
    assert!(app.audit_actions().contains(&"roster_add".to_owned()));

    // The export neutralises cells that would run as formulas.
    diesel::update(members::table.find(id))
        .set(members::first_name.eq("=HYPERLINK(\"http://x\")"))
        .execute(&mut app.db())
        .unwrap();
    let csv = officer.get("/officer/roster/export.csv").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("employee_number,first_name,last_name,email,unit"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("E1001,Sarah,Okafor,sarah.okafor@example.org,Guild Staff,Research Analyst,Research,2021-03-15,58250.00,hybrid,member,2021-04-01"));
    let (member, _) = app.member("mia@example.org").await;
    assert_eq!(member.get("/officer/roster/export.csv").await.status, 403);
    assert_eq!(member.get("/officer/roster/new").await.status, 403);
    assert_eq!(
        member
            .get(&format!("/officer/roster/{id}/edit"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn officers_manage_units_and_classifications() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let bad = officer
        .post(
            "/officer/units",
            &[
                ("name", ""),
                ("employer", "Guild"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2025-06-30"),
                ("allowance", "many"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("Enter the unit&#39;s name."),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("The contract ends before it starts."));
    assert!(bad.body.contains("Enter a whole number of months"));
    assert!(bad.body.contains("value=\"Guild\""), "typing kept");
    let made = officer
        .post(
            "/officer/units",
            &[
                ("name", "Guild Staff"),
                ("employer", "The Guild"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2029-06-30"),
                ("allowance", "2"),
                ("grace_days", "10"),
                ("classification", "Organizer"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let unit: i64 = units::table.select(units::id).first(&mut app.db()).unwrap();
    let edited = officer
        .post(
            &format!("/officer/units/{unit}"),
            &[
                ("name", "Guild Staff"),
                ("employer", "The Guild"),
                ("contract_start", "2026-07-01"),
                ("contract_end", "2029-06-30"),
                ("allowance", "3"),
                ("grace_days", "12"),
                ("classification", "Researcher"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303);
    let page = officer.get("/officer/units").await;
    assert!(page.body.contains("3 months of dues"), "{}", page.body);
    assert!(
        page.body
            .contains("12 days after the month they are deducted in"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Organizer, Researcher"));
    let duplicate = officer
        .post(
            "/officer/units",
            &[
                ("name", "Guild Staff"),
                ("allowance", "2"),
                ("grace_days", "10"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert!(
        duplicate
            .body
            .contains("Another unit already has that name.")
    );
    assert!(app.audit_actions().contains(&"unit_edit".to_owned()));
    let (member, _) = app.member("mia@example.org").await;
    assert_eq!(member.get("/officer/units").await.status, 403);
}

#[tokio::test]
async fn arrears_notices_go_out_at_most_once_a_month() {
    let app = TestApp::spawn().await;
    let unit = sample_local(&app);
    // The 15th: last month's dues fell due on the 10th, this month's not yet.
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).unwrap();
    app.config
        .clock
        .set_to(first.with_day(15).unwrap().and_hms_opt(12, 0, 0).unwrap());
    for back in [3u32, 2, 1, 0] {
        app.post_month(first.checked_sub_months(chrono::Months::new(back)).unwrap());
    }
    // Priya turned arrears notices off.
    let (priya, _) = app.member("priya.raman@example.org").await;
    priya
        .post("/account/notifications", &[("kind", "grievance_updates")])
        .await;
    let (officer, _) = app.officer("olive@example.org").await;
    let page = officer
        .get(&format!("/officer/dues/reconciliation?unit={unit}"))
        .await;
    assert!(
        page.body.contains("Email an arrears notice"),
        "{}",
        page.body
    );
    let sent = officer
        .post(
            "/officer/dues/arrears-notices",
            &[("unit", &unit.to_string())],
        )
        .await;
    assert_eq!(sent.status, 303);
    let flash = officer.get(sent.location.as_deref().unwrap()).await;
    assert!(
        flash.body.contains("who turned these notices off"),
        "{}",
        flash.body
    );
    // Eight members owe three months past due: Alma has no email, Priya
    // said no. This month's charge is upcoming, not owed.
    let expected = "Sent 6 arrears notices. Skipped: 0 whose deduction for the latest month due \
        is in the check-off, 0 already notified this month, 1 without an email address, \
        1 who turned these notices off.";
    assert!(flash.body.contains(expected), "{}", flash.body);
    let mails = app
        .smtp
        .wait_for(6, std::time::Duration::from_secs(15))
        .await;
    assert_eq!(mails.len(), 6);
    assert!(app.smtp.to("priya.raman@example.org").is_empty());
    let sarah = app.smtp.to("sarah.okafor@example.org");
    assert_eq!(sarah.len(), 1);
    assert!(
        sarah[0]
            .header("Subject")
            .unwrap()
            .contains("3 months behind")
    );

    let again = officer
        .post(
            "/officer/dues/arrears-notices",
            &[("unit", &unit.to_string())],
        )
        .await;
    let flash = officer.get(again.location.as_deref().unwrap()).await;
    assert!(
        flash.body.contains("Sent 0 arrears notices"),
        "{}",
        flash.body
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.smtp.to("sarah.okafor@example.org").len(),
        1,
        "not twice in a month"
    );
}

#[tokio::test]
async fn a_shared_email_links_nobody_rather_than_the_wrong_person() {
    let app = TestApp::spawn().await;
    sample_local(&app);
    diesel::update(members::table.filter(members::employee_number.eq("E1002")))
        .set(members::email.eq("sarah.okafor@example.org"))
        .execute(&mut app.db())
        .unwrap();
    let (sarah, _) = app.member("sarah.okafor@example.org").await;
    let page = sarah.get("/dues").await;
    assert!(
        page.body.contains("not linked to an entry on the roster"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("E1002") && !page.body.contains("E1001"));
}
