//! A vote with voting credentials, as a local lives it: an officer names
//! the credential officer, who makes the credentials off the server and
//! uploads only their public halves; the vote opens only with one per
//! member; members vote with login and credential (from a device, or
//! without JavaScript), one votes again, one lost theirs and gets a new
//! one; the record verifies with only the last ballot of each counted, and
//! no secret credential is anywhere in the database, its files or the mail.

use unionhall::crypto::credential::Credential;
use unionhall::elections::store;
use unionhall::record::ballot;
use unionhall::record::entry::{CastBy, Entry};
use unionhall::users::Role;

use crate::elections::{TWO_THIRDS, accounts, question_choices, roster, voter, yes_no};
use crate::helpers::{Page, Stage, TestApp, TestClient};
use crate::no_choice_kept::{files, snapshot};

/// A ballot choosing `pick` (from 0), encrypted and signed as the booth
/// does it with `credential`.
fn signed_ballot(app: &TestApp, id: i64, pick: usize, credential: &Credential) -> String {
    let (key, fingerprint) = store::casting::election_key(&mut app.db(), id).unwrap();
    let mut made = ballot::encrypt(
        &key,
        &fingerprint,
        Some(credential.public()),
        CastBy::Voter,
        &[2],
        &[pick],
    );
    ballot::sign(&mut made.entry, credential);
    serde_json::to_string(&made.entry).unwrap()
}

async fn from_device(client: &TestClient, id: i64, ballot: &str) -> Page {
    client
        .post(&format!("/elections/{id}/cast"), &[("ballot", ballot)])
        .await
}

/// The no-JavaScript cast: the choice and the typed words.
async fn typed(app: &TestApp, client: &TestClient, id: i64, pick: usize, words: &str) -> Page {
    let (q, choices) = question_choices(app, id)[0].clone();
    let field = format!("q_{q}");
    let choice = choices[pick].to_string();
    client
        .post(
            &format!("/elections/{id}/cast"),
            &[(field.as_str(), choice.as_str()), ("credential", words)],
        )
        .await
}

fn publics(credentials: &[Credential]) -> String {
    credentials
        .iter()
        .map(|c| hex::encode(c.public()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn with_credentials_only_the_members_own_last_ballot_counts_and_the_record_shows_it() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 5);
    accounts(&app, 5);
    let (officer, _) = app.officer("officer@example.org").await;
    app.create_user("chair@example.org", "Committee Chair", &[Role::Member]);
    let id = app.election(unit, vec![yes_no("Strike?", TWO_THIRDS)], Stage::Draft);

    // The officer names the chair; a stranger's email is refused in words.
    let unknown = officer
        .post(
            &format!("/officer/elections/{id}/credential-officer"),
            &[("credential_officer", "nobody@example.org")],
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("No active account has that email"));
    assert!(
        unknown.body.contains("nobody@example.org"),
        "the typing is kept"
    );
    let named = officer
        .post(
            &format!("/officer/elections/{id}/credential-officer"),
            &[("credential_officer", "chair@example.org")],
        )
        .await;
    assert_eq!(named.status, 303, "{}", named.body);
    app.publish_with_key(id);

    // It cannot open without the credentials.
    let early = officer
        .post(&format!("/officer/elections/{id}/open"), &[])
        .await;
    assert_eq!(early.status, 303);
    let shown = officer.visit(&format!("/officer/elections/{id}")).await;
    assert!(
        shown
            .body
            .contains("until its credential officer has uploaded"),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("0 of 5 public credentials uploaded"));

    // Only the chair sees the credential page; members see no such page.
    let chair = app.signed_in("chair@example.org").await;
    assert_eq!(
        voter(&app, 0)
            .await
            .visit(&format!("/elections/{id}/credentials"))
            .await
            .status,
        404
    );
    let page = chair.visit(&format!("/elections/{id}/credentials")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("5 members"));
    let roll = chair
        .get(&format!("/elections/{id}/credentials/roll.csv"))
        .await;
    assert_eq!(roll.body.lines().count(), 6, "a header and 5 members");
    assert!(roll.body.contains("v00003@example.org"));

    // The chair makes five credentials on their own device: one too few is
    // refused, the typing kept; five are taken.
    let mut held: Vec<Credential> = (0..5).map(|_| Credential::generate()).collect();
    let short = chair
        .post(
            &format!("/elections/{id}/credentials"),
            &[("keys", publics(&held[..4]).as_str())],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(
        short
            .body
            .contains("The roll has 5 members and this list 4 credentials")
    );
    let garbled = chair
        .post(
            &format!("/elections/{id}/credentials"),
            &[("keys", "not a key")],
        )
        .await;
    assert!(garbled.body.contains("Line 1 is not a public credential"));
    // A key with no secret behind it (the neutral point), which anyone
    // could sign for, is no credential either.
    let mut with_neutral: Vec<String> = held[..4].iter().map(|c| hex::encode(c.public())).collect();
    with_neutral.insert(0, format!("01{}", "0".repeat(62)));
    let neutral = chair
        .post(
            &format!("/elections/{id}/credentials"),
            &[("keys", with_neutral.join("\n").as_str())],
        )
        .await;
    assert_eq!(neutral.status, 422);
    assert!(neutral.body.contains("Line 1 is not a public credential"));
    let upload = chair
        .post(
            &format!("/elections/{id}/credentials"),
            &[("keys", publics(&held).as_str())],
        )
        .await;
    assert_eq!(upload.status, 303, "{}", upload.body);
    let opened = officer
        .post(&format!("/officer/elections/{id}/open"), &[])
        .await;
    assert_eq!(opened.status, 303);
    assert_eq!(
        store::election(&mut app.db(), id).unwrap().status,
        unionhall::elections::states::Status::Open
    );
    let entries = store::record::entries(&mut app.db(), id).unwrap();
    let Some(Entry::Credentials(list)) =
        entries.iter().find(|e| matches!(e, Entry::Credentials(_)))
    else {
        panic!("the record lists the credentials")
    };
    assert_eq!(list.count, 5);

    // The ballot page asks for the credential and explains re-voting.
    let ballot_page = voter(&app, 0)
        .await
        .visit(&format!("/elections/{id}/ballot"))
        .await;
    assert!(ballot_page.body.contains("Your voting credential"));
    assert!(ballot_page.body.contains("only your last ballot counts"));

    // Voter 0 without JavaScript: a mistyped word is said in words at the
    // confirmation, the typing kept; then the right words cast.
    let (q, choices) = question_choices(&app, id)[0].clone();
    let field = format!("q_{q}");
    let yes = choices[0].to_string();
    let words = held[0].words();
    let mistyped = format!("zzzz{}", &words[words.find(' ').unwrap()..]);
    let confirm = voter(&app, 0)
        .await
        .post(
            &format!("/elections/{id}/confirm"),
            &[
                (field.as_str(), yes.as_str()),
                ("credential", mistyped.as_str()),
            ],
        )
        .await;
    assert_eq!(confirm.status, 422);
    assert!(
        confirm.body.contains("is not one of the credential words"),
        "{}",
        confirm.body
    );
    let confirm = voter(&app, 0)
        .await
        .post(
            &format!("/elections/{id}/confirm"),
            &[
                (field.as_str(), yes.as_str()),
                ("credential", held[0].words().as_str()),
            ],
        )
        .await;
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("This server will sign your ballot with your credential")
    );
    let cast = typed(&app, &voter(&app, 0).await, id, 0, &held[0].words()).await;
    assert_eq!(cast.status, 200, "{}", cast.body);

    // Refused, in words, with nothing appended: no credential, a device
    // ballot not signed, or signed by a credential not on the list, or
    // another member's credential.
    let before = store::record::entries(&mut app.db(), id).unwrap().len();
    let v2 = voter(&app, 2).await;
    let bare = typed(&app, &v2, id, 0, "").await;
    assert_eq!(bare.status, 422);
    assert!(bare.body.contains("Your voting credential is needed"));
    let mut unsigned: serde_json::Value =
        serde_json::from_str(&signed_ballot(&app, id, 0, &held[2])).unwrap();
    unsigned.as_object_mut().unwrap().remove("signature");
    assert_eq!(
        from_device(&v2, id, &unsigned.to_string()).await.status,
        422
    );
    let stranger = from_device(
        &v2,
        id,
        &signed_ballot(&app, id, 0, &Credential::generate()),
    )
    .await;
    assert_eq!(stranger.status, 422);
    assert!(
        stranger
            .body
            .contains("That credential is not one of this vote")
    );
    let borrowed = typed(&app, &v2, id, 0, &held[0].words()).await;
    assert_eq!(borrowed.status, 409);
    assert!(borrowed.body.contains("was used from another member"));
    assert_eq!(
        store::record::entries(&mut app.db(), id).unwrap().len(),
        before
    );

    // Voter 1 votes Yes from a device, then again, No: the second counts.
    let first = from_device(
        &voter(&app, 1).await,
        id,
        &signed_ballot(&app, id, 0, &held[1]),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let seen_mid_vote = store::record::text(&mut app.db(), id).unwrap();
    let again = voter(&app, 1)
        .await
        .visit(&format!("/elections/{id}/ballot"))
        .await;
    assert!(again.body.contains("You have voted already"));
    let second = from_device(
        &voter(&app, 1).await,
        id,
        &signed_ballot(&app, id, 1, &held[1]),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.body);
    let switched = typed(&app, &voter(&app, 1).await, id, 0, &held[4].words()).await;
    assert_eq!(switched.status, 409);
    assert!(
        switched
            .body
            .contains("That is not the credential you voted with")
    );

    // Voter 3 lost their credential: the chair replaces it. A used one
    // cannot be replaced.
    let fresh = Credential::generate();
    let used = chair
        .post(
            &format!("/elections/{id}/credentials/revoke"),
            &[
                ("old", hex::encode(held[0].public()).as_str()),
                ("new", hex::encode(fresh.public()).as_str()),
            ],
        )
        .await;
    assert_eq!(used.status, 422);
    assert!(
        used.body
            .contains("A ballot has been cast with that credential")
    );
    let replaced = chair
        .post(
            &format!("/elections/{id}/credentials/revoke"),
            &[
                ("old", hex::encode(held[3].public()).as_str()),
                ("new", hex::encode(fresh.public()).as_str()),
            ],
        )
        .await;
    assert_eq!(replaced.status, 303, "{}", replaced.body);
    let old = typed(&app, &voter(&app, 3).await, id, 0, &held[3].words()).await;
    assert_eq!(old.status, 422, "the revoked credential no longer votes");
    held[3] = fresh;
    let new = typed(&app, &voter(&app, 3).await, id, 0, &held[3].words()).await;
    assert_eq!(new.status, 200, "{}", new.body);

    // Turnout counts members, not ballots.
    assert_eq!(store::turnout(&mut app.db(), id).unwrap().voted(), 3);

    // The close; two trustees decrypt. Yes: voters 0 and 3; No: voter 1.
    let ctx = app.context_at(app.config.clock.now());
    unionhall::db::write_tx(&mut app.db(), |c| store::close(c, &ctx, id, "test")).unwrap();
    app.trustee_answers(id, 1).unwrap();
    app.trustee_answers(id, 2).unwrap();
    let text = voter(&app, 4)
        .await
        .get(&format!("/elections/{id}/record"))
        .await
        .body;
    let report = unionhall::record::verify::verify(&text, None);
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.ballots, 4);
    assert_eq!(report.counted, 3);
    assert_eq!(report.counts, Some(vec![vec![2, 1]]));
    assert!(unionhall::record::verify::grows_from(&seen_mid_vote, &text).is_ok());

    // No secret credential anywhere: not in any table, nor the database
    // file, its WAL or the mail folder.
    let mut stored = String::new();
    for rows in snapshot(&app).into_values() {
        for row in rows {
            stored.push_str(&row.join(" "));
            stored.push('\n');
        }
    }
    for c in &held {
        let words = c.words();
        let first_three: Vec<&str> = words.split(' ').take(3).collect();
        let needle = first_three.join(" ");
        assert!(!stored.contains(&needle), "a credential's words are stored");
        for (path, bytes) in files(&app) {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "a credential's words are in {path}"
            );
        }
    }
}
