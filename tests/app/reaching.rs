//! Reaching everyone: the officer invites the whole unit from the roster,
//! and a vote's notice reaches every roll member's roster email, with a
//! link to choose a password for those who have no account yet.

use std::time::Duration;

use crate::elections::{accounts, roster, yes_no};
use crate::helpers::{PASSWORD, ROSTER_HEADER, Received, Stage, TestApp};
use unionhall::elections::rules::PassRule;

fn text_of(message: &Received) -> String {
    message
        .data
        .replace("=\r\n", "")
        .replace("\r\n", "\n")
        .replace("=3D", "=")
}

fn path_of(link: &str) -> String {
    url::Url::parse(link).unwrap().path().to_owned()
}

async fn mail_to(app: &TestApp, address: &str, count: usize) -> Vec<Received> {
    for _ in 0..400 {
        let got = app.smtp.to(address);
        if got.len() >= count {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    app.smtp.to(address)
}

const MAJORITY: PassRule = PassRule {
    num: 1,
    den: 2,
    at_least: false,
    min_turnout_bp: 0,
};

#[tokio::test]
async fn an_officer_invites_everyone_with_an_email_and_no_account_once() {
    let app = TestApp::spawn().await;
    let (officer, _) = app.officer("olive@example.org").await;
    let mut csv = ROSTER_HEADER.to_owned();
    for line in [
        "E1,Sarah,Okafor,sarah@example.org,Unit A,Analyst,R,2021-03-15,58250.00,hybrid,member,2021-04-01",
        "E2,Miguel,Santos,miguel@example.org,Unit A,Organizer,O,2019-07-01,64000.00,on-site,member,2019-07-15",
        "E3,Terrence,Boyd,terrence@example.org,Unit A,Legal,L,2020-02-10,61750.00,hybrid,non-member,",
        "E4,Lucia,Ferrante,lucia@example.org,Unit A,Organizer,O,2017-08-28,69300.00,on-site,on-leave,2017-09-01",
        "E5,Alma,Reyes,,Unit A,Receptionist,M,2022-11-14,48900.00,on-site,member,2022-12-01",
        "E6,Oscar,Mendez,oscar@example.org,Unit A,Coordinator,P,2020-10-12,57900.00,hybrid,resigned,2020-11-01",
        "E7,Ann,Twin,twins@example.org,Unit A,Analyst,R,2020-10-12,57900.00,hybrid,member,2020-11-01",
        "E8,Bea,Twin,twins@example.org,Unit A,Analyst,R,2020-10-12,57900.00,hybrid,member,2020-11-01",
    ] {
        csv.push_str(line);
        csv.push('\n');
    }
    app.import_roster(csv.as_bytes());
    let (_sarah, _) = app.roster_member("sarah@example.org", "E1").await;

    let roster = officer.visit("/officer/roster").await;
    assert!(
        roster.body.contains("href=\"/officer/roster/invitations\""),
        "the roster links to the invitations"
    );
    let page = officer.visit("/officer/roster/invitations").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Never invited: 3 people"),
        "{}",
        page.body
    );
    for name in ["Santos, Miguel", "Boyd, Terrence", "Ferrante, Lucia"] {
        assert!(page.body.contains(name), "{name} is to be invited");
    }
    assert!(
        !page.body.contains("Mendez, Oscar"),
        "resigned: not invited"
    );
    assert!(page.body.contains("1 person already has an account"));
    assert!(page.body.contains("1 person with no email on the roster"));
    assert!(page.body.contains("Reyes, Alma"));
    assert!(page.body.contains("2 people sharing an email"));
    assert!(page.body.contains("Twin, Ann"));

    // A double click: the second sending finds nobody left.
    let key = page.value_of("submission_key").unwrap();
    let csrf = page.value_of("csrf_token").unwrap();
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("submission_key", key.as_str()),
        ("which", "new"),
    ];
    let first = officer
        .post_raw("/officer/roster/invitations", &fields)
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    let second = officer
        .post_raw("/officer/roster/invitations", &fields)
        .await;
    assert_eq!(second.status, 303);
    let after = officer.visit("/officer/roster/invitations").await;
    assert!(
        after.body.contains("Invited 3 people by email."),
        "{}",
        after.body
    );
    assert!(after.body.contains("Never invited: 0 people"));
    assert!(after.body.contains("Invited, not yet accepted: 3 people"));
    let again = officer
        .post("/officer/roster/invitations", &[("which", "new")])
        .await;
    assert_eq!(again.status, 303);
    let page = officer.visit("/officer/roster/invitations").await;
    assert!(
        page.body.contains("Nobody was left to invite."),
        "{}",
        page.body
    );

    // One invitation each, to the roster's address, none to anyone else.
    let mails = mail_to(&app, "miguel@example.org", 1).await;
    assert_eq!(mails.len(), 1, "one invitation, not two");
    for quiet in [
        "oscar@example.org",
        "twins@example.org",
        "sarah@example.org",
    ] {
        assert!(app.smtp.to(quiet).is_empty(), "{quiet} is not invited");
    }

    // Miguel chooses a password from the link and lands on his own dues.
    let link = path_of(&mails[0].link(&format!("{}/invite/", app.address)));
    let miguel = app.new_client();
    let set = miguel
        .post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(
        miguel.sign_in("miguel@example.org", PASSWORD).await.status,
        303
    );
    let dues = miguel.visit("/dues").await;
    assert!(dues.body.contains("Miguel"), "linked to his roster entry");

    // Sending the rest again mails each a fresh link.
    let again = officer
        .post("/officer/roster/invitations", &[("which", "again")])
        .await;
    assert_eq!(again.status, 303);
    let page = officer.visit("/officer/roster/invitations").await;
    assert!(
        page.body.contains("Sent 2 invitations again."),
        "{}",
        page.body
    );
    assert_eq!(mail_to(&app, "lucia@example.org", 2).await.len(), 2);
    assert_eq!(
        app.smtp.to("miguel@example.org").len(),
        1,
        "he has an account"
    );
}

#[tokio::test]
async fn a_votes_notice_reaches_everyone_on_the_roll_and_invites_those_with_no_account() {
    let app = TestApp::spawn().await;
    let unit = roster(&app, 3);
    // v00000 has an account; v00001 and v00002 have none.
    accounts(&app, 1);
    let id = app.election(unit, vec![yes_no("Strike?", MAJORITY)], Stage::Open);

    let with_account = mail_to(&app, "v00000@example.org", 1).await;
    assert_eq!(with_account.len(), 1, "the account holder is told");
    let told = text_of(&with_account[0]);
    assert!(told.contains("is open until"), "{told}");
    assert!(!told.contains("/invite/"), "no invitation for an account");

    let without = mail_to(&app, "v00001@example.org", 1).await;
    assert_eq!(
        without.len(),
        1,
        "the roster email without an account is told"
    );
    let told = text_of(&without[0]);
    assert!(told.contains("Hello Voter Number1"), "{told}");
    assert!(told.contains("You have no account yet"), "{told}");
    assert!(told.contains("paper ballot"), "{told}");
    assert!(
        app.smtp.to("x00001@example.org").is_empty(),
        "not on the roll"
    );

    // From the notice's link to a ballot.
    let link = path_of(&without[0].link(&format!("{}/invite/", app.address)));
    let voter = app.new_client();
    let set = voter
        .post(&link, &[("password", PASSWORD), ("confirm", PASSWORD)])
        .await;
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(
        voter.sign_in("v00001@example.org", PASSWORD).await.status,
        303
    );
    let ballot = voter.visit(&format!("/elections/{id}/ballot")).await;
    assert_eq!(ballot.status, 200, "{}", ballot.body);
    assert!(ballot.body.contains("Your ballot"), "{}", ballot.body);
    assert!(app.audit_actions().contains(&"invitation_sent".to_owned()));
}
