//! The roll in the open: during the challenge window the unit sees every
//! entry by name and classification (nothing else), challenges one by
//! picking it, and recomputes the fingerprint from the downloaded list as
//! the page says; the officer exports it; and a member left off is told
//! why, as of the cut-off.

use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use unionhall::db::schema::{members, roll_challenges};
use unionhall::db::write_tx;
use unionhall::elections::store::{self, ElectionDraft};

use crate::helpers::{ROSTER_HEADER, SAMPLE_RATE, TestApp, TestClient, day, sample};
use crate::morning::strike_question;

/// Friday 20 Nov 2026, noon: the sample roster and Rosa, who joined on
/// the 18th; dues charged for August to October (October's fell due on
/// the 10th); Sarah and Priya paid on the 1st. A vote drawn on a cut-off
/// of Sunday the 15th is published, opening in four days. Returns it.
fn local_with_a_published_vote(app: &TestApp) -> i64 {
    app.config
        .clock
        .set_to(day("2026-11-20").and_hms_opt(12, 0, 0).unwrap());
    let roster = String::from_utf8(sample("roster.csv")).unwrap();
    assert!(roster.starts_with(ROSTER_HEADER));
    let rosa = "E1011,Rosa,Diaz,rosa.diaz@example.org,Guild Staff,Organizer,Organizing,2026-11-02,60000.00,on-site,member,2026-11-18\n";
    app.import_roster(format!("{roster}{rosa}").as_bytes());
    let unit = app.unit_id("Guild Staff");
    app.set_rate(unit, day("2026-01-01"), SAMPLE_RATE);
    for month in ["2026-08-01", "2026-09-01", "2026-10-01"] {
        app.post_month(day(month));
    }
    let now = app.config.clock.now();
    write_tx(&mut app.db(), |c| {
        store::create(
            c,
            &ElectionDraft {
                unit_id: unit,
                title: "Strike authorization".into(),
                description: String::new(),
                opens_at: now + Duration::days(4),
                closes_at: now + Duration::days(5),
                cutoff: day("2026-11-15"),
                questions: vec![strike_question()],
            },
            now,
        )
    })
    .unwrap()
}

async fn pay(officer: &TestClient, app: &TestApp, number: &str, on: &str, amount: &str) {
    let id = app.member_id(number);
    let answer = officer
        .post(
            &format!("/officer/roster/{id}/ledger"),
            &[("kind", "payment"), ("date", on), ("amount", amount)],
        )
        .await;
    assert_eq!(answer.status, 303, "payment saved: {}", answer.body);
}

/// The fingerprint as the roll's page says to recompute it from the list:
/// a line per entry (name, tab, classification, newline), sorted by bytes,
/// hashed with SHA-256, in lowercase hex.
fn recompute(list: &str) -> String {
    let mut lines: Vec<String> = list
        .lines()
        .map(|line| {
            let (name, classification) = line.split_once('\t').expect("name TAB classification");
            format!("{name}\t{classification}\n")
        })
        .collect();
    lines.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    hex::encode(Sha256::digest(lines.concat().as_bytes()))
}

/// The text of the code element after `label` on a page.
fn code_after(body: &str, label: &str) -> String {
    let at = body
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {body}"));
    let rest = &body[at..];
    let start = rest.find("<code class=\"fingerprint\">").unwrap() + 26;
    rest[start..].split('<').next().unwrap().to_owned()
}

fn challenges(app: &TestApp) -> i64 {
    roll_challenges::table
        .count()
        .get_result(&mut app.db())
        .unwrap()
}

#[tokio::test]
async fn the_unit_sees_the_roll_by_name_challenges_an_entry_and_recomputes_the_fingerprint() {
    let app = TestApp::spawn().await;
    let id = local_with_a_published_vote(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    pay(&officer, &app, "E1001", "2026-11-01", "300.00").await;
    pay(&officer, &app, "E1003", "2026-11-01", "300.00").await;
    app.publish_with_key(id);
    let (sarah, _) = app.roster_member("sarah.okafor@example.org", "E1001").await;

    // Names and classifications, in the list's order; nothing else.
    let roll = format!("/elections/{id}/roll");
    let page = sarah.visit(&roll).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<strong>You are on the roll.</strong>"));
    let priya = page.body.find("Priya Raman").expect("Priya is listed");
    let sarah_at = page.body.find("Sarah Okafor").expect("Sarah is listed");
    assert!(priya < sarah_at, "sorted as the fingerprint sorts");
    assert!(page.body.contains("Administrative Assistant"));
    assert!(page.body.contains("Research Analyst"));
    for hidden in ["@example.org", "E1001", "E1003", "$", "Miguel Santos"] {
        assert!(!page.body.contains(hidden), "{hidden} shown: {}", page.body);
    }
    assert!(page.body.contains("LC_ALL=C sort"), "the page says how");

    // The downloaded list is the text the fingerprint hashes.
    let list = sarah.get(&format!("{roll}.txt")).await;
    assert_eq!(list.status, 200);
    assert_eq!(
        list.body,
        "Priya Raman\tAdministrative Assistant\nSarah Okafor\tResearch Analyst\n"
    );
    let shown = code_after(&page.body, "As the roll stands now");
    assert_eq!(recompute(&list.body), shown);
    assert_eq!(hex::encode(Sha256::digest(list.body.as_bytes())), shown);

    // Sarah picks Priya's entry. Without a reason the form comes back with
    // the entry still picked; with one it is recorded, once however often
    // the same form is sent.
    let priya_id = app.member_id("E1003");
    let pick = format!("{roll}?entry={priya_id}#challenge");
    assert!(
        page.body.contains(&pick.replace('&', "&amp;")),
        "a link per entry"
    );
    let form = sarah.visit(&pick).await;
    assert!(
        form.body
            .contains("<strong>Priya Raman (Administrative Assistant)</strong>")
    );
    let path = format!("/elections/{id}/challenge");
    let entry = priya_id.to_string();
    let answer = sarah
        .post(
            &path,
            &[("entry", &entry), ("from", "roll"), ("reason", " ")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("Give a reason for the challenge."));
    assert!(
        answer
            .body
            .contains("Priya Raman (Administrative Assistant)")
    );
    assert_eq!(challenges(&app), 0, "nothing half-saved");
    let reason = "She moved to the Theatre Alliance in October.";
    let key = form.value_of("submission_key").unwrap();
    let token = sarah.csrf().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("submission_key", key.as_str()),
        ("entry", entry.as_str()),
        ("from", "roll"),
        ("reason", reason),
    ];
    let first = sarah.post_raw(&path, &fields).await;
    let again = sarah.post_raw(&path, &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!((again.status, &again.location), (303, &first.location));
    assert_eq!(first.location.as_deref(), Some(roll.as_str()));
    assert_eq!(challenges(&app), 1, "one challenge for the form sent twice");

    // The same challenge in a new form, and an entry not on the roll, are
    // refused in words with the reason kept.
    let answer = sarah
        .post(
            &path,
            &[("entry", &entry), ("from", "roll"), ("reason", reason)],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("You have already challenged this entry")
    );
    assert!(answer.body.contains(reason));
    let miguel_id = app.member_id("E1002").to_string();
    let answer = sarah
        .post(&path, &[("entry", &miguel_id), ("reason", reason)])
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("That entry is not on the roll"));
    assert!(answer.body.contains(reason));
    assert_eq!(challenges(&app), 1);

    // Sarah reads it back by the name she picked, never a number.
    let page = sarah.visit(&roll).await;
    assert!(
        page.body
            .contains("You challenged it; waiting for a decision")
    );
    assert!(
        page.body
            .contains("You asked to take Priya Raman (Administrative Assistant) off the roll.")
    );
    assert!(!page.body.contains("E1003"));

    // The officer sees it, with whose entry it is.
    let admin = officer.visit(&format!("/officer/elections/{id}")).await;
    assert!(admin.body.contains("Priya Raman"), "{}", admin.body);
    assert!(admin.body.contains(reason));
    assert!(
        admin
            .body
            .contains(&format!("/officer/elections/{id}/roll.csv"))
    );

    // The officer's export: the columns to reach each entry, every cell
    // safe to open in a spreadsheet.
    diesel::update(members::table.filter(members::employee_number.eq("E1001")))
        .set(members::department.eq("=HYPERLINK(\"http://x\")"))
        .execute(&mut app.db())
        .unwrap();
    let csv = officer
        .get(&format!("/officer/elections/{id}/roll.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.body,
        "employee_number,name,classification,department,email\n\
         E1003,Priya Raman,Administrative Assistant,Member Services,priya.raman@example.org\n\
         E1001,Sarah Okafor,Research Analyst,\"'=HYPERLINK(\"\"http://x\"\")\",sarah.okafor@example.org\n"
    );
    let refused = sarah
        .get(&format!("/officer/elections/{id}/roll.csv"))
        .await;
    assert!(matches!(refused.status, 403 | 404), "{}", refused.status);

    // Someone from another unit sees neither the page nor the list.
    let (grace, _) = app.roster_member("grace.liu@example.org", "E2001").await;
    assert_eq!(grace.get(&roll).await.status, 404);
    assert_eq!(grace.get(&format!("{roll}.txt")).await.status, 404);

    // At the opening the roll freezes: the window's page is gone, and the
    // fingerprint published is the one recomputed from the list.
    let now = app.config.clock.now();
    write_tx(&mut app.db(), |c| store::open(c, &app.context_at(now), id)).unwrap();
    assert_eq!(sarah.get(&roll).await.status, 404);
    assert_eq!(sarah.get(&format!("{roll}.txt")).await.status, 404);
    let election = sarah.visit(&format!("/elections/{id}")).await;
    assert_eq!(code_after(&election.body, "Roll fingerprint"), shown);
    let record = sarah.get(&format!("/elections/{id}/record")).await;
    assert!(
        record
            .body
            .contains(&format!("\"fingerprint\":\"{shown}\"")),
        "the record's open line carries it"
    );
}

#[tokio::test]
async fn a_member_left_off_is_told_why_as_of_the_cut_off_and_how_to_challenge() {
    let app = TestApp::spawn().await;
    let id = local_with_a_published_vote(&app);
    let (officer, _) = app.officer("olive@example.org").await;
    app.publish_with_key(id);
    // Miguel pays up after the cut-off: today he owes nothing, but on the
    // 15th he owed August to October.
    pay(&officer, &app, "E1002", "2026-11-20", "240.00").await;
    let (miguel, _) = app
        .roster_member("miguel.santos@example.org", "E1002")
        .await;
    let (terrence, _) = app
        .roster_member("terrence.boyd@example.org", "E1007")
        .await;
    let (rosa, _) = app.roster_member("rosa.diaz@example.org", "E1011").await;

    let told: [(&TestClient, &[&str]); 3] = [
        (
            &miguel,
            &[
                "On Sun 15 Nov 2026, the roll",
                "you were behind on dues by $240.00 (3 months of dues), more than the 2 months the unit allows for good standing.",
            ],
        ),
        (
            &terrence,
            &[
                "On Sun 15 Nov 2026, the roll",
                "your membership status was \u{201c}non-member (agency fee)\u{201d}, not \u{201c}member\u{201d}",
            ],
        ),
        (
            &rosa,
            &[
                "You joined on Wed 18 Nov 2026, after the roll",
                "cut-off of Sun 15 Nov 2026",
            ],
        ),
    ];
    for (client, why) in told {
        for path in [format!("/elections/{id}"), format!("/elections/{id}/roll")] {
            let page = client.visit(&path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(page.body.contains("You are not on the roll."), "{path}");
            for words in why {
                assert!(
                    page.body.contains(words),
                    "{path}: {words} in {}",
                    page.body
                );
            }
            let statement = page
                .body
                .contains("<a href=\"/dues\">Your dues statement</a>");
            let about_dues = why.iter().any(|w| w.contains("dues"));
            assert_eq!(statement, about_dues, "{path}: the statement linked");
            assert!(
                page.body.contains("Tue 24 Nov 2026"),
                "challenge before the opening"
            );
        }
    }
    // How to challenge: the absence, with the reason, from the roll's page.
    let answer = miguel
        .post(
            &format!("/elections/{id}/challenge"),
            &[
                ("from", "roll"),
                ("employee_number", ""),
                ("reason", "I paid in full at the office on the 14th."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let page = miguel.visit(&format!("/elections/{id}/roll")).await;
    assert!(page.body.contains("You asked to be put on the roll."));
}
