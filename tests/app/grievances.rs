//! Grievances over HTTP: filing, acts, extensions, who sees what,
//! attachments, reminders and reports.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;
use unionhall::db::schema::{grievance_events, grievances, outbox};
use unionhall::grievances::calendar::DayCount;
use unionhall::jobs::grievance_reminders as reminders;
use unionhall::users::Role;

use crate::helpers::{TestApp, TestClient, day};

/// The sample roster with a three-step procedure in calendar days, so
/// the arithmetic here does not depend on which weekday the test runs.
fn local(app: &TestApp) -> i64 {
    app.grievance_unit(DayCount::Calendar)
}

fn today(app: &TestApp) -> NaiveDate {
    app.config.today()
}

fn ago(app: &TestApp, days: u64) -> String {
    (today(app) - Days::new(days)).to_string()
}

async fn file_as_member(client: &TestClient, incident: &str) -> i64 {
    let answer = client
        .post(
            "/grievances/new",
            &[
                ("incident_date", incident),
                ("articles", "12.3, Art. 7(b)"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours and pay the difference."),
                ("department", "Research"),
                ("supervisor", "Pat Boss"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "filed: {}", answer.body);
    let location = answer.location.unwrap();
    location
        .strip_prefix("/grievances/")
        .unwrap()
        .parse()
        .unwrap()
}

fn event_count(app: &TestApp, id: i64) -> i64 {
    grievance_events::table
        .filter(grievance_events::grievance_id.eq(id))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

fn mail_subjects(app: &TestApp, to: &str) -> Vec<String> {
    outbox::table
        .filter(outbox::recipient.eq(to))
        .order(outbox::id.asc())
        .select(outbox::subject)
        .load(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_late_filing_is_accepted_and_flagged_with_its_days() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    // The limit is 30 calendar days; 45 days on is 15 days late.
    let id = file_as_member(&sarah, &ago(&app, 45)).await;
    let case = sarah.visit(&format!("/grievances/{id}")).await;
    assert_eq!(case.status, 200);
    assert!(
        case.body
            .contains("It is 15 days past the contractual limit"),
        "{}",
        case.body
    );
    assert!(case.body.contains("filed 15 days late"));
    assert!(case.body.contains("Article 12.3, Article 7(b)"));
    // The response is due 10 calendar days after filing.
    let due = (today(&app) + Days::new(10))
        .format("%a %-d %b %Y")
        .to_string();
    assert!(
        case.body.contains(&format!("by <strong>{due}</strong>")),
        "{}",
        case.body
    );
    assert!(case.body.contains("10 calendar days from"));
    // In time: no flag.
    let on_time = file_as_member(&sarah, &ago(&app, 30)).await;
    let case = sarah.visit(&format!("/grievances/{on_time}")).await;
    assert!(!case.body.contains("days late"), "{}", case.body);
    // A continuing violation is never late; unmarking measures it again.
    let answer = chief
        .post(
            &format!("/grievances/{id}/continuing"),
            &[("continuing", "yes")],
        )
        .await;
    assert_eq!(answer.status, 303);
    let case = sarah.visit(&format!("/grievances/{id}")).await;
    assert!(!case.body.contains("days late"));
    assert!(case.body.contains("continuing violation"));
    chief
        .post(
            &format!("/grievances/{id}/continuing"),
            &[("continuing", "no")],
        )
        .await;
    let case = sarah.visit(&format!("/grievances/{id}")).await;
    assert!(case.body.contains("filed 15 days late"));
    // Chief stewards hear of new cases, without their content; a steward
    // who does not carry the case does not hear of it at all.
    assert!(mail_subjects(&app, "steve@example.org").is_empty());
    let subjects = mail_subjects(&app, "chief@example.org");
    assert_eq!(
        subjects,
        [
            format!("{}: new grievance G-{id}", app.config.local_name),
            format!("{}: new grievance G-{on_time}", app.config.local_name),
        ]
    );
    let body: String = outbox::table
        .filter(outbox::recipient.eq("chief@example.org"))
        .select(outbox::body_text)
        .first(&mut app.db())
        .unwrap();
    assert!(!body.contains("hours were cut"), "{body}");
}

#[tokio::test]
async fn bad_input_is_refused_in_words_with_the_typing_kept_and_nothing_saved() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let tomorrow = (today(&app) + Days::new(1)).to_string();
    let answer = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", &tomorrow),
                ("articles", "12, seniority"),
                ("description", "  "),
                ("remedy", "Make me whole & then some"),
                ("department", "Research"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("The incident date cannot be in the future")
    );
    assert!(answer.body.contains(
        "&#34;seniority&#34; is not an article number such as 12, 12.3 or Article 7(b)."
    ));
    assert!(answer.body.contains("Describe what happened."));
    assert!(
        answer.body.contains("Make me whole &#38; then some"),
        "typing kept"
    );
    assert!(
        answer.body.contains("value=\"12, seniority\""),
        "typing kept"
    );
    let count: i64 = grievances::table.count().get_result(&mut app.db()).unwrap();
    assert_eq!(count, 0, "nothing saved");

    // A member whose account is not on the roster cannot file for themself.
    let (stranger, _) = app
        .person("nobody@example.org", &[Role::Member], None)
        .await;
    let answer = stranger
        .post(
            "/grievances/new",
            &[
                ("incident_date", &ago(&app, 3)),
                ("articles", "4"),
                ("description", "x"),
                ("remedy", "y"),
                ("department", "z"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("not linked to a roster entry"));
}

#[tokio::test]
async fn stewards_file_group_grievances_for_members_of_one_unit() {
    let app = TestApp::spawn().await;
    local(&app);
    let (steve, steve_id) = app.steward("steve@example.org").await;
    let fields = |grievants: &'static str, kind: &'static str| {
        vec![
            ("kind", kind),
            ("grievants", grievants),
            ("incident_date", "2026-11-02"),
            ("articles", "Article 30"),
            ("description", "Remote staff lost their stipend."),
            ("remedy", "Restore the stipend."),
            ("department", "Research"),
        ]
    };
    let answer = steve
        .post("/grievances/new", &fields("E1001, E1002", "individual"))
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("An individual grievance names one member")
    );
    let answer = steve
        .post("/grievances/new", &fields("E1001, E9999", "group"))
        .await;
    assert!(
        answer
            .body
            .contains("No one on the roster has employee number E9999.")
    );
    let answer = steve
        .post("/grievances/new", &fields("E1001, E1002", "group"))
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let id: i64 = grievances::table
        .select(grievances::id)
        .first(&mut app.db())
        .unwrap();
    let steward: Option<i64> = grievances::table
        .find(id)
        .select(grievances::steward_id)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(steward, Some(steve_id), "the filing steward carries it");
    // Both grievants see it.
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (miguel, _) = app
        .roster_member("miguel.santos@example.org", "E1002")
        .await;
    for client in [&sarah, &miguel] {
        let page = client.visit(&format!("/grievances/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("Sarah Okafor (E1001); Miguel Santos (E1002)"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn each_role_sees_exactly_what_it_may_of_a_case() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (miguel, _) = app
        .roster_member("miguel.santos@example.org", "E1002")
        .await;
    let (steve, steve_id) = app.steward("steve@example.org").await;
    let (tara, _) = app.steward("tara@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let (officer, _) = app.officer("officer@example.org").await;
    let id = file_as_member(&sarah, &ago(&app, 3)).await;
    let case = format!("/grievances/{id}");

    // Sarah attaches evidence; the chief assigns Steve.
    let answer = sarah
        .upload(
            &format!("{case}/attachments"),
            &[],
            "schedule.pdf",
            b"%PDF-1.7 the schedule".to_vec(),
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let answer = chief
        .post(
            &format!("{case}/assign"),
            &[("steward", &steve_id.to_string())],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        mail_subjects(&app, "steve@example.org")
            .last()
            .map(String::as_str),
        Some(
            format!(
                "{}: you are assigned grievance G-{id}",
                app.config.local_name
            )
            .as_str()
        )
    );
    let answer = steve
        .post(
            &format!("{case}/notes"),
            &[
                ("note_body", "Boss admitted it off the record."),
                ("visibility", "private"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    steve
        .post(
            &format!("{case}/notes"),
            &[
                ("note_body", "Meeting set for Tuesday."),
                ("visibility", "shared"),
            ],
        )
        .await;
    let attachment: i64 = unionhall::db::schema::grievance_attachments::table
        .select(unionhall::db::schema::grievance_attachments::id)
        .first(&mut app.db())
        .unwrap();
    let file = format!("{case}/attachments/{attachment}");

    // The grievant: the case and shared notes, never the private one.
    let page = sarah.visit(&case).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Meeting set for Tuesday."));
    assert!(!page.body.contains("off the record"), "private note leaked");
    assert!(!page.body.contains("Record what happened"), "no act form");
    let download = sarah.get(&file).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, "%PDF-1.7 the schedule");

    // The union side sees everything.
    for client in [&steve, &chief, &officer] {
        let page = client.visit(&case).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("off the record"));
        assert_eq!(client.get(&file).await.status, 200);
    }

    // Another member and an unassigned steward: the same 404 as no case.
    for client in [&miguel, &tara] {
        let missing = client.get("/grievances/999999").await;
        assert_eq!(missing.status, 404);
        let missing_body = missing.body;
        let page = client.get(&case).await;
        assert_eq!(page.status, 404);
        assert_eq!(
            page.body, missing_body,
            "indistinguishable from a missing case"
        );
        assert_eq!(client.get(&file).await.status, 404);
        let answer = client
            .post(&format!("{case}/notes"), &[("note_body", "hello")])
            .await;
        assert_eq!(answer.status, 404);
        let list = client.visit("/grievances").await;
        assert!(
            !list.body.contains(&format!("G-{id}<")),
            "listed to a stranger"
        );
    }
    // An account whose roster link went stale (the entry's email is no
    // longer theirs) is nobody's grievant.
    let (stale, _) = app.roster_member("stale@example.org", "E1001").await;
    assert_eq!(stale.get(&case).await.status, 404);
    // An attachment id under the wrong case is not found either.
    let other = file_as_member(&miguel, &ago(&app, 1)).await;
    assert_eq!(
        miguel
            .get(&format!("/grievances/{other}/attachments/{attachment}"))
            .await
            .status,
        404
    );

    // The grievant cannot act on the case or reach steward or officer pages.
    let answer = sarah
        .post(
            &format!("{case}/acts"),
            &[("act", "withdrawn"), ("act_date", &ago(&app, 0))],
        )
        .await;
    assert_eq!(answer.status, 403);
    for path in [
        "/stewards/board",
        "/stewards/reports",
        "/stewards/reports/grievances.csv",
    ] {
        assert_eq!(sarah.get(path).await.status, 403, "{path}");
    }
    assert_eq!(steve.get("/stewards/reports").await.status, 403);
    assert_eq!(chief.get("/officer/units/1/procedure").await.status, 403);
    // Only a chief steward or officer assigns.
    let answer = steve
        .post(
            &format!("{case}/assign"),
            &[("steward", &steve_id.to_string())],
        )
        .await;
    assert_eq!(answer.status, 403);
}

#[tokio::test]
async fn acts_move_the_case_through_its_steps_and_a_settled_case_stays_settled() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (steve, _) = app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    // Filed 20 days ago, as the steward entered it then.
    let id = file_as_member(&sarah, &ago(&app, 25)).await;
    let case = format!("/grievances/{id}");
    let chief = &chief;
    let act = |act: &'static str, on: String| async move {
        chief
            .post(
                &format!("/grievances/{id}/acts"),
                &[("act", act), ("act_date", &on)],
            )
            .await
    };
    let answer = act("meeting_held", ago(&app, 0)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let answer = act("response_received", ago(&app, 0)).await;
    assert_eq!(answer.status, 303);
    let page = steve.get(&case).await;
    assert_eq!(page.status, 404, "not Steve's case");
    let page = sarah.visit(&case).await;
    assert!(page.body.contains("Appeal to Step 2"), "{}", page.body);
    let answer = act("appealed", ago(&app, 0)).await;
    assert_eq!(answer.status, 303);
    let page = sarah.visit(&case).await;
    assert!(
        page.body.contains("<strong>Step 2</strong>"),
        "the grievant sees the new step"
    );
    assert!(
        page.body.contains("Step 2: management&#39;s response due"),
        "{}",
        page.body
    );
    assert!(
        mail_subjects(&app, "sarah.okafor@example.org")
            .iter()
            .any(|s| s.ends_with(&format!("grievance G-{id}: appealed")))
    );

    // A settlement needs terms; a resolution before the filing is refused.
    let answer = act("settled", ago(&app, 0)).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("A settlement needs its terms."));
    let answer = chief
        .post(
            &format!("{case}/acts"),
            &[
                ("act", "settled"),
                ("act_date", &ago(&app, 30)),
                ("terms", "Hours restored"),
                ("back_pay", "1,250.50"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("The date cannot be before"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("value=\"1,250.50\""), "typing kept");
    let answer = chief
        .post(
            &format!("{case}/acts"),
            &[
                ("act", "settled"),
                ("act_date", &ago(&app, 0)),
                ("terms", "Hours restored"),
                ("back_pay", "1,250.50"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let events = event_count(&app, id);
    let answer = act("appealed", ago(&app, 0)).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("This grievance is closed (settled); it cannot be appealed."),
        "{}",
        answer.body
    );
    assert_eq!(event_count(&app, id), events, "nothing recorded");
    let page = sarah.visit(&case).await;
    assert!(page.body.contains("$1,250.50"));
    assert!(page.body.contains("Hours restored"));
}

#[tokio::test]
async fn an_agreed_extension_moves_the_deadline_and_says_who_agreed() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let id = file_as_member(&sarah, &ago(&app, 2)).await;
    let due = today(&app) + Days::new(10);
    let earlier = (due - Days::new(1)).to_string();
    let answer = chief
        .post(
            &format!("/grievances/{id}/extensions"),
            &[
                ("new_due", &earlier),
                ("agreed_with", "Dana HR"),
                ("agreed_on", &ago(&app, 0)),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("must be after the current deadline"));
    let later = due + Days::new(14);
    let answer = chief
        .post(
            &format!("/grievances/{id}/extensions"),
            &[
                ("new_due", &later.to_string()),
                ("agreed_with", "Dana HR"),
                ("agreed_on", &ago(&app, 0)),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let stored: Option<NaiveDate> = grievances::table
        .find(id)
        .select(grievances::due_on)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(stored, Some(later));
    // A step meeting restarts the count, but not below the agreed date.
    let answer = chief
        .post(
            &format!("/grievances/{id}/acts"),
            &[("act", "meeting_held"), ("act_date", &ago(&app, 0))],
        )
        .await;
    assert_eq!(answer.status, 303);
    let stored: Option<NaiveDate> = grievances::table
        .find(id)
        .select(grievances::due_on)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(stored, Some(later), "the agreed date stands");
    let page = chief.visit(&format!("/grievances/{id}")).await;
    assert!(
        page.body.contains("Extended by agreement with Dana HR"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Deadline extended"));
    assert!(page.body.contains("chief@example.org"), "who recorded it");
}

#[tokio::test]
async fn attachments_over_the_limit_or_of_the_wrong_kind_are_refused() {
    let app = TestApp::spawn_with(|c| c.max_attachment_bytes = 1024).await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let id = file_as_member(&sarah, &ago(&app, 2)).await;
    let path = format!("/grievances/{id}/attachments");
    let answer = sarah
        .upload(
            &path,
            &[],
            "big.pdf",
            [b"%PDF-".to_vec(), vec![b'x'; 2000]].concat(),
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("The file is larger than the limit of 1 KB."),
        "{}",
        answer.body
    );
    let answer = sarah
        .upload(&path, &[], "tool.exe", b"MZ\x90".to_vec())
        .await;
    assert!(answer.body.contains("is not a kind of file this accepts"));
    let answer = sarah
        .upload(&path, &[], "fake.pdf", b"MZ\x90".to_vec())
        .await;
    assert!(answer.body.contains("does not hold what its name says"));
    let count: i64 = unionhall::db::schema::grievance_attachments::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(count, 0);
    let stored = app.config.data_dir.join("attachments");
    let files = std::fs::read_dir(&stored).map(|d| d.count()).unwrap_or(0);
    assert_eq!(files, 0, "nothing left on disk");
}

#[tokio::test]
async fn reminders_go_out_once_at_5_days_and_once_at_1_day_even_when_the_job_runs_twice() {
    let app =
        TestApp::spawn_with(|c| c.reminder_every = std::time::Duration::from_millis(50)).await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (steve, steve_id) = app.steward("steve@example.org").await;
    drop(steve);
    let id = file_as_member(&sarah, &ago(&app, 2)).await;
    {
        let mut conn = app.db();
        diesel::update(grievances::table.find(id))
            .set(grievances::steward_id.eq(steve_id))
            .execute(&mut conn)
            .unwrap();
    }
    let reminders_to_steve = || {
        mail_subjects(&app, "steve@example.org")
            .into_iter()
            .filter(|s| s.contains("deadline"))
            .collect::<Vec<_>>()
    };
    // Due in 10 days: nothing yet.
    let run = || {
        let mut conn = app.db();
        reminders::run_once(
            &mut conn,
            &app.config,
            app.config.today(),
            app.config.clock.now(),
        )
        .unwrap()
    };
    assert_eq!(run(), 0);
    // Five days on, as if two processes ran the job, besides the server's own.
    app.config
        .clock
        .advance(std::time::Duration::from_secs(5 * 86_400));
    let first = run();
    let second = run();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(first + second <= 1);
    assert_eq!(
        reminders_to_steve(),
        [format!(
            "{}: grievance G-{id} deadline in 5 days",
            app.config.local_name
        )]
    );
    // The day before.
    app.config
        .clock
        .advance(std::time::Duration::from_secs(4 * 86_400));
    run();
    run();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        reminders_to_steve(),
        [
            format!(
                "{}: grievance G-{id} deadline in 5 days",
                app.config.local_name
            ),
            format!(
                "{}: grievance G-{id} deadline tomorrow",
                app.config.local_name
            ),
        ]
    );
}

#[tokio::test]
async fn the_reports_count_the_demo_cases() {
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let chief = app.new_client();
    let answer = chief
        .sign_in("chief@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(answer.status, 303);
    let page = chief.visit("/stewards/reports").await;
    assert_eq!(page.status, 200);
    let text = squash(&page.body);
    for expected in [
        "<dt>Open cases</dt><dd>5</dd>",
        "<dt>Resolved cases</dt><dd>4</dd>",
        "<dt>Median days from filing to resolution</dt><dd>30</dd>",
        "<dt>Back pay won</dt><dd>$4,740.00</dd>",
        // By step, in procedure order.
        "<tr><td>Informal</td><td class=\"num\">3</td></tr><tr><td>Step 2</td><td class=\"num\">1</td></tr><tr><td>Arbitration</td><td class=\"num\">1</td></tr>",
        // By article, most first.
        "<tr><td>Article 12.3</td><td class=\"num\">2</td></tr><tr><td>Article 30</td><td class=\"num\">2</td></tr><tr><td>Article 22</td><td class=\"num\">1</td></tr><tr><td>Article 7(b)</td><td class=\"num\">1</td></tr>",
        "<tr><td>Member Services</td><td class=\"num\">2</td></tr>",
        "<tr><td>Denied</td><td class=\"num\">1</td></tr><tr><td>Settled</td><td class=\"num\">1</td></tr><tr><td>Withdrawn</td><td class=\"num\">1</td></tr><tr><td>Won</td><td class=\"num\">1</td></tr>",
    ] {
        assert!(text.contains(expected), "missing {expected} in {text}");
    }
    let csv = chief.get("/stewards/reports/grievances.csv").await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 10, "a header and nine cases");
    assert!(lines[0].starts_with("number,unit,kind,grievants,"));
    let settled = lines
        .iter()
        .find(|l| l.starts_with("G-6,"))
        .expect("the settled case");
    assert!(
        settled.starts_with("G-6,Guild Staff,individual,1,")
            && settled.contains(",Article 12.3,Research,Informal,settled,no,,")
            && settled.ends_with(",30,1240.00"),
        "{settled}"
    );
    // The board: the demo has cases overdue and due soon; Sam sees only his.
    let sam = app.new_client();
    sam.sign_in("steward@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    let board = sam.visit("/stewards/board").await;
    assert_eq!(board.status, 200);
    assert!(board.body.contains("G-1<"), "Sarah's open case is Sam's");
    assert!(
        !board.body.contains("G-4<"),
        "the chief's case is not on Sam's board"
    );
    assert!(!board.body.contains("G-5<"), "unassigned");
    let board = chief.visit("/stewards/board").await;
    assert!(board.body.contains("G-5<") && board.body.contains("Not assigned"));
    assert!(board.body.contains("tag-overdue"), "G-1 is overdue");
}

/// The page with the whitespace between tags removed.
fn squash(html: &str) -> String {
    html.lines().map(str::trim).collect::<Vec<_>>().join("")
}

/// The one-time key of the form on `page` that posts to `action`.
fn key_of_form(page: &crate::helpers::Page, action: &str) -> String {
    let form = page
        .body
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("a form posting to {action}: {}", page.body));
    let rest = &page.body[form..];
    let marker = "name=\"submission_key\" value=\"";
    let start = rest.find(marker).expect("the form carries a one-time key") + marker.len();
    rest[start..].split('"').next().unwrap().to_owned()
}

fn events_of(app: &TestApp, id: i64, act: &str) -> Vec<String> {
    grievance_events::table
        .filter(grievance_events::grievance_id.eq(id))
        .filter(grievance_events::act.eq(act))
        .order(grievance_events::id.asc())
        .select(grievance_events::detail)
        .load(&mut app.db())
        .unwrap()
}

fn mail_about(app: &TestApp, number: &str) -> i64 {
    outbox::table
        .filter(outbox::subject.like(format!("%{number}%")))
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_duplicate_voided_by_the_chief_steward_leaves_every_list_and_is_never_mailed_about_again()
{
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (steve, steve_id) = app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let (officer, _) = app.officer("officer@example.org").await;
    // Sarah files, then files the same grievance again; Steve carries both.
    let first = file_as_member(&sarah, &ago(&app, 3)).await;
    let duplicate = file_as_member(&sarah, &ago(&app, 3)).await;
    for id in [first, duplicate] {
        let answer = chief
            .post(
                &format!("/grievances/{id}/assign"),
                &[("steward", &steve_id.to_string())],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
    }
    let case = format!("/grievances/{duplicate}");
    let void = format!("{case}/void");
    let number = format!("G-{duplicate}");
    let reason = format!("Duplicate of G-{first}");

    // Neither the steward who carries it nor the grievant may void it.
    for client in [&steve, &sarah] {
        let answer = client
            .post(&void, &[("void_reason", &reason), ("void_confirm", "yes")])
            .await;
        assert_eq!(answer.status, 403);
    }
    // A void needs its reason and the box ticked; the typing is kept.
    let answer = chief.post(&void, &[("void_reason", &reason)]).await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains(&format!(
            "Tick the box to confirm that {number} was filed in error."
        )),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(&format!(">{reason}</textarea>")));
    assert!(
        answer.body.contains("<details open>"),
        "the form stays open"
    );
    let answer = chief.post(&void, &[("void_confirm", "yes")]).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("Say why this grievance is void"));
    assert!(events_of(&app, duplicate, "voided").is_empty());

    // The chief sends the form twice, as a double click does, and an
    // officer voids it again from a page opened before.
    let mail_before = mail_about(&app, &number);
    let page = chief.visit(&case).await;
    let key = key_of_form(&page, &void);
    let token = page.value_of("csrf_token").unwrap();
    let fields = [
        ("void_reason", reason.as_str()),
        ("void_confirm", "yes"),
        ("csrf_token", token.as_str()),
        ("submission_key", key.as_str()),
    ];
    let (a, b) = tokio::join!(
        chief.post_raw(&void, &fields),
        chief.post_raw(&void, &fields)
    );
    for answer in [&a, &b] {
        assert_eq!(answer.status, 303, "{}", answer.body);
        assert_eq!(answer.location.as_deref(), Some(case.as_str()));
    }
    assert_eq!(a.set_cookies, b.set_cookies, "the same answer twice");
    let page = chief.visit(&case).await;
    assert!(
        page.body.contains(&format!(
            "{number} voided. It is off the board, every list and report, and nobody will be mailed about it."
        )),
        "{}",
        page.body
    );
    let again = officer
        .post(&void, &[("void_reason", "Twice"), ("void_confirm", "yes")])
        .await;
    assert_eq!(again.status, 303);
    let page = officer.visit(&case).await;
    assert!(
        page.body.contains(&format!(
            "{number} was already voided by chief@example.org; nothing changed."
        )),
        "{}",
        page.body
    );
    assert_eq!(
        events_of(&app, duplicate, "voided"),
        [format!("Voided by chief: {reason}")],
        "voided once"
    );
    let voids = app
        .audit_actions()
        .into_iter()
        .filter(|a| a == "grievance_voided")
        .count();
    assert_eq!(voids, 1, "audited once");

    // The case page still opens for the union side and says it was voided.
    for client in [&chief, &steve, &officer] {
        let page = client.visit(&case).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("Voided: filed in error"),
            "{}",
            page.body
        );
        assert!(page.body.contains(&format!("Voided by chief: {reason}")));
        assert!(page.body.contains("nobody is mailed about it"));
        assert!(!page.body.contains("Record what happened"));
        assert!(!page.body.contains("Next deadline"));
        assert!(!page.body.contains(&format!("action=\"{case}/notes\"")));
    }
    // The grievant no longer finds it; it has left every list and report.
    assert_eq!(sarah.get(&case).await.status, 404);
    let listed = |body: &str, id: i64| body.contains(&format!("G-{id}<"));
    let mine = sarah.visit("/grievances").await;
    assert!(listed(&mine.body, first) && !listed(&mine.body, duplicate));
    let carried = steve.visit("/grievances").await;
    assert!(listed(&carried.body, first) && !listed(&carried.body, duplicate));
    for client in [&steve, &chief] {
        let board = client.visit("/stewards/board").await;
        assert!(listed(&board.body, first), "{}", board.body);
        assert!(!listed(&board.body, duplicate), "{}", board.body);
    }
    let reports = squash(&chief.visit("/stewards/reports").await.body);
    assert!(
        reports.contains("<dt>Open cases</dt><dd>1</dd>"),
        "{reports}"
    );
    assert!(reports.contains("<dt>Resolved cases</dt><dd>0</dd>"));
    let csv = chief.get("/stewards/reports/grievances.csv").await.body;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(!csv.contains(&format!("{number},")));

    // Anything more on it is refused in words, and nothing is written.
    let events = event_count(&app, duplicate);
    let today = app.config.today().to_string();
    let later = (app.config.today() + Days::new(30)).to_string();
    let refused = format!(
        "{number} was voided by chief@example.org ({reason}); nothing more is recorded on it."
    );
    for (path, fields) in [
        (
            "acts",
            vec![("act", "meeting_held"), ("act_date", today.as_str())],
        ),
        (
            "extensions",
            vec![
                ("new_due", later.as_str()),
                ("agreed_with", "Dana HR"),
                ("agreed_on", today.as_str()),
            ],
        ),
        (
            "notes",
            vec![("note_body", "One more thing"), ("visibility", "shared")],
        ),
        ("assign", vec![("steward", "1")]),
        ("continuing", vec![("continuing", "yes")]),
    ] {
        let answer = chief.post(&format!("{case}/{path}"), &fields).await;
        assert_eq!(answer.status, 422, "{path}: {}", answer.body);
        assert!(answer.body.contains(&refused), "{path}: {}", answer.body);
    }
    let answer = chief
        .upload(
            &format!("{case}/attachments"),
            &[],
            "late.pdf",
            b"%PDF-1.7 late".to_vec(),
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains(&refused));
    assert_eq!(event_count(&app, duplicate), events, "nothing recorded");
    assert_eq!(mail_about(&app, &number), mail_before, "nobody mailed");

    // The audit log keeps it.
    let audit = officer.visit("/officer/audit").await;
    assert!(audit.body.contains("grievance_voided"));
    assert!(audit.body.contains(&reason));

    // Five days before the deadline (when sessions have long ended),
    // Steve is reminded of G-1 only.
    app.config
        .clock
        .advance(std::time::Duration::from_secs(5 * 86_400));
    reminders::run_once(
        &mut app.db(),
        &app.config,
        app.config.today(),
        app.config.clock.now(),
    )
    .unwrap();
    let reminded: Vec<String> = mail_subjects(&app, "steve@example.org")
        .into_iter()
        .filter(|s| s.contains("deadline"))
        .collect();
    assert_eq!(
        reminded,
        [format!(
            "{}: grievance G-{first} deadline in 5 days",
            app.config.local_name
        )]
    );
}

#[tokio::test]
async fn a_closed_case_keeps_its_outcome_and_is_not_voided() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let id = file_as_member(&sarah, &ago(&app, 3)).await;
    let answer = chief
        .post(
            &format!("/grievances/{id}/acts"),
            &[("act", "withdrawn"), ("act_date", &ago(&app, 0))],
        )
        .await;
    assert_eq!(answer.status, 303);
    let page = chief.visit(&format!("/grievances/{id}")).await;
    assert!(
        !page.body.contains("/void\""),
        "no void form on a closed case"
    );
    let answer = chief
        .post(
            &format!("/grievances/{id}/void"),
            &[("void_reason", "Oops"), ("void_confirm", "yes")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains(
        "This grievance is closed (withdrawn); a closed case keeps its outcome and cannot be voided."
    ));
    assert!(events_of(&app, id, "voided").is_empty());
    let page = sarah.visit(&format!("/grievances/{id}")).await;
    assert_eq!(page.status, 200, "still the grievant's");
}

/// A server whose clock reads Tue 1 Dec 2026, 09:00 UTC.
async fn on_1_december_2026() -> TestApp {
    let at = day("2026-12-01").and_hms_opt(9, 0, 0).unwrap();
    TestApp::spawn_with(|c| c.clock = unionhall::clock::Clock::starting_at(at)).await
}

/// The procedure form of `grievance_unit`'s three steps as the officer's
/// page sends it, with Step 1's response limit, how limits are counted,
/// the unit's holidays and the roll-forward option.
fn procedure_form(
    response_1: &str,
    count: &str,
    holidays: &str,
    roll_forward: bool,
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for (n, (name, filing, response)) in [
        ("Step 1", "30", response_1),
        ("Step 2", "14", "15"),
        ("Arbitration", "30", "0"),
    ]
    .into_iter()
    .enumerate()
    {
        let n = n + 1;
        fields.push((format!("name_{n}"), name.into()));
        fields.push((format!("filing_{n}"), filing.into()));
        fields.push((format!("response_{n}"), response.into()));
        fields.push((format!("count_{n}"), count.into()));
    }
    fields.push(("arbitration_3".into(), "yes".into()));
    fields.push(("holidays".into(), holidays.into()));
    if roll_forward {
        fields.push(("roll_forward".into(), "yes".into()));
    }
    fields
}

async fn save_procedure(officer: &TestClient, unit: i64, fields: &[(String, String)]) -> String {
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path = format!("/officer/units/{unit}/procedure");
    let answer = officer.post(&path, &fields).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    officer.visit(&path).await.body
}

fn reminder_bodies(app: &TestApp, to: &str) -> Vec<(String, String)> {
    outbox::table
        .filter(outbox::recipient.eq(to))
        .filter(outbox::subject.like("%deadline%"))
        .order(outbox::id.asc())
        .select((outbox::subject, outbox::body_text))
        .load(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn a_new_holiday_moves_open_deadlines_a_day_on_and_the_reminder_follows() {
    let app = on_1_december_2026().await;
    let unit = app.grievance_unit(DayCount::Business);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (miguel, _) = app
        .roster_member("miguel.santos@example.org", "E1002")
        .await;
    let (_, steve_id) = app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    let (officer, _) = app.officer("officer@example.org").await;

    // Tue 1 Dec: each case's response is due in 10 business days, Tue 15 Dec.
    let sarahs = file_as_member(&sarah, "2026-11-20").await;
    let miguels = file_as_member(&miguel, "2026-11-20").await;
    let settled = file_as_member(&sarah, "2026-11-25").await;
    chief
        .post(
            &format!("/grievances/{sarahs}/assign"),
            &[("steward", &steve_id.to_string())],
        )
        .await;
    let page = sarah.visit(&format!("/grievances/{sarahs}")).await;
    assert!(
        page.body.contains("by <strong>Tue 15 Dec 2026</strong>"),
        "{}",
        page.body
    );
    // Management agreed to give Miguel's case until Thu 17 Dec; Sarah's
    // third case is settled.
    let answer = chief
        .post(
            &format!("/grievances/{miguels}/extensions"),
            &[
                ("new_due", "2026-12-17"),
                ("agreed_with", "Dana HR"),
                ("agreed_on", "2026-12-01"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let answer = chief
        .post(
            &format!("/grievances/{settled}/acts"),
            &[
                ("act", "settled"),
                ("act_date", "2026-12-01"),
                ("terms", "Apology"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    // A holiday line the form cannot read saves nothing and moves nothing.
    let path = format!("/officer/units/{unit}/procedure");
    let bad = procedure_form("10", "business", "14/12/2026 Staff day", false);
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let answer = officer.post(&path, &bad).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("does not start with a date"));
    assert!(events_of(&app, sarahs, "deadline_moved").is_empty());

    // The officer adds the unit's staff day, Mon 14 Dec.
    let page = save_procedure(
        &officer,
        unit,
        &procedure_form("10", "business", "2026-12-14 Staff day", false),
    )
    .await;
    assert!(
        page.contains(&format!(
            "Grievance procedure saved. The deadline of G-{sarahs} moved; its timeline says from when to when."
        )),
        "{page}"
    );
    let moved = "Deadline moved from Tue 15 Dec 2026 to Wed 16 Dec 2026: holiday added (Staff day, Mon 14 Dec 2026).";
    assert_eq!(events_of(&app, sarahs, "deadline_moved"), [moved]);
    for client in [&sarah, &chief] {
        let page = client.visit(&format!("/grievances/{sarahs}")).await;
        assert!(
            page.body.contains("by <strong>Wed 16 Dec 2026</strong>"),
            "{}",
            page.body
        );
        assert!(page.body.contains(moved), "on the timeline");
        assert!(page.body.contains(
            "10 business days from Tue 1 Dec 2026 (filed), skipping weekends and Staff day (Mon 14 Dec 2026)"
        ));
    }
    // The agreed date stands, and the settled case has no deadline to move.
    let page = chief.visit(&format!("/grievances/{miguels}")).await;
    assert!(
        page.body.contains("by <strong>Thu 17 Dec 2026</strong>"),
        "{}",
        page.body
    );
    assert!(events_of(&app, miguels, "deadline_moved").is_empty());
    assert!(events_of(&app, settled, "deadline_moved").is_empty());
    let board = chief.visit("/stewards/board").await.body;
    assert!(board.contains("<strong>2026-12-16</strong>"), "{board}");
    assert!(board.contains("<strong>2026-12-17</strong>"));
    assert!(!board.contains("2026-12-15"), "{board}");
    assert!(
        app.audit_actions()
            .contains(&"grievance_procedure".to_owned())
    );

    // Steve is reminded 5 days and 1 day before the new date, Wed 16 Dec.
    let run = |on: &str| {
        reminders::run_once(&mut app.db(), &app.config, day(on), app.config.clock.now()).unwrap()
    };
    for on in [
        "2026-12-10",
        "2026-12-11",
        "2026-12-12",
        "2026-12-14",
        "2026-12-15",
    ] {
        run(on);
    }
    let reminded = reminder_bodies(&app, "steve@example.org");
    let subjects: Vec<&str> = reminded.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!(
                "{}: grievance G-{sarahs} deadline in 5 days",
                app.config.local_name
            ),
            format!(
                "{}: grievance G-{sarahs} deadline tomorrow",
                app.config.local_name
            ),
        ]
    );
    for (_, body) in &reminded {
        assert!(body.contains("by Wed 16 Dec 2026"), "{body}");
        assert!(!body.contains("Tue 15 Dec 2026 ("), "{body}");
    }
}

#[tokio::test]
async fn removing_the_holiday_or_lengthening_a_limit_counts_the_deadline_again() {
    let app = on_1_december_2026().await;
    let unit = app.grievance_unit(DayCount::Business);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (officer, _) = app.officer("officer@example.org").await;
    let id = file_as_member(&sarah, "2026-11-20").await;
    save_procedure(
        &officer,
        unit,
        &procedure_form("10", "business", "2026-12-14 Staff day", false),
    )
    .await;
    // The staff day was a mistake: taken out, the deadline comes back.
    let page = save_procedure(&officer, unit, &procedure_form("10", "business", "", false)).await;
    assert!(page.contains("The deadline of G-1 moved"), "{page}");
    // Then the contract gives management 12 business days.
    save_procedure(&officer, unit, &procedure_form("12", "business", "", false)).await;
    // Saving it again unchanged moves nothing.
    let page = save_procedure(&officer, unit, &procedure_form("12", "business", "", false)).await;
    assert!(
        page.contains("No open case&#39;s deadline moved."),
        "{page}"
    );
    assert_eq!(
        events_of(&app, id, "deadline_moved"),
        [
            "Deadline moved from Tue 15 Dec 2026 to Wed 16 Dec 2026: holiday added (Staff day, Mon 14 Dec 2026).",
            "Deadline moved from Wed 16 Dec 2026 to Tue 15 Dec 2026: holiday removed (Staff day, Mon 14 Dec 2026).",
            "Deadline moved from Tue 15 Dec 2026 to Thu 17 Dec 2026: the procedure's step limits changed.",
        ]
    );
    let page = sarah.visit(&format!("/grievances/{id}")).await;
    assert!(
        page.body.contains("by <strong>Thu 17 Dec 2026</strong>"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("12 business days from Tue 1 Dec 2026 (filed)")
    );
}

#[tokio::test]
async fn under_the_roll_forward_option_a_calendar_deadline_on_a_weekend_moves_to_the_next_business_day()
 {
    let app = on_1_december_2026().await;
    let unit = app.grievance_unit(DayCount::Calendar);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (officer, _) = app.officer("officer@example.org").await;
    // Management has 11 calendar days to answer: from Tue 1 Dec, Sat 12 Dec.
    let page = save_procedure(&officer, unit, &procedure_form("11", "calendar", "", false)).await;
    assert!(
        page.contains("name=\"roll_forward\" value=\"yes\" aria-describedby"),
        "the box starts unticked: {page}"
    );
    assert!(page.contains("a calendar-day deadline that falls on a weekend or holiday <strong>stays where it falls</strong>"));
    assert!(page.contains("Business days</strong> count only weekdays"));
    let id = file_as_member(&sarah, "2026-11-20").await;
    let case = format!("/grievances/{id}");
    let page = sarah.visit(&case).await;
    assert!(
        page.body.contains("by <strong>Sat 12 Dec 2026</strong>"),
        "{}",
        page.body
    );
    // 30 calendar days from Fri 30 Oct end on Sun 29 Nov: a filing on Tue
    // 1 Dec is 2 days late.
    let late = file_as_member(&sarah, "2026-10-30").await;
    let page = sarah.visit(&format!("/grievances/{late}")).await;
    assert!(page.body.contains("filed 2 days late"), "{}", page.body);

    // The officer ticks the contract's option.
    let page = save_procedure(&officer, unit, &procedure_form("11", "calendar", "", true)).await;
    assert!(
        page.contains("name=\"roll_forward\" value=\"yes\" checked"),
        "{page}"
    );
    assert!(page.contains("<strong>moves to the next business day</strong>"));
    assert!(
        page.contains(&format!(
            "The deadlines of 2 open cases moved (G-{id}, G-{late})"
        )),
        "{page}"
    );
    let page = sarah.visit(&case).await;
    assert!(
        page.body.contains("by <strong>Mon 14 Dec 2026</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "11 calendar days from Tue 1 Dec 2026 (filed) end on Sat 12 Dec 2026 (Saturday); the contract moves a deadline on a weekend or holiday to the next business day"
    ));
    // A unit holiday on that Monday moves it once more.
    save_procedure(
        &officer,
        unit,
        &procedure_form("11", "calendar", "2026-12-14 Staff day", true),
    )
    .await;
    let page = sarah.visit(&case).await;
    assert!(
        page.body.contains("by <strong>Tue 15 Dec 2026</strong>"),
        "{}",
        page.body
    );
    // And a case filed now is counted the same way from the start.
    let later = file_as_member(&sarah, "2026-11-20").await;
    let page = sarah.visit(&format!("/grievances/{later}")).await;
    assert!(
        page.body.contains("by <strong>Tue 15 Dec 2026</strong>"),
        "{}",
        page.body
    );
    // The filing limit rolled to Mon 30 Nov: that filing is a day late now.
    let page = sarah.visit(&format!("/grievances/{late}")).await;
    assert!(page.body.contains("filed 1 day late"), "{}", page.body);
    assert!(
        page.body.contains(
            "The filing is now 1 day past the limit (Mon 30 Nov 2026), not 2 days: the contract now moves a deadline on a weekend or holiday to the next business day."
        ),
        "{}",
        page.body
    );
    assert_eq!(
        events_of(&app, id, "deadline_moved"),
        [
            "Deadline moved from Sat 12 Dec 2026 to Mon 14 Dec 2026: the contract now moves a deadline on a weekend or holiday to the next business day.",
            "Deadline moved from Mon 14 Dec 2026 to Tue 15 Dec 2026: holiday added (Staff day, Mon 14 Dec 2026).",
        ]
    );
    // Unticked, the deadline goes back to the Saturday.
    save_procedure(
        &officer,
        unit,
        &procedure_form("11", "calendar", "2026-12-14 Staff day", false),
    )
    .await;
    let page = sarah.visit(&case).await;
    assert!(
        page.body.contains("by <strong>Sat 12 Dec 2026</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "Deadline moved from Tue 15 Dec 2026 to Sat 12 Dec 2026: a deadline on a weekend or holiday no longer moves to the next business day."
    ));
}

/// What was queued to `to`: (subject, text body), oldest first.
fn mail_to(app: &TestApp, to: &str) -> Vec<(String, String)> {
    outbox::table
        .filter(outbox::recipient.eq(to))
        .order(outbox::id.asc())
        .select((outbox::subject, outbox::body_text))
        .load(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn the_grievant_is_mailed_when_the_grievance_is_filed_and_given_a_steward_unless_they_turned_that_off()
 {
    let app = TestApp::spawn().await;
    local(&app);
    let local_name = app.config.local_name.clone();
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (miguel, _) = app
        .roster_member("miguel.santos@example.org", "E1002")
        .await;
    let (steve, steve_id) = app.steward("steve@example.org").await;
    let (_, tara_id) = app.steward("tara@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    // Miguel wants no grievance mail; the page says what that covers.
    let page = miguel.visit("/account/notifications").await;
    assert!(
        page.body
            .contains("A grievance naming you was filed, given a steward")
    );
    let answer = miguel
        .post("/account/notifications", &[("kind", "deadline_reminders")])
        .await;
    assert_eq!(answer.status, 303);
    let page = miguel.visit("/account/notifications").await;
    assert!(
        page.body
            .contains("value=\"grievance_updates\" aria-describedby"),
        "unticked: {}",
        page.body
    );

    // Sarah files for herself and gets her copy, with a link to the case.
    let id = file_as_member(&sarah, &ago(&app, 3)).await;
    let due = (today(&app) + Days::new(10)).format("%a %-d %b %Y");
    let filed_on = today(&app).format("%a %-d %b %Y");
    let mail = mail_to(&app, "sarah.okafor@example.org");
    assert_eq!(mail.len(), 1, "{mail:?}");
    let (subject, body) = &mail[0];
    assert_eq!(
        subject,
        &format!("{local_name}: your grievance G-{id} is filed")
    );
    for line in [
        format!("You filed grievance G-{id} on {filed_on}."),
        "A chief steward will assign a steward to it; you will hear when they do.".to_owned(),
        format!("Next: Step 1: management's response due, by {due}."),
        format!("Open the case: {}", app.url(&format!("/grievances/{id}"))),
    ] {
        assert!(body.contains(&line), "{line:?} in {body}");
    }
    assert!(!body.contains("hours were cut"), "no content in mail");

    // The chief assigns Steve, then hands the case to Tara.
    for steward in [steve_id, tara_id] {
        let answer = chief
            .post(
                &format!("/grievances/{id}/assign"),
                &[("steward", &steward.to_string())],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.body);
    }
    let mail = mail_to(&app, "sarah.okafor@example.org");
    assert_eq!(mail.len(), 3, "{mail:?}");
    assert_eq!(
        mail[1].0,
        format!("{local_name}: your grievance G-{id} has a steward")
    );
    assert!(mail[1].1.contains(&format!(
        "steve is now the steward for your grievance G-{id}."
    )));
    assert!(
        mail[2].1.contains(&format!(
            "tara is now the steward for your grievance G-{id}.\nThey take over from steve."
        )),
        "{}",
        mail[2].1
    );
    assert!(mail[2].1.contains(&app.url(&format!("/grievances/{id}"))));

    // Steve files a group grievance for Sarah and Miguel.
    let answer = steve
        .post(
            "/grievances/new",
            &[
                ("kind", "group"),
                ("grievants", "E1001, E1002"),
                ("incident_date", &ago(&app, 2)),
                ("articles", "30"),
                ("description", "Remote staff lost their stipend."),
                ("remedy", "Restore the stipend."),
                ("department", "Research"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let group = id + 1;
    let mail = mail_to(&app, "sarah.okafor@example.org");
    let (subject, body) = mail.last().unwrap();
    assert_eq!(
        subject,
        &format!("{local_name}: your grievance G-{group} is filed")
    );
    assert!(body.contains(&format!(
        "Grievance G-{group}, naming you, was filed on {filed_on} by steve."
    )));
    assert!(body.contains("Your steward is steve."), "{body}");
    // The chief moves it to Tara; Miguel, who turned it off, hears nothing.
    chief
        .post(
            &format!("/grievances/{group}/assign"),
            &[("steward", &tara_id.to_string())],
        )
        .await;
    assert_eq!(mail_to(&app, "sarah.okafor@example.org").len(), 5);
    assert!(mail_to(&app, "miguel.santos@example.org").is_empty());
    // The chief heard of both new cases, and not as a grievant.
    let subjects = mail_subjects(&app, "chief@example.org");
    assert_eq!(
        subjects,
        [
            format!("{local_name}: new grievance G-{id}"),
            format!("{local_name}: new grievance G-{group}"),
        ]
    );
}

#[tokio::test]
async fn the_same_assignment_or_mark_sent_again_from_an_old_page_changes_and_mails_nothing() {
    let app = TestApp::spawn().await;
    local(&app);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;
    let (_, steve_id) = app.steward("steve@example.org").await;
    let (chief, _) = app.chief_steward("chief@example.org").await;
    // One day past the 30-day limit reads "1 day".
    let answer = sarah
        .post(
            "/grievances/new",
            &[
                ("incident_date", &ago(&app, 31)),
                ("articles", "12.3"),
                ("description", "My hours were cut without notice."),
                ("remedy", "Restore my hours."),
                ("department", "Research"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    let id = 1;
    let case = format!("/grievances/{id}");
    let page = sarah.visit(&case).await;
    assert!(
        page.body
            .contains("It is 1 day past the contractual limit, so it is flagged as late."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Filed 1 day after the limit"));
    assert!(page.body.contains("filed 1 day late"));

    // Two chief stewards' pages, both assigning Steve.
    for _ in 0..2 {
        let answer = chief
            .post(
                &format!("{case}/assign"),
                &[("steward", &steve_id.to_string())],
            )
            .await;
        assert_eq!(answer.status, 303);
    }
    let page = chief.visit(&case).await;
    assert!(
        page.body
            .contains(&format!("steve already carries G-{id}; nothing changed.")),
        "{}",
        page.body
    );
    assert_eq!(events_of(&app, id, "assigned").len(), 1);
    assert_eq!(
        mail_subjects(&app, "steve@example.org")
            .iter()
            .filter(|s| s.contains("you are assigned"))
            .count(),
        1
    );
    assert_eq!(
        mail_subjects(&app, "sarah.okafor@example.org")
            .iter()
            .filter(|s| s.contains("has a steward"))
            .count(),
        1
    );
    // The continuing-violation mark, sent twice.
    for _ in 0..2 {
        chief
            .post(&format!("{case}/continuing"), &[("continuing", "yes")])
            .await;
    }
    let page = chief.visit(&case).await;
    assert!(
        page.body
            .contains("It is marked as a continuing violation already; nothing changed.")
    );
    assert_eq!(events_of(&app, id, "continuing_violation").len(), 1);
}

#[tokio::test]
async fn a_steward_finds_the_member_by_name_and_files_for_them() {
    let app = TestApp::spawn().await;
    app.import_roster(&crate::helpers::sample("roster.csv"));
    let (steward, _) = app.steward("steve@example.org").await;

    let page = steward.visit("/grievances/new?who=okafor").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(
            "File for Okafor, Sarah</a> <span class=\"muted\">(E1001, Guild Staff, Research)"
        ),
        "{}",
        page.body
    );
    let both = steward.visit("/grievances/new?who=SA").await;
    assert!(both.body.contains("Okafor, Sarah") && both.body.contains("Santos, Miguel"));
    let one = steward.visit("/grievances/new?who=sarah+okafor").await;
    assert!(one.body.contains("Okafor, Sarah") && !one.body.contains("Santos, Miguel"));
    let none = steward.visit("/grievances/new?who=100%25").await;
    assert!(
        none.body.contains("Nobody on the roster is called “100%”."),
        "a % is a letter, not a wildcard: {}",
        none.body
    );

    // Picking her fills the grievants and her department; a second pick adds.
    let picked = steward.visit("/grievances/new?grievants=E1001").await;
    for field in [
        "grievants\" type=\"text\" value=\"E1001\"",
        "department\" type=\"text\" value=\"Research\"",
    ] {
        assert!(
            picked.body.contains(&format!("name=\"{field}")),
            "{field} in {}",
            picked.body
        );
    }
    let more = steward
        .visit("/grievances/new?grievants=E1001&who=santos")
        .await;
    assert!(
        more.body
            .contains("href=\"/grievances/new?grievants=E1001%2C+E1002\">Add Santos, Miguel</a>"),
        "{}",
        more.body
    );

    // A member sees no search: they file for themselves.
    let (member, _) = app
        .roster_member("dana.whitfield@example.org", "E1004")
        .await;
    let own = member.visit("/grievances/new?who=okafor").await;
    assert_eq!(own.status, 200);
    assert!(!own.body.contains("Okafor, Sarah"), "{}", own.body);
}
