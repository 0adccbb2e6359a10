//! Elections over HTTP: concurrency, secrecy, no early counts, the rules,
//! the fingerprint, other units, dues by ballot, and refused attempts.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use unionhall::db::schema::{ballots, dues_rates, participation};
use unionhall::db::write_tx;
use unionhall::dues::rules::Rate;
use unionhall::elections::rules::{PassRule, RollLine, fingerprint};
use unionhall::elections::states::{QuestionKind, Status};
use unionhall::elections::store::{self, ElectionDraft, QuestionDraft};
use unionhall::money::Cents;
use unionhall::users::Role;

use crate::helpers::{PASSWORD, ROSTER_HEADER, Stage, TestApp, TestClient};

/// `n` members of "Vote Unit" (V00000…), all in good standing, plus one
/// member of "Other Unit" (X00001).
pub(crate) fn roster(app: &TestApp, n: usize) -> i64 {
    let mut csv = ROSTER_HEADER.to_owned();
    for i in 0..n {
        csv.push_str(&format!(
            "V{i:05},Voter,Number{i},v{i:05}@example.org,Vote Unit,Staff,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n"
        ));
    }
    csv.push_str("X00001,Other,Person,x00001@example.org,Other Unit,Staff,Dept,2020-01-06,60000.00,hybrid,member,2020-02-01\n");
    app.import_roster(csv.as_bytes());
    app.unit_id("Vote Unit")
}

/// Voter `i`'s line on the roll, as `roster` names them.
pub(crate) fn roll_line(i: usize) -> RollLine {
    RollLine {
        name: format!("Voter Number{i}"),
        classification: "Staff".into(),
    }
}

pub(crate) fn yes_no(text: &str, rule: PassRule) -> QuestionDraft {
    QuestionDraft {
        text: text.into(),
        kind: QuestionKind::YesNo,
        choices: vec!["Yes".into(), "No".into()],
        rule,
        dues: None,
    }
}

pub(crate) const TWO_THIRDS: PassRule = PassRule {
    num: 2,
    den: 3,
    at_least: true,
    min_turnout_bp: 5000,
};

pub(crate) fn question_choices(app: &TestApp, id: i64) -> Vec<(i64, Vec<i64>)> {
    store::questions(&mut app.db(), id)
        .unwrap()
        .into_iter()
        .map(|q| (q.id, q.choices.into_iter().map(|(c, _)| c).collect()))
        .collect()
}

pub(crate) async fn voter(app: &TestApp, i: usize) -> TestClient {
    app.signed_in(&format!("v{i:05}@example.org")).await
}

/// Accounts for the first `n` voters with one shared hash (hashing each
/// would only slow the test).
pub(crate) fn accounts(app: &TestApp, n: usize) {
    let hash = unionhall::auth::password::hash_blocking(PASSWORD).unwrap();
    let now = app.config.clock.now();
    let mut conn = app.db();
    write_tx(&mut conn, |c| {
        for i in 0..n {
            unionhall::users::create(
                c,
                &format!("v{i:05}@example.org"),
                &format!("Voter {i}"),
                Some(&hash),
                &[Role::Member],
                now,
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
}

fn counts(app: &TestApp, id: i64) -> (i64, i64) {
    let mut conn = app.db();
    let b: i64 = ballots::table
        .filter(ballots::election_id.eq(id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let p: i64 = participation::table
        .filter(participation::election_id.eq(id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    (b, p)
}

pub(crate) async fn cast(
    client: &TestClient,
    id: i64,
    answers: &[(i64, i64)],
) -> crate::helpers::Page {
    let fields: Vec<(String, String)> = answers
        .iter()
        .map(|(q, c)| (format!("q_{q}"), c.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client.post(&format!("/elections/{id}/cast"), &refs).await
}

#[tokio::test]
async fn fifty_casts_at_once_by_one_member_make_one_ballot() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 1);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    let client = voter(&app, 0).await;
    let token = client.csrf().await;
    let url = app.url(&format!("/elections/{id}/cast"));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let request = client.http.post(&url).form(&[
                (format!("q_{q}"), choices[0].to_string()),
                ("csrf_token".into(), token.clone()),
            ]);
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    assert_eq!(counts(&app, id), (1, 1));
}

#[tokio::test]
async fn two_hundred_members_voting_at_once_give_two_hundred_ballots() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 200);
    accounts(&app, 200);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    let mut clients = Vec::new();
    for i in 0..200 {
        clients.push(voter(&app, i).await);
    }
    let mut tasks = Vec::new();
    for (i, client) in clients.into_iter().enumerate() {
        let choice = choices[i % 2];
        tasks.push(tokio::spawn(async move {
            cast(&client, id, &[(q, choice)]).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(counts(&app, id), (200, 200));
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = diesel::sql_types::Text)]
    tracking_code: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[tokio::test]
async fn nothing_stored_with_a_ballot_follows_the_voter_or_the_order_of_casting() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 20);
    accounts(&app, 20);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    let mut issued = Vec::new();
    for i in 0..20 {
        let client = voter(&app, i).await;
        let page = cast(&client, id, &[(q, choices[i % 2])]).await;
        assert_eq!(page.status, 200);
        let marker = "<p class=\"tracking-code\"><code>";
        let start = page.body.find(marker).unwrap() + marker.len();
        issued.push(page.body[start..start + 64].to_owned());
    }
    // Close, then read the tables as a database administrator would.
    app.close_election(id);
    let mut conn = app.db();
    let stored: Vec<String> = diesel::sql_query("SELECT tracking_code FROM ballots")
        .load::<Code>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| c.tracking_code)
        .collect();
    assert_eq!(stored.len(), 20);
    assert_ne!(stored, issued, "the stored order follows the casting order");
    let mut sorted = issued.clone();
    sorted.sort();
    assert_eq!(
        stored, sorted,
        "ballots are stored in the order of their random codes"
    );
    let columns = |table: &str| -> Vec<String> {
        let sql = if app.env.is_postgres() {
            format!(
                "SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
            )
        } else {
            format!("SELECT name FROM pragma_table_info('{table}')")
        };
        diesel::sql_query(sql)
            .load::<Column>(&mut app.db())
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect()
    };
    if app.env.is_postgres() {
        // PostgreSQL stamps each row with the transaction that wrote it; the
        // close rewrites them all in one, so no cast's rows share a stamp.
        #[derive(QueryableByName)]
        struct Stamps {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let stamps = diesel::sql_query(format!(
            "SELECT count(DISTINCT xmin::text) AS n FROM (SELECT xmin FROM participation WHERE election_id = {id} UNION ALL SELECT xmin FROM ballots WHERE election_id = {id}) s"
        ))
        .get_result::<Stamps>(&mut app.db())
        .unwrap();
        assert_eq!(
            stamps.n, 1,
            "one transaction id across every ballot and voter"
        );
    }
    assert_eq!(columns("ballots"), ["election_id", "tracking_code"]);
    assert_eq!(columns("election_record"), ["election_id", "seq", "line"]);
    // The record holds the ballots in the order they were cast, and so
    // could link each to its voter; what it holds of each is an encryption
    // under the trustees' key, with no choice in it.
    let record = unionhall::elections::store::record::entries(&mut app.db(), id).unwrap();
    let ballots: Vec<_> = record
        .iter()
        .filter_map(|e| match e {
            unionhall::record::entry::Entry::Ballot(b) => Some(b),
            _ => None,
        })
        .collect();
    assert_eq!(ballots.len(), 20);
    let trackers: Vec<String> = ballots.iter().map(|b| b.tracker.clone()).collect();
    assert_eq!(trackers, issued, "the record is in casting order");
    let line_of_yes = serde_json::to_string(&ballots[0].answers).unwrap();
    let line_of_no = serde_json::to_string(&ballots[1].answers).unwrap();
    assert_eq!(
        line_of_yes.len(),
        line_of_no.len(),
        "a Yes and a No look alike"
    );
    // The credential column holds the public credential of a vote with
    // credentials (none here): it names a voter's key, never a choice.
    assert_eq!(
        columns("participation"),
        ["election_id", "member_id", "method", "credential"]
    );
    // The receipts' bodies are dropped from the outbox once delivered.
    app.smtp
        .wait_for(40, std::time::Duration::from_secs(30))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let bodies: Vec<String> = unionhall::db::schema::outbox::table
        .filter(unionhall::db::schema::outbox::template.eq(unionhall::elections::RECEIPT_TEMPLATE))
        .select(unionhall::db::schema::outbox::body_text)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(bodies.len(), 20);
    for body in bodies {
        assert_eq!(body, unionhall::mail::outbox::SCRUBBED);
    }
}

#[tokio::test]
async fn no_count_is_shown_before_the_close_and_the_result_after() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 4);
    accounts(&app, 3);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    let mut codes = Vec::new();
    for (i, choice) in [choices[0], choices[0], choices[1]].into_iter().enumerate() {
        let client = voter(&app, i).await;
        let page = cast(&client, id, &[(q, choice)]).await;
        assert_eq!(page.status, 200);
        let marker = "<p class=\"tracking-code\"><code>";
        let start = page.body.find(marker).unwrap() + marker.len();
        codes.push(page.body[start..start + 14].to_owned());
    }
    let (officer, _) = app.officer("olive@example.org").await;
    let member = voter(&app, 0).await;
    for (client, path) in [
        (&member, format!("/elections/{id}")),
        (&officer, format!("/elections/{id}")),
        (&officer, format!("/officer/elections/{id}")),
    ] {
        let page = client.visit(&path).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains("Votes</th>"),
            "a count before the close on {path}"
        );
        assert!(!page.body.contains("Passed"), "{path}");
    }
    assert!(
        officer
            .visit(&format!("/officer/elections/{id}"))
            .await
            .body
            .contains("3 of 4 eligible have voted")
    );
    assert_ne!(
        officer
            .get(&format!("/officer/elections/{id}/certificate"))
            .await
            .status,
        200
    );
    // The clock passes the closing time: the clock job closes it.
    app.config
        .clock
        .advance(std::time::Duration::from_secs(2 * 3600));
    unionhall::jobs::election_clock::advance_due(
        &mut app.db(),
        &app.config,
        app.config.clock.now(),
    )
    .unwrap();
    // Sessions lapse after that long; sign in again.
    let member = voter(&app, 0).await;
    let officer = app.officer("olive2@example.org").await.0;
    let waiting = member.visit(&format!("/elections/{id}")).await;
    assert!(
        waiting
            .body
            .contains("Voting closed; waiting for the trustees to decrypt the result"),
        "{}",
        waiting.body
    );
    assert!(
        !waiting.body.contains("Passed"),
        "no count before the trustees'"
    );
    app.decrypt(id);
    let page = member.visit(&format!("/elections/{id}")).await;
    // 2 yes of 3 cast is exactly two thirds; 3 of 4 is over the 50% turnout.
    assert!(
        page.body.contains("<strong>Passed.</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains(
        "<tr><td>Yes</td><td class=\"num\">2</td></tr><tr><td>No</td><td class=\"num\">1</td></tr>"
    ));
    assert!(page.body.contains("3 of 4 eligible members voted"));
    for code in &codes {
        assert!(
            page.body.contains(code.as_str()),
            "tracking code {code} listed"
        );
    }
    let certificate = officer
        .visit(&format!("/officer/elections/{id}/certificate"))
        .await;
    assert_eq!(certificate.status, 200);
    assert!(certificate.body.contains("Certification of the result"));
}

#[tokio::test]
async fn the_roll_fingerprint_is_the_hash_of_the_sorted_names_and_classifications() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 5);
    accounts(&app, 1);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let entries: Vec<RollLine> = (0..5).rev().map(roll_line).collect();
    let expected = fingerprint(&entries);
    let page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}"))
        .await;
    assert!(
        page.body.contains(&expected),
        "fingerprint {expected} shown"
    );
}

#[tokio::test]
async fn refused_attempts_record_nothing_and_are_audited() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 2);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let other_question = app.election(unit, vec![yes_no("Another?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    let (_, foreign) = question_choices(&app, other_question)[0].clone();
    let client = voter(&app, 0).await;
    // A forged choice (from another election), a missing one.
    let page = cast(&client, id, &[(q, foreign[0])]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("That ballot cannot be counted"));
    let page = cast(&client, id, &[]).await;
    assert_eq!(page.status, 422);
    // A member of another unit: the election does not exist for them.
    app.create_user("x00001@example.org", "Other", &[Role::Member]);
    let outsider = app.new_client();
    outsider.sign_in("x00001@example.org", PASSWORD).await;
    assert_eq!(outsider.get(&format!("/elections/{id}")).await.status, 404);
    assert_eq!(cast(&outsider, id, &[(q, choices[0])]).await.status, 404);
    // After the close.
    assert_eq!(cast(&client, id, &[(q, choices[0])]).await.status, 200);
    assert_eq!(cast(&client, id, &[(q, choices[0])]).await.status, 409);
    app.config
        .clock
        .advance(std::time::Duration::from_secs(2 * 3600));
    let late = voter(&app, 1).await;
    let page = cast(&late, id, &[(q, choices[0])]).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Voting is not open"));
    assert_eq!(counts(&app, id), (1, 1));
    let refusals = app
        .audit_actions()
        .iter()
        .filter(|a| *a == "vote_refused")
        .count();
    assert_eq!(
        refusals, 5,
        "forged, missing, another unit's member, again, late"
    );
    let details: Vec<String> = unionhall::db::schema::audit_log::table
        .filter(unionhall::db::schema::audit_log::action.eq("vote_refused"))
        .select(unionhall::db::schema::audit_log::detail)
        .load(&mut app.db())
        .unwrap();
    assert!(
        details
            .iter()
            .all(|d| !d.contains("Yes") && !d.contains(&choices[0].to_string()))
    );
}

#[tokio::test]
async fn a_dues_rate_is_adopted_only_when_its_question_passes() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 4);
    accounts(&app, 3);
    let from = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let dues = |text: &str| QuestionDraft {
        dues: Some((
            Rate::Percent {
                basis_points: 175,
                monthly_min: Cents(5000),
                monthly_max: Cents(13000),
            },
            from,
        )),
        ..yes_no(
            text,
            PassRule {
                num: 1,
                den: 2,
                at_least: false,
                min_turnout_bp: 0,
            },
        )
    };
    let passing = app.election(unit, vec![dues("Raise dues to 1.75%?")], Stage::Open);
    let failing = app.election(unit, vec![dues("Raise dues to 1.75%, again?")], Stage::Open);
    let (pq, pc) = question_choices(&app, passing)[0].clone();
    let (fq, fc) = question_choices(&app, failing)[0].clone();
    for i in 0..3 {
        let client = voter(&app, i).await;
        assert_eq!(
            cast(&client, passing, &[(pq, pc[usize::from(i == 2)])])
                .await
                .status,
            200
        );
        assert_eq!(
            cast(&client, failing, &[(fq, fc[usize::from(i != 2)])])
                .await
                .status,
            200
        );
    }
    let rates = || -> i64 {
        dues_rates::table
            .filter(dues_rates::unit_id.eq(unit))
            .filter(dues_rates::effective_from.eq(from))
            .count()
            .get_result(&mut app.db())
            .unwrap()
    };
    app.close_election(failing);
    assert_eq!(rates(), 0, "1 yes of 3 is no majority");
    app.close_election(passing);
    assert_eq!(rates(), 1, "2 yes of 3 adopts the rate");

    // By hand, the treasurer lowers the rate from February, and may bring
    // back only what the ballot adopted, from the day it adopted it.
    let (officer, _) = app.officer("olive@example.org").await;
    let officer = &officer;
    let rate_form = |from, percent, ballot: String| async move {
        officer
            .post_percent_rate(unit, from, (percent, "50", "130"), &ballot)
            .await
    };
    let page = officer.get("/officer/dues").await;
    assert!(page.body.contains("(adopted by ballot)"), "{}", page.body);
    assert!(
        page.body
            .contains("Strike authorization: Raise dues to 1.75%?, from 2027-01-01"),
        "{}",
        page.body
    );
    assert_eq!(
        rate_form("2027-02-01", "1.5", String::new()).await.status,
        303
    );
    let raised = rate_form("2027-03-01", "1.75", String::new()).await;
    assert_eq!(raised.status, 422);
    assert!(
        raised.body.contains("only a secret ballot"),
        "{}",
        raised.body
    );
    let wrong_day = rate_form("2027-03-01", "1.75", pq.to_string()).await;
    assert_eq!(wrong_day.status, 422);
    assert!(
        wrong_day
            .body
            .contains("The ballot adopted 1.75% of base salary"),
        "{}",
        wrong_day.body
    );
    let not_adopting = rate_form("2027-03-01", "1.75", fq.to_string()).await;
    assert!(
        not_adopting
            .body
            .contains("That ballot question adopted no dues rate for this unit."),
        "{}",
        not_adopting.body
    );
}

async fn member_of_unit_cannot_see_trustee_page(app: &TestApp, id: i64) -> u16 {
    voter(app, 0)
        .await
        .get(&format!("/elections/{id}/trustee"))
        .await
        .status
}

#[tokio::test]
async fn officers_run_an_election_from_draft_to_certificate() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 3);
    // V00002 leaves the unit's good standing: resigned from today.
    app.set_status(
        "V00002",
        unionhall::dues::rules::Status::Resigned,
        app.config.today(),
    );
    let (officer, _) = app.officer("olive@example.org").await;
    let local = |minutes: i64| {
        (app.config.clock.now() + Duration::minutes(minutes))
            .and_utc()
            .with_timezone(&app.config.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let (unit_s, cutoff) = (unit.to_string(), app.config.today().to_string());
    let (unit_s, cutoff, officer) = (&unit_s, &cutoff, &officer);
    let draft = |path: String, opens_at: String, closes_at: String| async move {
        officer
            .post(
                &path,
                &[
                    ("unit", unit_s.as_str()),
                    ("title", "Strike vote"),
                    ("opens_at", &opens_at),
                    ("closes_at", &closes_at),
                    ("cutoff", cutoff),
                    ("q1_text", "Strike?"),
                    ("q1_kind", "yes_no"),
                    ("q1_rule", "two_thirds"),
                    ("q1_turnout", "50"),
                ],
            )
            .await
    };
    let new = || "/officer/elections/new".to_owned();
    let answer = draft(new(), local(60), local(30)).await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("The vote must close after it opens."));
    let answer = draft(new(), local(-5), local(120)).await;
    assert_eq!(answer.status, 422, "a draft cannot open in the past");
    assert!(answer.body.contains("That time has passed"));
    let answer = draft(new(), local(60), local(120)).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let admin = answer.location.unwrap();
    let id: i64 = admin.rsplit('/').next().unwrap().parse().unwrap();
    // No key, no vote: trustees are named before the roll is published.
    officer.post(&format!("{admin}/publish"), &[]).await;
    let page = officer.visit(&admin).await;
    assert!(
        page.body.contains("Name at least two trustees first"),
        "{}",
        page.body
    );
    for i in 1..=3 {
        app.create_user(
            &format!("trustee{i}@example.org"),
            &format!("Trustee Number{i}"),
            &[Role::Member],
        );
    }
    let typed = "trustee1@example.org\nnobody@example.org\ntrustee3@example.org";
    let answer = officer
        .post(
            &format!("{admin}/trustees"),
            &[("trustees", typed), ("threshold", "2")],
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("No account has the email nobody@example.org."),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("nobody@example.org\ntrustee3"),
        "the typing is kept"
    );
    let named = "trustee1@example.org\ntrustee2@example.org\ntrustee3@example.org";
    let answer = officer
        .post(
            &format!("{admin}/trustees"),
            &[("trustees", named), ("threshold", "2")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(
        officer
            .visit(&admin)
            .await
            .body
            .contains("1 of them may lose their key file"),
    );
    // Opening in an hour leaves no time to challenge the roll: the officer
    // is asked for a later opening and nothing is published.
    let refused = officer.post(&format!("{admin}/publish"), &[]).await;
    assert_eq!(refused.status, 303);
    let page = officer.visit(&admin).await;
    assert!(
        page.body
            .contains("leaves less than 3 days to check and challenge the roll"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Edit the draft"), "still a draft");
    let four_days = 4 * 24 * 60;
    let answer = draft(
        format!("{admin}/edit"),
        local(four_days),
        local(four_days + 60),
    )
    .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        officer.post(&format!("{admin}/publish"), &[]).await.status,
        303
    );
    let page = officer.visit(&admin).await;
    assert!(
        page.body.contains("2 members"),
        "the resigned member is not on the roll"
    );
    assert!(
        page.body
            .contains("Step 1 of 3: 0 of 3 trustees have sent their transport key."),
        "{}",
        page.body
    );
    let asked = outbox_body(&app, "trustee2@example.org", "make the election key");
    assert!(
        asked.contains("You are a trustee of \"Strike vote\""),
        "{asked}"
    );
    assert!(
        asked.contains(&format!("/elections/{id}/trustee")),
        "{asked}"
    );
    // The trustees make the key, each from their own device.
    let mut trustees = Vec::new();
    for i in 1..=3 {
        trustees.push(app.signed_in(&format!("trustee{i}@example.org")).await);
    }
    let page = trustees[0].visit(&format!("/elections/{id}/trustee")).await;
    assert!(
        page.body
            .contains("Make your key file and send your transport key"),
        "{}",
        page.body
    );
    assert_eq!(
        member_of_unit_cannot_see_trustee_page(&app, id).await,
        404,
        "only trustees have a trustee page"
    );
    for step in 0..3 {
        for (i, trustee) in trustees.iter().enumerate() {
            let answer = app.trustee_via_pages(trustee, id, i as u32 + 1).await;
            assert_eq!(
                answer.status,
                303,
                "step {step}, trustee {}: {}",
                i + 1,
                answer.body
            );
        }
    }
    assert!(
        officer
            .visit(&admin)
            .await
            .body
            .contains("The election key is made: every trustee confirmed it."),
    );
    // The resigned member challenges their absence; the officer rejects it.
    let resigned = voter(&app, 2).await;
    assert_eq!(
        resigned.get(&format!("/elections/{id}")).await.status,
        404,
        "not a member of the unit any more"
    );
    let member = voter(&app, 0).await;
    let answer = member
        .post(
            &format!("/elections/{id}/challenge"),
            &[
                ("employee_number", "V00002"),
                ("reason", "She resigned last month."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    let challenge: i64 = unionhall::db::schema::roll_challenges::table
        .select(unionhall::db::schema::roll_challenges::id)
        .first(&mut app.db())
        .unwrap();
    let answer = officer
        .post(
            &format!("{admin}/challenges/{challenge}"),
            &[
                ("decision", "reject"),
                ("resolution", "She is not on the roll already."),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    // Edits are over once published.
    assert_eq!(officer.get(&format!("{admin}/edit")).await.status, 400);
    assert_eq!(
        officer.post(&format!("{admin}/open"), &[]).await.status,
        303
    );
    let (q, choices) = question_choices(&app, id)[0].clone();
    let q_field = format!("q_{q}");
    let choice = choices[0].to_string();
    // A mistyped number comes back beside the field, the ballot as marked.
    let answer = officer
        .post(
            &format!("{admin}/paper"),
            &[
                ("employee_number", "V0001"),
                (q_field.as_str(), choice.as_str()),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("No one has employee number V0001."));
    assert!(
        answer.body.contains("value=\"V0001\""),
        "the number is kept"
    );
    assert!(
        answer.body.contains(&format!("value=\"{choice}\" checked")),
        "the choice stays marked"
    );
    assert_eq!(counts(&app, id), (0, 0));
    let answer = officer
        .post(
            &format!("{admin}/paper"),
            &[
                ("employee_number", "V00001"),
                (q_field.as_str(), choice.as_str()),
            ],
        )
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(counts(&app, id), (1, 1));
    // The paper voter cannot also vote online.
    let paper_voter = voter(&app, 1).await;
    assert_eq!(cast(&paper_voter, id, &[(q, choices[0])]).await.status, 409);
    let answer = officer
        .post(&format!("{admin}/close"), &[("reason", " ")])
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("Closing early needs a reason, for the record.")
    );
    assert!(
        officer.visit(&admin).await.body.contains("Voting open"),
        "no close without a reason"
    );
    assert_eq!(
        officer
            .post(
                &format!("{admin}/close"),
                &[("reason", "Agreement reached")]
            )
            .await
            .status,
        303
    );
    // Closed, the sums wait for two of the three trustees, who are told.
    let asked = outbox_body(&app, "trustee3@example.org", "decrypt the result");
    assert!(
        asked.contains("once 2 trustees have sent theirs"),
        "{asked}"
    );
    assert_ne!(
        officer.get(&format!("{admin}/certificate")).await.status,
        200
    );
    for i in [2usize, 0] {
        let answer = app.trustee_via_pages(&trustees[i], id, i as u32 + 1).await;
        assert_eq!(answer.status, 303, "{}", answer.body);
    }
    let record = voter(&app, 0)
        .await
        .get(&format!("/elections/{id}/record"))
        .await;
    assert_eq!(record.status, 200);
    let report = unionhall::record::verify::verify(&record.body, None);
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.stage, "complete");
    assert_eq!(report.by, [0, 0, 1], "one paper ballot");
    let certificate = officer.visit(&format!("{admin}/certificate")).await;
    assert_eq!(certificate.status, 200);
    // The record names people and things, never an account or a row.
    for expected in [
        "closed early: Agreement reached",
        "1 (0 online, 1 on paper): 50% of the eligible",
        "Roll published",
        "Challenge decided",
        "Challenge to put Voter Number2 (V00002) on the roll rejected: She is not on the roll already.",
        "Vote opened",
        "Paper ballot recorded for Voter Number1 (V00001)",
        "Closed early",
        "Olive Officer",
        "Voter 0",
        "for Vote Unit",
        "&#34;Strike?&#34;",
    ] {
        assert!(
            certificate.body.contains(expected),
            "{expected} in the certificate:\n{}",
            certificate.body
        );
    }
    for internal in ["olive@example.org", "member 3", "Challenge 1", "election_"] {
        assert!(
            !certificate.body.contains(internal),
            "{internal} in the certificate"
        );
    }
    // Records stay a year.
    assert!(
        officer
            .post(&format!("{admin}/purge"), &[])
            .await
            .location
            .is_some()
    );
    assert_eq!(counts(&app, id), (1, 1));
    app.config
        .clock
        .advance(std::time::Duration::from_secs(366 * 86_400));
    let officer = app.officer("olive3@example.org").await.0;
    officer.post(&format!("{admin}/purge"), &[]).await;
    assert_eq!(counts(&app, id), (0, 0));
    let page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}"))
        .await;
    assert!(page.body.contains("purged a year after the close"));
}

#[tokio::test]
async fn a_scheduled_reminder_goes_once_to_those_who_have_not_voted() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 3);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    assert_eq!(
        cast(&voter(&app, 0).await, id, &[(q, choices[0])])
            .await
            .status,
        200
    );
    let (officer, _) = app.officer("olive@example.org").await;
    let local = |minutes: i64| {
        (app.config.clock.now() + Duration::minutes(minutes))
            .and_utc()
            .with_timezone(&app.config.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    // A time after the close, or no time at all, comes back beside the field.
    let late = local(3 * 60);
    let answer = officer
        .post(
            &format!("/officer/elections/{id}/reminders"),
            &[("at", late.as_str())],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("A reminder must go out before the vote closes.")
    );
    assert!(
        answer.body.contains(&format!("value=\"{late}\"")),
        "the time is kept"
    );
    let answer = officer
        .post(
            &format!("/officer/elections/{id}/reminders"),
            &[("at", "next tuesday")],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("value=\"next tuesday\""),
        "the typing is kept"
    );
    let at = local(30);
    let answer = officer
        .post(
            &format!("/officer/elections/{id}/reminders"),
            &[("at", at.as_str())],
        )
        .await;
    assert_eq!(answer.status, 303);
    let reminders = |app: &TestApp| -> Vec<String> {
        unionhall::db::schema::outbox::table
            .filter(unionhall::db::schema::outbox::subject.like("%reminder: vote in%"))
            .select(unionhall::db::schema::outbox::recipient)
            .load(&mut app.db())
            .unwrap()
    };
    let run = |app: &TestApp| {
        let now = app.config.clock.now();
        unionhall::jobs::election_clock::advance_due(&mut app.db(), &app.config, now).unwrap();
    };
    run(&app);
    assert!(reminders(&app).is_empty(), "not before its time");
    app.config
        .clock
        .advance(std::time::Duration::from_secs(31 * 60));
    // Two processes' jobs at once, in effect.
    run(&app);
    run(&app);
    let mut sent = reminders(&app);
    sent.sort();
    assert_eq!(
        sent,
        ["v00001@example.org", "v00002@example.org"],
        "not the voter, once each"
    );
    // The time just sent for, typed again, is refused rather than sent
    // twice (by an officer signed in since: idle sessions end).
    let (officer, _) = app.officer("otto@example.org").await;
    let answer = officer
        .post(
            &format!("/officer/elections/{id}/reminders"),
            &[("at", at.as_str())],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("That time has passed: leave the time empty to send the reminder now.")
    );
    assert_eq!(reminders(&app).len(), 2, "nothing sent again");
}

#[tokio::test]
async fn a_page_shows_an_election_by_the_clock_and_the_cast_moves_it_on() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 2);
    accounts(&app, 1);
    // Published, with its opening time a minute past and no job run since.
    let id = {
        let now = app.config.clock.now();
        write_tx(&mut app.db(), |c| {
            let id = store::create(
                c,
                &ElectionDraft {
                    unit_id: unit,
                    title: "Strike authorization".into(),
                    description: String::new(),
                    opens_at: now - Duration::minutes(1),
                    closes_at: now + Duration::hours(1),
                    cutoff: app.config.today(),
                    questions: vec![yes_no("Strike?", TWO_THIRDS)],
                },
                now,
            )?;
            Ok::<_, diesel::result::Error>(id)
        })
        .unwrap()
    };
    app.publish_with_key(id);
    let stored = |app: &TestApp| store::election(&mut app.db(), id).unwrap().status;
    let member = voter(&app, 0).await;
    let page = member.visit(&format!("/elections/{id}")).await;
    assert!(page.body.contains("Voting open"), "{}", page.body);
    assert!(
        page.body
            .contains(&fingerprint(&[roll_line(0), roll_line(1)]))
    );
    assert_eq!(
        member.get(&format!("/elections/{id}/ballot")).await.status,
        200
    );
    assert_eq!(stored(&app), Status::Published, "a page wrote");
    let (q, choices) = question_choices(&app, id)[0].clone();
    assert_eq!(cast(&member, id, &[(q, choices[0])]).await.status, 200);
    assert_eq!(stored(&app), Status::Open);
    assert_eq!(counts(&app, id), (1, 1));
}

#[tokio::test]
async fn a_dues_section_with_a_problem_starts_open() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 1).to_string();
    let (officer, _) = app.officer("olive@example.org").await;
    let local = |minutes: i64| {
        (app.config.clock.now() + Duration::minutes(minutes))
            .and_utc()
            .with_timezone(&app.config.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let answer = officer
        .post(
            "/officer/elections/new",
            &[
                ("unit", unit.as_str()),
                ("title", "Dues vote"),
                ("opens_at", &local(60)),
                ("closes_at", &local(120)),
                ("cutoff", &app.config.today().to_string()),
                ("q1_text", "Raise dues?"),
                ("q1_kind", "yes_no"),
                ("q1_rule", "majority"),
                ("q1_turnout", "0"),
                ("q1_dues_percent", "12"),
                ("q1_dues_max", "130"),
                ("q1_dues_from", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("There is a problem"));
    assert!(
        answer
            .body
            .contains("A dues rate is above 0% and at most 10%.")
    );
    assert_eq!(
        answer.body.matches("<details open>").count(),
        1,
        "{}",
        answer.body
    );
}

/// The officer's election page after `votes` (a choice index per voter) are
/// cast and the vote is closed.
async fn officer_page_after(votes: &[usize], roll: usize) -> (String, String) {
    let app = TestApp::spawn().await;
    let unit = roster(&app, roll);
    accounts(&app, votes.len());
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let (q, choices) = question_choices(&app, id)[0].clone();
    for (i, choice) in votes.iter().enumerate() {
        let page = cast(&voter(&app, i).await, id, &[(q, choices[*choice])]).await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    let (officer, _) = app.officer("olive@example.org").await;
    let during = officer
        .visit(&format!("/officer/elections/{id}"))
        .await
        .body;
    app.close_election(id);
    let after = officer
        .visit(&format!("/officer/elections/{id}"))
        .await
        .body;
    (during, after)
}

#[tokio::test]
async fn two_voters_who_agree_are_never_named_beside_their_result() {
    // Two eligible, both vote no: names beside a 0–2 tally would tell
    // each one's vote.
    let (during, after) = officer_page_after(&[1, 1], 2).await;
    assert!(during.contains("Who has not voted yet"), "{during}");
    assert!(during.contains("Everyone on the roll has voted."));
    assert!(
        !during.contains("Number0, Voter") && !during.contains("Number1, Voter"),
        "nobody who voted is listed before the close"
    );
    assert!(after.contains("<h2>The result</h2>"), "the tally is shown");
    assert!(after.contains("<td class=\"num\">2</td>"), "{after}");
    assert!(after.contains("Who voted is not listed"), "{after}");
    assert!(!after.contains("Number0, Voter"));
    assert!(!after.contains("Number1, Voter"));
}

#[tokio::test]
async fn a_split_that_hides_every_choice_lists_who_voted_after_the_close() {
    // 2 yes, 2 no, one on the roll who did not vote.
    let (during, after) = officer_page_after(&[0, 0, 1, 1], 5).await;
    assert!(
        during.contains("Number4, Voter (V00004)"),
        "the one who has not voted is listed for reminders: {during}"
    );
    assert!(!during.contains("Number0, Voter"));
    assert!(after.contains("<h2>Who voted</h2>"), "{after}");
    for i in 0..4 {
        assert!(
            after.contains(&format!("Number{i}, Voter (V0000{i})")),
            "{after}"
        );
    }
    assert!(!after.contains("Number4, Voter"), "only those who voted");
}

#[tokio::test]
async fn a_lone_dissent_keeps_the_names_back() {
    // 3–1: the one "no" voter knows that everyone else voted yes.
    let (_, after) = officer_page_after(&[0, 0, 0, 1], 4).await;
    assert!(after.contains("Who voted is not listed"), "{after}");
    assert!(!after.contains("Number3, Voter"));
}

/// The plain-text body of the newest message to `to` whose subject has `subject`.
fn outbox_body(app: &TestApp, to: &str, subject: &str) -> String {
    use unionhall::db::schema::outbox;
    outbox::table
        .filter(outbox::recipient.eq(to))
        .filter(outbox::subject.like(format!("%{subject}%")))
        .order(outbox::id.desc())
        .select(outbox::body_text)
        .first(&mut app.db())
        .unwrap_or_else(|_| panic!("a message to {to} about {subject}"))
}

#[tokio::test]
async fn the_result_email_gives_each_question_its_count_turnout_and_outcome() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 4);
    accounts(&app, 4);
    let three_quarters = PassRule {
        num: 3,
        den: 4,
        at_least: true,
        min_turnout_bp: 5000,
    };
    let majority = PassRule {
        num: 1,
        den: 2,
        at_least: false,
        min_turnout_bp: 0,
    };
    let day = QuestionDraft {
        text: "Which day should the strike start?".into(),
        kind: QuestionKind::Choice,
        choices: vec!["Monday".into(), "Tuesday".into(), "Wednesday".into()],
        rule: majority,
        dues: None,
    };
    let id = app.election(
        unit,
        vec![yes_no("Do you authorize a strike?", three_quarters), day],
        Stage::Open,
    );
    let questions = question_choices(&app, id);
    let ((strike, yes_no_ids), (day, days)) = (questions[0].clone(), questions[1].clone());
    // Three of the four vote: two yes and one no (short of three quarters),
    // Tuesday twice and Monday once (more than half).
    for (i, (answer, pick)) in [(0, 1), (0, 1), (1, 0)].into_iter().enumerate() {
        let page = cast(
            &voter(&app, i).await,
            id,
            &[(strike, yes_no_ids[answer]), (day, days[pick])],
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    // The closing time passes and the clock closes the vote.
    app.config
        .clock
        .advance(std::time::Duration::from_secs(2 * 3600));
    unionhall::jobs::election_clock::advance_due(
        &mut app.db(),
        &app.config,
        app.config.clock.now(),
    )
    .unwrap();
    // Nobody is told a result before two trustees have decrypted it.
    assert!(
        !unionhall::db::schema::outbox::table
            .filter(unionhall::db::schema::outbox::subject.like("%: result: %"))
            .count()
            .get_result::<i64>(&mut app.db())
            .is_ok_and(|n| n > 0)
    );
    app.decrypt(id);
    // The member who did not vote reads the result in their mail.
    let body = outbox_body(&app, "v00003@example.org", "result: Strike authorization");
    let lines: Vec<&str> = body.lines().collect();
    for expected in [
        "Voting in \"Strike authorization\" has closed. The certified result:",
        "Turnout: 3 of 4 eligible (75%) voted (3 online, 0 on paper).",
        "1. \"Do you authorize a strike?\" Yes 2, No 1; ballots cast 3 of 4 eligible (75%); outcome: failed. Yes led with 2 votes of 3 (66.66%), short of at least three quarters of the votes cast, with a turnout of at least 50% of eligible members.",
        "2. \"Which day should the strike start?\" Monday 1, Tuesday 2, Wednesday 0; ballots cast 3 of 4 eligible (75%); outcome: Tuesday won. Tuesday won with 2 votes of 3 (66.66%), reaching more than half of the votes cast.",
    ] {
        assert!(lines.contains(&expected), "{expected:?} in\n{body}");
    }
    assert!(!body.contains('<'), "plain text, no markup:\n{body}");
}

/// A delivered message's text as a reader sees it: quoted-printable soft
/// breaks and escapes undone, lines ending in `\n`.
fn delivered_text(message: &crate::helpers::Received) -> String {
    let mut text = message.data.replace("=\r\n", "").replace("\r\n", "\n");
    for (code, plain) in [("=3D", "="), ("=22", "\""), ("=27", "'")] {
        text = text.replace(code, plain);
    }
    text
}

#[tokio::test]
async fn a_member_who_challenges_the_roll_is_told_the_decision_and_its_reason() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 3);
    // Published today, the vote opening in four days.
    let now = app.config.clock.now();
    let id = write_tx(&mut app.db(), |c| {
        let id = store::create(
            c,
            &ElectionDraft {
                unit_id: unit,
                title: "Strike authorization".into(),
                description: String::new(),
                opens_at: now + Duration::days(4),
                closes_at: now + Duration::days(5),
                cutoff: app.config.today(),
                questions: vec![yes_no("Strike?", TWO_THIRDS)],
            },
            now,
        )?;
        Ok::<_, diesel::result::Error>(id)
    })
    .unwrap();
    app.publish_with_key(id);
    // Voter 0 thinks V00002 should not be on the roll. Sent without a
    // reason, the form comes back with the number kept; with a number not
    // in the unit, with the reason kept.
    let member = voter(&app, 0).await;
    let path = format!("/elections/{id}/challenge");
    let answer = member
        .post(&path, &[("employee_number", "V00002"), ("reason", "  ")])
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("Give a reason for the challenge."),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains("value=\"V00002\""),
        "the number is kept"
    );
    let reason = "She left the unit in October.";
    let answer = member
        .post(&path, &[("employee_number", "V09999"), ("reason", reason)])
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("No one in the unit has employee number V09999.")
    );
    assert!(answer.body.contains(reason), "the reason is kept");
    let answer = member
        .post(&path, &[("employee_number", "V00002"), ("reason", reason)])
        .await;
    assert_eq!(answer.status, 303);
    let page = member.visit(&format!("/elections/{id}")).await;
    assert!(page.body.contains("You asked to take V00002 off the roll."));
    assert!(page.body.contains("Waiting for an officer's decision."));

    // The officer decides without a reason: told so, nothing decided.
    let (officer, _) = app.officer("olive@example.org").await;
    let challenge: i64 = unionhall::db::schema::roll_challenges::table
        .select(unionhall::db::schema::roll_challenges::id)
        .first(&mut app.db())
        .unwrap();
    let decide = format!("/officer/elections/{id}/challenges/{challenge}");
    let answer = officer
        .post(&decide, &[("decision", "reject"), ("resolution", " ")])
        .await;
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("Give the reason for the decision."));
    assert!(answer.body.contains("There is a problem"));
    assert!(
        officer
            .visit(&format!("/officer/elections/{id}"))
            .await
            .body
            .contains("· open"),
        "still open"
    );
    // A reason too long comes back with what was typed.
    let long = "x".repeat(2001);
    let answer = officer
        .post(&decide, &[("decision", "reject"), ("resolution", &long)])
        .await;
    assert_eq!(answer.status, 422);
    assert!(
        answer
            .body
            .contains("Keep the reason to 2000 characters; this one has 2001.")
    );
    assert!(answer.body.contains(&long), "the typing is kept");

    // With a reason, the challenge is rejected and the challenger told.
    let why = "She transferred back in November and is in good standing.";
    let answer = officer
        .post(&decide, &[("decision", "reject"), ("resolution", why)])
        .await;
    assert_eq!(answer.status, 303);
    let page = officer.visit(&format!("/officer/elections/{id}")).await;
    assert!(
        page.body.contains("The challenger is told by email."),
        "{}",
        page.body
    );
    assert!(page.body.contains("3 members"), "the roll is unchanged");

    // The member's mail says the decision and the reason.
    let subject = "your challenge to the roll of Strike authorization: rejected";
    let mut mail = Vec::new();
    for _ in 0..200 {
        mail = app.smtp.to("v00000@example.org");
        if !mail.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(mail.len(), 1, "one message to the challenger");
    let text = delivered_text(&mail[0]);
    let said = mail[0].header("Subject").unwrap_or_default();
    assert!(said.ends_with(subject), "{said}");
    for expected in [
        "Your challenge to the roll of \"Strike authorization\", to take V00002 off the roll, is rejected.",
        &format!("The reason for the decision: {why}"),
        &format!("Your reason was: {reason}"),
        "The roll stays as it was.",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(
        app.smtp.to("v00001@example.org").is_empty(),
        "only the challenger"
    );
    // It went through the outbox as a sensitive message, whose body is
    // dropped once delivered.
    {
        use unionhall::db::schema::outbox;
        let mut sensitive = false;
        for _ in 0..200 {
            let (flag, body): (bool, String) = outbox::table
                .filter(outbox::recipient.eq("v00000@example.org"))
                .filter(outbox::subject.like("%your challenge to the roll%"))
                .select((outbox::sensitive, outbox::body_text))
                .first(&mut app.db())
                .unwrap();
            sensitive = flag;
            if body == unionhall::mail::outbox::SCRUBBED {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(sensitive);
    }
    // And the member's election page says it.
    let page = member.visit(&format!("/elections/{id}")).await;
    assert!(page.body.contains("Decision: rejected."), "{}", page.body);
    assert!(page.body.contains(why));

    // A challenge still open when the roll freezes is rejected, and its
    // challenger told why.
    let second = voter(&app, 1).await;
    let answer = second
        .post(
            &path,
            &[("employee_number", ""), ("reason", "My dues are paid.")],
        )
        .await;
    assert_eq!(answer.status, 303);
    officer
        .post(&format!("/officer/elections/{id}/open"), &[])
        .await;
    let mut mail = Vec::new();
    for _ in 0..200 {
        mail = app.smtp.to("v00001@example.org");
        if mail
            .iter()
            .any(|m| delivered_text(m).contains("your challenge"))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let told = mail
        .iter()
        .map(delivered_text)
        .find(|t| t.contains("Your challenge to the roll"))
        .expect("the second challenger is told");
    assert!(
        told.contains("to be taken off the roll, is rejected."),
        "{told}"
    );
    assert!(told.contains("Not resolved before the roll was frozen at opening."));
    let page = second.visit(&format!("/elections/{id}")).await;
    assert!(page.body.contains("You asked to be taken off the roll."));
    assert!(page.body.contains("Decision: rejected."));
}
