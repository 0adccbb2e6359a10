//! Voting credentials in a browser: the credential officer's page makes
//! one credential per roll member on their device and prints the letters;
//! a member opens the ballot from her letter's address (what its QR code
//! holds), her device signs, and she casts; another member votes twice
//! without JavaScript and only his last ballot counts; the record verifies.

use fantoccini::Locator;

use crate::browser::{Browser, click, expect_heading, press, visit, wait_for, wait_for_text};
use crate::helpers::{Stage, TestApp};
use crate::sign_in::sign_in_as;

#[tokio::test]
async fn the_credential_officer_prints_letters_and_members_vote_with_them() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let client = &browser.client;
    let unit = app.unit_id("Guild Staff");
    let id = app.election(
        unit,
        vec![unionhall::elections::store::QuestionDraft {
            text: "Do you authorize a strike?".into(),
            kind: unionhall::elections::states::QuestionKind::YesNo,
            choices: vec!["Yes".into(), "No".into()],
            rule: unionhall::elections::rules::PassRule {
                num: 1,
                den: 2,
                at_least: false,
                min_turnout_bp: 0,
            },
            dues: None,
        }],
        Stage::Draft,
    );
    let chair = app.create_user(
        "chair@example.org",
        "Committee Chair",
        &[unionhall::users::Role::Member],
    );
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::credentials::name_officer(c, id, Some(chair))
    })
    .unwrap()
    .unwrap();
    app.publish_with_key(id);
    let roll = unionhall::elections::store::credentials::roll_size(&mut app.db(), id).unwrap();

    // The chair makes the credentials on her device and prints the letters.
    sign_in_as(
        client,
        &app,
        "chair@example.org",
        crate::helpers::PASSWORD,
        "Committee Chair",
    )
    .await;
    let page = app.url(&format!("/elections/{id}/credentials"));
    visit(client, &page).await;
    expect_heading(client, "Voting credentials").await;
    browser.screenshot("credentials-01-officer-page").await;
    press(client, &format!("Make {roll} credentials on this device")).await;
    wait_for_text(client, "[role=status]", "credentials made").await;
    let letters = client
        .find_all(Locator::Css("#credential-letters .letter"))
        .await
        .unwrap();
    assert_eq!(letters.len(), roll, "one letter per member on the roll");
    let mut words_of = std::collections::HashMap::new();
    for letter in &letters {
        let text = letter.text().await.unwrap();
        let words = letter
            .find(Locator::Css(".credential-words"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(words.split(' ').count(), 12, "{text}");
        assert!(
            letter.find(Locator::Css(".qr svg")).await.is_ok(),
            "a QR code"
        );
        let name = text
            .lines()
            .find_map(|l| l.strip_prefix("For "))
            .unwrap()
            .to_owned();
        words_of.insert(name.split(" (").next().unwrap().to_owned(), words);
    }
    browser.screenshot("credentials-02-letters-made").await;
    crate::elections::emulate_print(&browser, true).await;
    browser.screenshot("credentials-03-letters-printed").await;
    crate::elections::emulate_print(&browser, false).await;
    press(client, "Upload the public credentials").await;
    wait_for_text(client, ".flash", "public credentials uploaded").await;
    browser
        .screenshots_at_each_width(&page, "credentials-04-uploaded")
        .await;
    // What the server holds is the public halves only.
    let source = client.source().await.unwrap();
    let sarah = words_of
        .get("Sarah Okafor")
        .expect("Sarah has a letter")
        .clone();
    assert!(
        !source.contains(&sarah),
        "the words are not in the page after the upload"
    );

    let ctx = app.context_at(app.config.clock.now());
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::open(c, &ctx, id)
    })
    .unwrap()
    .expect("the vote opens with one credential per member");

    // Sarah scans her letter's code while signed out: the sign-in page
    // keeps the words in the tab (never sending them) for the ballot,
    // where her device signs.
    client.delete_all_cookies().await.unwrap();
    let letter_url = format!(
        "{}#credential={}",
        app.url(&format!("/elections/{id}/ballot")),
        sarah.replace(' ', "-")
    );
    visit(client, &letter_url).await;
    expect_heading(client, "Sign in").await;
    let on_sign_in = client.current_url().await.unwrap();
    assert!(
        on_sign_in.fragment().is_none(),
        "the words leave the address bar"
    );
    crate::browser::fill(client, "email", "sarah.okafor@example.org").await;
    crate::browser::fill(client, "password", unionhall::demo::DEMO_PASSWORD).await;
    press(client, "Sign in").await;
    expect_heading(client, "Your ballot").await;
    let filled = wait_for(client, "input#credential")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(filled, sarah, "the letter's code fills the credential in");
    let address = client.current_url().await.unwrap();
    assert!(
        address.fragment().is_none(),
        "the words leave the address bar"
    );
    click(client, Locator::XPath("//label[normalize-space(.)='Yes']")).await;
    browser
        .screenshot("credentials-05-ballot-with-credential")
        .await;
    press(client, "Review my vote").await;
    wait_for_text(client, "#booth", "Confirm your vote").await;
    press(client, "Cast my vote").await;
    expect_heading(client, "Your vote is cast").await;
    browser
        .screenshots_at_each_width(
            client.current_url().await.unwrap().as_ref(),
            "credentials-06-receipt",
        )
        .await;

    // Miguel votes without JavaScript, Yes, then changes his mind: No.
    let miguel_words = words_of.get("Miguel Santos").unwrap().clone();
    let miguel = app.new_client();
    miguel
        .sign_in("miguel.santos@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    let (q, choices) = {
        let questions = unionhall::elections::store::questions(&mut app.db(), id).unwrap();
        (
            questions[0].id,
            questions[0].choices.iter().map(|c| c.0).collect::<Vec<_>>(),
        )
    };
    for pick in [choices[0], choices[1]] {
        let cast = miguel
            .post(
                &format!("/elections/{id}/cast"),
                &[
                    (format!("q_{q}").as_str(), pick.to_string().as_str()),
                    ("credential", miguel_words.as_str()),
                ],
            )
            .await;
        assert_eq!(cast.status, 200, "{}", cast.body);
    }

    // The close; two trustees decrypt; the record verifies: Yes 1, No 1.
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::close(c, &ctx, id, "test")
    })
    .unwrap();
    app.trustee_answers(id, 1).unwrap();
    app.trustee_answers(id, 2).unwrap();
    let text = unionhall::elections::store::record::text(&mut app.db(), id).unwrap();
    let report = unionhall::record::verify::verify(&text, None);
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.ballots, 3);
    assert_eq!(report.counted, 2);
    assert_eq!(report.counts, Some(vec![vec![1, 1]]));
    assert_eq!(report.by, [1, 2, 0]);
    // The member's check page, in the browser, agrees.
    visit(client, &app.url(&format!("/elections/{id}/verify"))).await;
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}/verify")),
            "credentials-07-verified",
        )
        .await;
}
