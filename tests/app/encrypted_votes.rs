//! Ballots encrypted on the voter's device, as the booth's script sends
//! them (made here with the same code the browser's is checked against),
//! and the trustees' decryption: what the server takes, what it refuses in
//! words with nothing appended, and a record anyone can check.

use unionhall::elections::store;
use unionhall::record::ballot;
use unionhall::record::entry::{CastBy, Entry};

use crate::elections::{TWO_THIRDS, accounts, question_choices, roster, voter, yes_no};
use crate::helpers::{Page, Stage, TestApp, TestClient};

fn record_lines(app: &TestApp, id: i64) -> usize {
    store::record::entries(&mut app.db(), id).unwrap().len()
}

/// A ballot for election `id` choosing `pick` (from 0) on its one question,
/// encrypted as the voter's device does.
fn device_ballot(app: &TestApp, id: i64, pick: usize) -> unionhall::record::entry::BallotEntry {
    let (key, fingerprint) = store::casting::election_key(&mut app.db(), id).unwrap();
    ballot::encrypt(&key, &fingerprint, None, CastBy::Voter, &[2], &[pick]).entry
}

async fn send(client: &TestClient, id: i64, ballot: &str) -> Page {
    client
        .post(&format!("/elections/{id}/cast"), &[("ballot", ballot)])
        .await
}

#[tokio::test]
async fn ballots_from_the_voters_device_are_checked_counted_and_verified() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 6);
    accounts(&app, 6);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Open);
    let other = app.election(unit, vec![yes_no("Picket?", TWO_THIRDS)], Stage::Open);

    // Voter 0's device encrypts Yes; the server checks and appends it.
    let yes = device_ballot(&app, id, 0);
    let yes_text = serde_json::to_string(&yes).unwrap();
    let cast = send(&voter(&app, 0).await, id, &yes_text).await;
    assert_eq!(cast.status, 200, "{}", cast.body);
    assert!(
        cast.body.contains(&yes.tracker),
        "the receipt shows the tracker"
    );

    // Voter 1 replays it, whole: refused, nothing appended.
    let before = record_lines(&app, id);
    let replayed = send(&voter(&app, 1).await, id, &yes_text).await;
    assert_eq!(replayed.status, 422);
    assert!(
        replayed
            .body
            .contains("That encrypted ballot is already in the record")
    );
    // Or copies one of its encryptions into a ballot of their own.
    let mut copied = device_ballot(&app, id, 1);
    copied.answers[0].choices[0] = yes.answers[0].choices[0].clone();
    let copied = send(
        &voter(&app, 1).await,
        id,
        &serde_json::to_string(&copied).unwrap(),
    )
    .await;
    assert_eq!(copied.status, 422);
    // A ballot made for another election, or with a proof changed, or
    // claiming the server made it, does not check.
    let elsewhere = device_ballot(&app, other, 0);
    let wrong_election = send(
        &voter(&app, 1).await,
        id,
        &serde_json::to_string(&elsewhere).unwrap(),
    )
    .await;
    assert_eq!(wrong_election.status, 422);
    assert!(
        wrong_election
            .body
            .contains("That encrypted ballot does not check")
    );
    let mut bent = device_ballot(&app, id, 1);
    bent.answers[0].proof[0][1] = bent.answers[0].proof[0][0].clone();
    assert_eq!(
        send(
            &voter(&app, 1).await,
            id,
            &serde_json::to_string(&bent).unwrap()
        )
        .await
        .status,
        422
    );
    let mut posing = device_ballot(&app, id, 1);
    posing.by = CastBy::Server;
    assert_eq!(
        send(
            &voter(&app, 1).await,
            id,
            &serde_json::to_string(&posing).unwrap()
        )
        .await
        .status,
        422
    );
    assert_eq!(
        send(&voter(&app, 1).await, id, "{not a ballot")
            .await
            .status,
        422
    );
    assert_eq!(
        record_lines(&app, id),
        before,
        "nothing refused was appended"
    );
    assert!(!store::has_voted(&mut app.db(), id, app.member_id("V00001")).unwrap());

    // Four more vote from their devices, one without JavaScript.
    for (i, pick) in [(1, 1), (2, 0), (3, 0)] {
        let page = send(
            &voter(&app, i).await,
            id,
            &serde_json::to_string(&device_ballot(&app, id, pick)).unwrap(),
        )
        .await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    let (q, choices) = question_choices(&app, id)[0].clone();
    let q_field = format!("q_{q}");
    let no_js = voter(&app, 4)
        .await
        .post(
            &format!("/elections/{id}/cast"),
            &[(q_field.as_str(), choices[1].to_string().as_str())],
        )
        .await;
    assert_eq!(no_js.status, 200, "{}", no_js.body);
    // Voting twice, either way, is refused.
    let again = send(
        &voter(&app, 0).await,
        id,
        &serde_json::to_string(&device_ballot(&app, id, 1)).unwrap(),
    )
    .await;
    assert_eq!(again.status, 409);

    // The vote closes; one trustee's share is not enough, a wrong one is
    // refused in words, and a second valid one counts the result.
    let ctx = app.context_at(app.config.clock.now());
    unionhall::db::write_tx(&mut app.db(), |c| store::close(c, &ctx, id, "test")).unwrap();
    app.trustee_answers(id, 3).unwrap();
    assert_eq!(
        store::election(&mut app.db(), id).unwrap().status,
        unionhall::elections::states::Status::Open
    );
    let page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}"))
        .await;
    assert!(
        page.body.contains("waiting for the trustees to decrypt"),
        "{}",
        page.body
    );

    let trustee = app
        .signed_in(&format!("trustee1.e{id}@trustees.example.org"))
        .await;
    let packet = trustee
        .get(&format!("/elections/{id}/trustee/packet"))
        .await;
    let packet = unionhall::trustees::packet::Packet::read(&packet.body).unwrap();
    let right =
        unionhall::trustees::packet::answer(&packet, &TestApp::trustee_seed(id, 1)).unwrap();
    let mut share: unionhall::record::entry::ShareEntry = serde_json::from_str(&right).unwrap();
    let swapped = share.questions[0].choices[1].share.clone();
    share.questions[0].choices[0].share = swapped;
    let before = record_lines(&app, id);
    let wrong = trustee
        .post(
            &format!("/elections/{id}/trustee"),
            &[("answer", serde_json::to_string(&share).unwrap().as_str())],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("the proof of correct decryption does not check"),
        "{}",
        wrong.body
    );
    assert_eq!(record_lines(&app, id), before);
    let right = trustee
        .post(
            &format!("/elections/{id}/trustee"),
            &[("answer", right.as_str())],
        )
        .await;
    assert_eq!(right.status, 303, "{}", right.body);

    let text = voter(&app, 5)
        .await
        .get(&format!("/elections/{id}/record"))
        .await
        .body;
    let report = unionhall::record::verify::verify(&text, Some(&yes.tracker));
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.counts, Some(vec![vec![3, 2]]), "Yes 3, No 2");
    assert_eq!(report.by, [4, 1, 0], "four from devices, one by the server");
    assert!(report.tracker_line.flatten().is_some());
    let shares = store::record::entries(&mut app.db(), id)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e, Entry::Share(_)))
        .count();
    assert_eq!(shares, 2);
    // The member's check page says the same, and finds the tracker.
    let checked = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}/verify?tracker={}", yes.tracker))
        .await;
    assert!(
        checked.body.contains("The record verifies"),
        "{}",
        checked.body
    );
    assert!(
        checked.body.contains("Your tracker is in the record"),
        "{}",
        checked.body
    );
    assert!(checked.body.contains("Checked by this server."));
    // A tracker not in it leaves the record verified; a mistyped one is
    // said to be no tracker at all.
    let absent = voter(&app, 0)
        .await
        .visit(&format!(
            "/elections/{id}/verify?tracker={}",
            "0".repeat(64)
        ))
        .await;
    assert!(
        absent.body.contains("<strong>The record verifies</strong>"),
        "{}",
        absent.body
    );
    assert!(absent.body.contains("Your tracker is not in the record."));
    let short = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}/verify?tracker=deadbeef"))
        .await;
    assert!(
        short.body.contains("That is not a tracker"),
        "{}",
        short.body
    );
    assert!(short.body.contains("<strong>The record verifies</strong>"));

    // An operator who edits the stored count changes nothing shown: pages
    // read the record's result, which anyone can check.
    use diesel::RunQueryDsl;
    diesel::sql_query("UPDATE election_results SET votes = 99")
        .execute(&mut app.db())
        .unwrap();
    let page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}"))
        .await;
    assert!(
        page.body.contains("<tr><td>Yes</td><td class=\"num\">3</td></tr><tr><td>No</td><td class=\"num\">2</td></tr>"),
        "{}",
        page.body
    );

    // An observer with no account gets a link from an officer and checks
    // the record with it; a made-up link shows nothing.
    let (officer, _) = app.officer("olive@example.org").await;
    let given = officer
        .post(
            &format!("/officer/elections/{id}/observers"),
            &[("observer", "Casey Candidate")],
        )
        .await;
    assert_eq!(given.status, 303);
    let admin = officer.visit(&format!("/officer/elections/{id}")).await;
    let link = admin
        .body
        .split("shown only now: ")
        .nth(1)
        .and_then(|rest| rest.split(['<', ' ']).next())
        .expect("the link in the flash")
        .to_owned();
    assert!(
        admin.body.contains("Links given to: Casey Candidate."),
        "{}",
        admin.body
    );
    let path = link.trim_start_matches(&app.address).to_owned();
    let observer = app.new_client();
    let seen = observer.visit(&path).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(
        seen.body
            .contains("This link was made for Casey Candidate.")
    );
    assert!(seen.body.contains("The record verifies"), "{}", seen.body);
    let downloaded = observer.get(&format!("{path}/record")).await;
    assert!(unionhall::record::verify::verify(&downloaded.body, None).passed());
    assert_eq!(
        observer
            .get(&format!("/observe/{}", "0".repeat(64)))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_vote_whose_key_was_never_made_never_opens_and_says_why() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 2);
    accounts(&app, 2);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Draft);
    app.name_trustees(id);
    let now = app.config.clock.now();
    unionhall::db::write_tx(&mut app.db(), |c| store::publish(c, id, now))
        .unwrap()
        .unwrap();
    // Trustee 1 sends a transport key; the others never do.
    app.trustee_answers(id, 1).unwrap();
    for hours in [0, 3] {
        app.config
            .clock
            .advance(std::time::Duration::from_secs(hours * 3600));
        let page = voter(&app, 0)
            .await
            .visit(&format!("/elections/{id}"))
            .await;
        assert!(
            page.body
                .contains("Waiting for the trustees to make the election key"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("Vote now"));
    }
    let (q, choices) = question_choices(&app, id)[0].clone();
    let cast = voter(&app, 1)
        .await
        .post(
            &format!("/elections/{id}/cast"),
            &[(format!("q_{q}").as_str(), choices[0].to_string().as_str())],
        )
        .await;
    assert_eq!(cast.status, 403, "no ballot without the key");
}

#[tokio::test]
async fn a_vote_whose_key_was_never_made_goes_back_to_a_draft_and_is_published_again() {
    use diesel::prelude::*;
    use unionhall::db::schema::{election_record, election_trustees, elections, roll_entries};
    use unionhall::elections::states::Status;

    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    accounts(&app, 3);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Draft);
    app.name_trustees(id);
    let now = app.config.clock.now();
    unionhall::db::write_tx(&mut app.db(), |c| store::publish(c, id, now))
        .unwrap()
        .unwrap();
    app.trustee_answers(id, 1).unwrap();
    let (officer, _) = app.officer("chair@example.org").await;
    let admin = format!("/officer/elections/{id}");
    let page = officer.visit(&admin).await;
    assert!(page.body.contains("Take the vote back to a draft"));

    // No reason: refused in words, nothing changed.
    let refused = officer
        .post(&format!("{admin}/withdraw"), &[("reason", "  ")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("needs a reason"), "{}", refused.body);
    assert_eq!(record_lines(&app, id), 1);

    let done = officer
        .post(
            &format!("{admin}/withdraw"),
            &[("reason", "trustee 3 is away until March")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = officer.visit(&admin).await;
    assert!(
        shown
            .body
            .contains("Back to a draft: trustee 3 is away until March"),
        "{}",
        shown.body
    );
    let mut conn = app.db();
    let status: Status = elections::table
        .find(id)
        .select(elections::status)
        .first(&mut conn)
        .unwrap();
    assert_eq!(status, Status::Draft);
    let lines: i64 = election_record::table
        .filter(election_record::election_id.eq(id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let roll: i64 = roll_entries::table
        .filter(roll_entries::election_id.eq(id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let started: i64 = election_trustees::table
        .filter(election_trustees::election_id.eq(id))
        .filter(election_trustees::transport.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!((lines, roll, started), (0, 0, 0));
    drop(conn);
    let told = app
        .smtp
        .wait_for(1, std::time::Duration::from_secs(5))
        .await
        .into_iter()
        .filter(|m| m.data.contains("went back to a draft"))
        .count();
    assert!(told >= 1, "the trustees are told");

    // Once more: a second withdrawal of a draft is refused in words.
    let again = officer
        .post(&format!("{admin}/withdraw"), &[("reason", "again")])
        .await;
    assert_eq!(again.status, 303);
    assert!(
        officer
            .visit(&admin)
            .await
            .body
            .contains("Only a published vote whose key was never made")
    );

    // Published again, the trustees make a new key and the vote opens.
    unionhall::db::write_tx(&mut app.db(), |c| store::publish(c, id, now))
        .unwrap()
        .unwrap();
    app.make_key(id);
    let opened = officer.post(&format!("{admin}/open"), &[]).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}"))
        .await;
    assert!(page.body.contains("Vote now"), "{}", page.body);
    // The key-made vote no longer offers the way back.
    assert!(
        !officer
            .visit(&admin)
            .await
            .body
            .contains("Take the vote back")
    );
}
