//! Roster and check-off imports through the officer's pages.

use diesel::prelude::*;
use unionhall::db::schema::{ledger_entries, members};

use crate::helpers::{TestApp, day, sample};

fn count_members(app: &TestApp) -> i64 {
    members::table.count().get_result(&mut app.db()).unwrap()
}

#[tokio::test]
async fn a_roster_upload_is_previewed_and_written_only_when_confirmed() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let preview = officer
        .preview_roster("roster.csv", sample("roster.csv"))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(preview.body.contains("12 people"), "{}", preview.body);
    assert!(preview.body.contains("<strong>12 new</strong>"));
    assert!(
        preview.body.contains("will be created: Guild Staff"),
        "{}",
        preview.body
    );
    assert_eq!(count_members(&app), 0, "a preview writes nothing");
    let confirm = preview.confirm_path();
    let done = officer.post(&confirm, &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location.as_deref(), Some("/officer/roster"));
    assert_eq!(count_members(&app), 12);
    let again = officer.post(&confirm, &[]).await;
    assert_eq!(again.status, 404, "a preview is used once, then is gone");
    assert!(again.body.contains("no longer available"));
    assert!(app.audit_actions().contains(&"roster_import".to_owned()));
}

#[tokio::test]
async fn bad_uploads_are_refused_in_words_and_write_nothing() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let missing = officer
        .preview_roster("short.csv", sample("bad/roster-missing-column.csv"))
        .await;
    assert_eq!(missing.status, 422);
    assert!(
        missing
            .body
            .contains("Line 1: the header lacks the columns department"),
        "{}",
        missing.body
    );
    let binary = officer
        .preview_roster(
            "photo.jpg",
            vec![
                0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0x81,
                0x0a,
            ],
        )
        .await;
    assert_eq!(binary.status, 422);
    assert!(
        binary.body.contains("UTF-8") || binary.body.contains("header lacks"),
        "{}",
        binary.body
    );
    let empty = officer.preview_roster("empty.csv", Vec::new()).await;
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("choose a file to upload"),
        "{}",
        empty.body
    );
    let huge = officer
        .preview_roster("huge.csv", vec![b'x'; 50 * 1024 * 1024])
        .await;
    assert_eq!(huge.status, 422);
    assert!(huge.body.contains("larger than 32 MB"), "{}", huge.body);
    assert_eq!(count_members(&app), 0);
    // An upload without the CSRF token in its address is refused.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sample("roster.csv")).file_name("roster.csv"),
    );
    let response = officer
        .http
        .post(format!("{}/officer/imports/roster", officer.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn rate_check_off_and_reconciliation_through_the_pages() {
    let app = TestApp::spawn().await;
    // Mid-November: October, the sample check-off's month, is last month.
    app.config
        .clock
        .set_to(day("2026-11-16").and_hms_opt(12, 0, 0).unwrap());
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let dues = officer.get("/officer/dues").await;
    let unit_id = dues
        .body
        .split("<option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    let bad = officer
        .post(
            "/officer/dues/rate",
            &[
                ("unit", &unit_id),
                ("from", "2026-01-01"),
                ("kind", "percent"),
                ("percent", "one and a half"),
                ("min", "50"),
                ("max", "20"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("is not a percentage like 1.5"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"one and a half\""), "typing kept");
    let saved = officer
        .post(
            "/officer/dues/rate",
            &[
                ("unit", &unit_id),
                ("from", "2026-01-01"),
                ("kind", "percent"),
                ("percent", "1.5"),
                ("min", "50"),
                ("max", "120"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = officer.get("/officer/dues").await;
    assert!(
        page.body
            .contains("1.50% of base salary, at least $50.00 and at most $120.00 a month"),
        "{}",
        page.body
    );

    // October is charged, then the employer's October file is checked.
    app.post_month(day("2026-10-01"));
    let preview = officer
        .preview_checkoff("checkoff.csv", sample("checkoff.csv"))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("8 deductions, $590.20 in all"),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("Once imported, every deduction matches its charge (8 people)."),
        "{}",
        preview.body
    );
    let done = officer.post(&preview.confirm_path(), &[]).await;
    assert_eq!(done.status, 303);
    let location = done.location.unwrap();
    assert!(
        location.starts_with("/officer/dues/reconciliation?unit="),
        "{location}"
    );
    let reconciliation = officer.get(&location).await;
    assert!(
        reconciliation
            .body
            .contains("<strong>8 matched</strong>, 0 under, 0 over, 0 missing"),
        "{}",
        reconciliation.body
    );
    let entries: i64 = ledger_entries::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(entries, 16, "eight charges and eight deductions");

    let twice = officer
        .preview_checkoff("checkoff.csv", sample("checkoff.csv"))
        .await;
    assert_eq!(twice.status, 422);
    assert!(twice.body.contains("already imported on"), "{}", twice.body);
    let bad_rows = officer
        .preview_checkoff("bad.csv", sample("bad/checkoff-bad-amount.csv"))
        .await;
    assert_eq!(bad_rows.status, 422);
    assert!(
        bad_rows
            .body
            .contains("Line 3: the amount: &#34;eighty&#34;"),
        "{}",
        bad_rows.body
    );

    let posted = officer
        .post("/officer/dues/post", &[("month", "2026-11")])
        .await;
    assert_eq!(posted.status, 303);
    let again = officer
        .post("/officer/dues/post", &[("month", "2026-11")])
        .await;
    assert_eq!(again.status, 303);
    let page = officer.get("/officer/dues").await;
    assert!(page.body.contains("was charged already"), "{}", page.body);
}

#[tokio::test]
async fn members_cannot_reach_the_dues_and_import_pages() {
    let app = TestApp::spawn().await;
    let (member, _) = app.member("mia@example.org").await;
    for path in [
        "/officer/imports",
        "/officer/dues",
        "/officer/dues/reconciliation",
    ] {
        assert_eq!(member.get(path).await.status, 403, "{path}");
    }
    let upload = member
        .preview_roster("roster.csv", sample("roster.csv"))
        .await;
    assert_eq!(upload.status, 403);
    assert_eq!(
        member
            .post("/officer/dues/post", &[("month", "2026-11")])
            .await
            .status,
        403
    );
    assert_eq!(count_members(&app), 0);
}

#[tokio::test]
async fn a_roster_import_can_invite_the_new_people_with_an_email() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    // Sarah already has an account; she is not invited again.
    app.member("sarah.okafor@example.org").await;
    let preview = officer
        .preview_roster("roster.csv", sample("roster.csv"))
        .await;
    let done = officer
        .post(&preview.confirm_path(), &[("invite", "yes")])
        .await;
    assert_eq!(done.status, 303);
    let page = officer.get("/officer/roster").await;
    // Twelve new people: one has no email, one has an account already.
    assert!(page.body.contains("10 invited by email."), "{}", page.body);
    let mails = app
        .smtp
        .wait_for(10, std::time::Duration::from_secs(15))
        .await;
    assert_eq!(mails.len(), 10);
    assert!(app.smtp.to("sarah.okafor@example.org").is_empty());
    let linked: Option<i64> = unionhall::db::schema::users::table
        .filter(unionhall::db::schema::users::email.eq("miguel.santos@example.org"))
        .select(unionhall::db::schema::users::member_id)
        .first(&mut app.db())
        .unwrap();
    assert!(
        linked.is_some(),
        "the invited account is linked to its roster entry"
    );
}

#[tokio::test]
async fn a_roster_that_changes_nothing_offers_nothing_to_import() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let same = officer
        .upload(
            "/officer/imports/roster",
            &[],
            "roster.csv",
            sample("roster.csv"),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert!(same.body.contains("Nothing would change"), "{}", same.body);
    assert!(!same.body.contains("Import the roster"), "{}", same.body);
}

#[tokio::test]
async fn a_cleared_join_date_shows_as_empty_in_the_preview() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let file = String::from_utf8(sample("roster.csv"))
        .unwrap()
        .replace("hybrid,member,2021-04-01", "hybrid,member,");
    let preview = officer
        .upload(
            "/officer/imports/roster",
            &[],
            "roster.csv",
            file.into_bytes(),
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("join_date: 2021-04-01 → (empty)"),
        "{}",
        preview.body
    );
}

#[tokio::test]
async fn past_check_off_imports_are_shown_twenty_a_page() {
    use unionhall::db::schema::{checkoff_imports as ci, units};
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let mut conn = app.db();
    let unit: i64 = units::table.select(units::id).first(&mut conn).unwrap();
    let first = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for n in 0..25_i64 {
        let start = first + chrono::Duration::days(n * 14);
        diesel::insert_into(ci::table)
            .values((
                ci::unit_id.eq(unit),
                ci::period_start.eq(start),
                ci::period_end.eq(start + chrono::Duration::days(13)),
                ci::file_sha256.eq(format!("file-{n}")),
                ci::row_count.eq(1),
                ci::total_cents.eq(100),
                ci::imported_by_label.eq("olive@example.org"),
                ci::imported_at.eq(start.and_hms_opt(12, 0, 0).unwrap()),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let newest = officer.get("/officer/imports").await;
    assert_eq!(newest.status, 200);
    assert_eq!(
        newest
            .body
            .matches("<tr><td data-label=\"Unit\">Guild Staff</td>")
            .count(),
        20
    );
    assert!(
        newest.body.contains("/officer/imports?page=2"),
        "{}",
        newest.body
    );
    assert!(newest.body.contains("Showing 1\u{2013}20 of 25"));
    let older = officer.get("/officer/imports?page=2").await;
    assert_eq!(
        older
            .body
            .matches("<tr><td data-label=\"Unit\">Guild Staff</td>")
            .count(),
        5
    );
    assert!(older.body.contains("2024-01-01 to 2024-01-14"));
    assert!(older.body.contains("/officer/imports?page=1"));
    assert!(older.body.contains("Showing 21\u{2013}25 of 25"));
    let beyond = officer.get("/officer/imports?page=9").await;
    assert_eq!(beyond.status, 200);
    assert!(
        beyond
            .body
            .contains("There is no page 9: the list has 25 on 2 pages.")
    );
    assert!(beyond.body.contains("/officer/imports?page=2#past-imports"));
}

#[tokio::test]
async fn the_check_off_preview_says_who_would_be_under_over_or_missing_before_anything_is_written()
{
    let app = TestApp::spawn().await;
    app.config
        .clock
        .set_to(day("2026-11-16").and_hms_opt(12, 0, 0).unwrap());
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let unit = app.unit_id("Guild Staff");
    app.set_rate(unit, day("2026-01-01"), crate::helpers::SAMPLE_RATE);
    app.post_month(day("2026-10-01"));
    // Sarah short by a dollar, Miguel left out, Terrence (a non-member,
    // not charged) deducted all the same.
    let file = String::from_utf8(sample("checkoff.csv"))
        .unwrap()
        .replace(
            "E1001,2026-10-01,2026-10-31,72.81",
            "E1001,2026-10-01,2026-10-31,71.81",
        )
        .replace("E1002,2026-10-01,2026-10-31,80.00\n", "")
        + "E1007,2026-10-01,2026-10-31,10.00\n";
    let entries_before: i64 = ledger_entries::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    let preview = officer
        .preview_checkoff("checkoff.csv", file.into_bytes())
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let body = &preview.body;
    assert!(
        body.contains("Once imported: 6 matched, <strong>1 under</strong>, <strong>1 over</strong>, <strong>1 missing</strong>"),
        "{body}"
    );
    for (name, charged, deducted, difference, verdict) in [
        ("Okafor, Sarah", "$72.81", "$71.81", "-$1.00", "under"),
        ("Santos, Miguel", "$80.00", "$0.00", "-$80.00", "missing"),
        ("Boyd, Terrence", "$0.00", "$10.00", "$10.00", "over"),
    ] {
        let row = format!("<td data-label=\"Name\">{name}</td>");
        let at = body
            .find(&row)
            .unwrap_or_else(|| panic!("{name} listed in {body}"));
        let line = &body[at..at + body[at..].find("</tr>").unwrap()];
        for cell in [charged, deducted, difference, verdict] {
            assert!(line.contains(cell), "{name}: {cell} in {line}");
        }
    }
    assert!(
        !body.contains(">Raman, Priya</td>"),
        "a match is not listed"
    );
    let entries_after: i64 = ledger_entries::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        entries_before, entries_after,
        "nothing written by a preview"
    );
}
