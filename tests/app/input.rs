//! What people type and upload, at its edges: long text in any alphabet,
//! invisible characters pasted from elsewhere, and files with cells no
//! roster should hold. Each is refused in words or kept whole, the same on
//! SQLite and PostgreSQL.

use diesel::prelude::*;
use unionhall::db::schema::{grievance_notes, grievances, members, units};

use crate::helpers::{SAMPLE_UNIT, TestApp, TestClient, sample};

async fn a_case(app: &TestApp) -> (TestClient, String) {
    app.grievance_unit(unionhall::grievances::calendar::DayCount::Calendar);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let incident = (app.config.today() - chrono::Days::new(2)).to_string();
    let filed = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", incident.as_str()),
                ("articles", "12.3"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours."),
                ("department", "Research"),
            ],
        )
        .await;
    assert_eq!(filed.status, 303, "filed: {}", filed.body);
    (sarah, filed.location.unwrap())
}

fn notes_kept(app: &TestApp) -> Vec<String> {
    grievance_notes::table
        .order(grievance_notes::id.asc())
        .select(grievance_notes::body)
        .load(&mut app.db())
        .unwrap()
}

fn grievance_count(app: &TestApp) -> i64 {
    grievances::table.count().get_result(&mut app.db()).unwrap()
}

#[tokio::test]
async fn a_note_of_twenty_thousand_accented_letters_is_saved_whole() {
    let app = TestApp::spawn().await;
    let (sarah, case) = a_case(&app).await;
    // 40 KB of UTF-8, 120 KB as the browser sends it.
    let note = "ñ".repeat(20_000);
    let saved = sarah
        .post(&format!("{case}/notes"), &[("note_body", &note)])
        .await;
    assert_eq!(
        saved.status,
        303,
        "saved: {}",
        &saved.body[..saved.body.len().min(2000)]
    );
    assert_eq!(notes_kept(&app), vec![note]);
}

#[tokio::test]
async fn a_note_over_its_limit_is_refused_in_words_with_the_text_kept() {
    let app = TestApp::spawn().await;
    let (sarah, case) = a_case(&app).await;
    let note = format!("{}ü", "Long story. ".repeat(1_667));
    assert_eq!(note.chars().count(), 20_005);
    let refused = sarah
        .post(&format!("{case}/notes"), &[("note_body", &note)])
        .await;
    assert_eq!(
        refused.status,
        422,
        "{}",
        &refused.body[..refused.body.len().min(2000)]
    );
    assert!(
        refused
            .body
            .contains("Use at most 20,000 characters; this has 20,005."),
        "the limit is said in characters"
    );
    assert!(
        refused.body.contains(note.trim()),
        "what was typed is in the form again"
    );
    assert!(notes_kept(&app).is_empty(), "nothing saved");
}

#[tokio::test]
async fn a_grievance_with_long_accounts_in_any_alphabet_is_filed() {
    let app = TestApp::spawn().await;
    app.grievance_unit(unionhall::grievances::calendar::DayCount::Calendar);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let incident = (app.config.today() - chrono::Days::new(2)).to_string();
    let description = "日本語の説明。".repeat(2_857);
    let remedy = "€".repeat(20_000);
    let filed = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", incident.as_str()),
                ("articles", "12.3"),
                ("description", &description),
                ("remedy", &remedy),
                ("department", "Research"),
            ],
        )
        .await;
    assert_eq!(
        filed.status,
        303,
        "filed: {}",
        &filed.body[..filed.body.len().min(2000)]
    );
    let (kept_description, kept_remedy): (String, String) = grievances::table
        .select((grievances::description, grievances::remedy))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(kept_description, description);
    assert_eq!(kept_remedy, remedy);
}

#[tokio::test]
async fn a_body_no_text_within_the_limits_could_make_is_answered_with_a_page_in_words() {
    let app = TestApp::spawn().await;
    let (sarah, case) = a_case(&app).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let refused = sarah
        .post(&format!("{case}/notes"), &[("note_body", &huge)])
        .await;
    assert_eq!(refused.status, 413);
    assert!(
        refused.body.contains("<h1>Too long to read</h1>"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains(
            "This form takes a note of up to 20,000 characters, and what was sent is far longer, so it was not read and nothing was saved."
        ),
        "{}",
        refused.body
    );
    assert!(notes_kept(&app).is_empty());
}

#[tokio::test]
async fn a_nul_byte_in_a_note_or_a_grievance_is_refused_in_words_with_the_text_kept() {
    let app = TestApp::spawn().await;
    let (sarah, case) = a_case(&app).await;
    let refused = sarah
        .post(
            &format!("{case}/notes"),
            &[("note_body", "Pasted\0 from a PDF")],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("A NUL byte (U+0000) at character 7 cannot be stored; remove it"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(" from a PDF"), "typing kept");
    assert!(notes_kept(&app).is_empty(), "nothing saved");

    // Line breaks and tabs belong in a note.
    let saved = sarah
        .post(
            &format!("{case}/notes"),
            &[("note_body", "Met HR.\r\n\tThey said no.")],
        )
        .await;
    assert_eq!(saved.status, 303);

    let incident = (app.config.today() - chrono::Days::new(2)).to_string();
    let refused = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", incident.as_str()),
                ("articles", "12.3"),
                ("description", "Hours cut\u{1}."),
                ("remedy", "Restore them."),
                ("department", "Research\0"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("The control character U+0001 at character 10 cannot be stored; remove it")
    );
    assert!(
        refused
            .body
            .contains("A NUL byte (U+0000) at character 9 cannot be stored")
    );
    assert_eq!(grievance_count(&app), 1, "only the first case");
}

#[tokio::test]
async fn a_control_character_in_any_other_form_or_search_is_refused_in_words() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let refused = officer
        .post("/officer/units", &[("name", "Night\0 Shift")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "Nothing was saved: the field \u{201c}name\u{201d} holds a NUL byte (U+0000) at character 6, which cannot be stored."
        ),
        "{}",
        refused.body
    );
    let count: i64 = units::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(count, 0);

    let search = officer.get("/officer/roster?q=Sm%00ith").await;
    assert_eq!(search.status, 400, "{}", search.body);
    assert!(
        search.body.contains("This address cannot be read"),
        "{}",
        search.body
    );
    assert!(search.body.contains("holds a NUL byte"), "{}", search.body);
    assert!(!search.body.contains("saved"), "{}", search.body);
}

fn roster_with(line: &str) -> Vec<u8> {
    let mut file = String::from_utf8(sample("roster.csv")).unwrap();
    file.push_str(line);
    file.push('\n');
    file.into_bytes()
}

fn member_count(app: &TestApp) -> i64 {
    members::table.count().get_result(&mut app.db()).unwrap()
}

#[tokio::test]
async fn a_roster_file_with_a_nul_byte_is_refused_at_the_preview_naming_the_line() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let file = roster_with(
        "E2001,Ana\0,Perez,ana.perez@example.org,Guild Staff,Organizer,Organizing,2020-01-01,50000.00,hybrid,member,",
    );
    let preview = officer.preview_roster("roster.csv", file).await;
    assert_eq!(preview.status, 422, "{}", preview.body);
    assert!(
        preview.body.contains(
            "Line 14: the first name holds a NUL byte (U+0000) at character 4, which cannot be stored"
        ),
        "{}",
        preview.body
    );
    assert_eq!(member_count(&app), 0, "nothing written");
}

#[tokio::test]
async fn a_roster_file_with_a_ten_megabyte_first_name_is_refused_at_the_preview_by_line() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let name = "A".repeat(10 * 1024 * 1024);
    let file = roster_with(&format!(
        "E2001,{name},Perez,,Guild Staff,Organizer,Organizing,2020-01-01,50000.00,{},member,",
        "hybrid".repeat(500)
    ));
    let preview = officer.preview_roster("roster.csv", file).await;
    assert_eq!(preview.status, 422);
    assert!(
        preview.body.contains(
            "Line 14: the first name is longer than 100 characters (it has 10,485,760); the work arrangement is longer than 40 characters (it has 3,000)"
        ),
        "{}",
        &preview.body[..preview.body.len().min(3000)]
    );
    assert!(
        preview.body.len() < 100_000,
        "the refusal does not repeat the cell back"
    );
    assert_eq!(member_count(&app), 0, "nothing written");

    // Every column has its limit, the last name too.
    let long_last = roster_with(&format!(
        "E2001,Ana,{},,Guild Staff,Organizer,Organizing,2020-01-01,50000.00,hybrid,member,",
        "é".repeat(101)
    ));
    let preview = officer.preview_roster("roster.csv", long_last).await;
    assert!(
        preview
            .body
            .contains("Line 14: the last name is longer than 100 characters (it has 101)"),
        "{}",
        preview.body
    );
}

#[tokio::test]
async fn a_check_off_file_with_a_nul_byte_or_an_overlong_cell_is_refused_by_line() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    officer.import_sample_roster().await;
    let file = format!(
        "employee_number,period_start,period_end,amount\nE1001\0,2026-10-01,2026-10-31,72.81\nE1002,2026-10-01,2026-10-31,{}\n",
        "8".repeat(1_000)
    );
    let preview = officer
        .preview_checkoff("checkoff.csv", file.into_bytes())
        .await;
    assert_eq!(preview.status, 422, "{}", preview.body);
    assert!(
        preview.body.contains(
            "Line 2: the employee number holds a NUL byte (U+0000) at character 6, which cannot be stored"
        ),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("Line 3: the amount is longer than 40 characters (it has 1,000)"),
        "{}",
        preview.body
    );
    let unit_refused = officer
        .upload(
            "/officer/imports/checkoff",
            &[("unit", &format!("{SAMPLE_UNIT}\0"))],
            "checkoff.csv",
            sample("checkoff.csv"),
        )
        .await;
    assert_eq!(unit_refused.status, 422, "{}", unit_refused.body);
    assert!(
        unit_refused.body.contains("the unit holds a NUL byte"),
        "{}",
        unit_refused.body
    );
}

/// A check-off cell: anything, or close to what its column expects.
fn checkoff_cell() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        any::<String>(),
        Just("E1001".to_owned()),
        "E100[0-9]",
        Just("2026-10-01".to_owned()),
        Just("2026-10-31".to_owned()),
        "-?[0-9]{0,6}(\\.[0-9]{0,3})?",
        "[0-9]{0,3}".prop_map(|s| s.repeat(30)),
    ]
}

#[tokio::test]
async fn any_check_off_file_is_checked_or_refused_by_line_in_words() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use unionhall::dues::checkoff;

    let app = TestApp::spawn().await;
    app.sample_roster();
    let conn = std::cell::RefCell::new(app.db());
    let rows = proptest::collection::vec(proptest::collection::vec(checkoff_cell(), 0..6), 0..5);
    let files = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        rows.prop_map(|rows| {
            let mut file = checkoff::COLUMNS.join(",");
            for row in rows {
                file.push('\n');
                file.push_str(&row.join(","));
            }
            file.into_bytes()
        }),
    ];
    let mut runner = TestRunner::new(Config::with_cases(200));
    let outcome = runner.run(&files, |bytes| {
        // On either backend, no file makes the check fail in the database.
        let checked = checkoff::check(&mut conn.borrow_mut(), SAMPLE_UNIT, &bytes)
            .map_err(|e| TestCaseError::fail(format!("the database failed: {e}")))?;
        match checked {
            Ok(file) => prop_assert!(!file.rows.is_empty()),
            Err(checkoff::Refusal::Lines(errors)) => {
                prop_assert!(!errors.is_empty());
                for error in errors {
                    prop_assert!(
                        error.line >= 1 || error.message.starts_with("the file"),
                        "no line: {error:?}"
                    );
                    prop_assert!(
                        error.message.chars().filter(|c| c.is_alphabetic()).count() >= 8,
                        "{error:?}"
                    );
                    prop_assert!(!error.message.chars().any(char::is_control), "{error:?}");
                    prop_assert!(error.message.len() < 2_000, "{error:?}");
                }
            }
            Err(other) => prop_assert!(!other.to_string().is_empty()),
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
