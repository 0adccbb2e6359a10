//! A trustee in a browser: the trustee page's script makes the key file
//! (saved by the trustee, protected by their passphrase), deals and
//! confirms from it, and at the close checks the record and the head hash
//! members see before it sends a decryption share. The other two trustees'
//! devices run in the test; a member without JavaScript votes too, and the
//! result verifies.

use fantoccini::Client;

use crate::browser::{Browser, press, type_into, visit, wait_for, wait_for_text};
use crate::helpers::{PASSWORD, Stage, TestApp};
use crate::sign_in::sign_in_as;

const PASSPHRASE: &str = "a long trustee phrase";

/// Opens the trustee page fresh and waits for its script to take over.
async fn trustee_page(client: &Client, app: &TestApp, id: i64) {
    visit(client, &app.url(&format!("/elections/{id}/trustee"))).await;
    wait_for(client, "#trustee-device:not([hidden])").await;
}

/// Gives the page the key file saved at the first step and its passphrase,
/// and presses the step's button.
async fn open_key_file(client: &Client, key_file: &std::path::Path) {
    wait_for(client, "#trustee-key-file")
        .await
        .send_keys(key_file.to_str().unwrap())
        .await
        .unwrap();
    type_into(client, "#trustee-passphrase", PASSPHRASE).await;
    wait_for(client, "#trustee-send")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_trustee_makes_the_key_and_decrypts_in_the_browser() {
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
    app.name_trustees(id);
    let now = app.config.clock.now();
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::publish(c, id, now)
    })
    .unwrap()
    .unwrap();

    // Trustee 1 in the browser: the key file is made and saved first.
    let email = format!("trustee1.e{id}@trustees.example.org");
    sign_in_as(client, &app, &email, PASSWORD, "Trustee 1").await;
    trustee_page(client, &app, id).await;
    browser.screenshot("trustees-01-first-step").await;
    type_into(client, "#trustee-pass1", PASSPHRASE).await;
    type_into(client, "#trustee-pass2", PASSPHRASE).await;
    press(client, "Make my key file").await;
    // The trustee saves the key file the page offers, as a download.
    let dir = tempfile::tempdir().unwrap();
    client
        .issue_cmd(crate::browser::Cdp(serde_json::json!({
            "cmd": "Browser.setDownloadBehavior",
            "params": { "behavior": "allow", "downloadPath": dir.path().to_str().unwrap() },
        })))
        .await
        .expect("chromedriver passes the command on");
    wait_for(client, "a#trustee-download")
        .await
        .click()
        .await
        .unwrap();
    let key_file = dir.path().join(format!("election-{id}-trustee-1.key"));
    // The browser may name the file before it has written it all.
    let mut sealed = None;
    for _ in 0..100 {
        let read = std::fs::read_to_string(&key_file).unwrap_or_default();
        if let Ok(file) = serde_json::from_str::<unionhall::trustees::keyfile::KeyFile>(&read) {
            sealed = Some(file);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sealed = sealed.expect("the key file was saved whole");
    assert_eq!(sealed.iterations, 600_000);
    browser.screenshot("trustees-02-key-file-made").await;
    wait_for(client, "#trustee-saved")
        .await
        .click()
        .await
        .unwrap();
    press(client, "Send my transport key").await;
    wait_for_text(client, ".flash", "Your transport key is in.").await;
    for position in [2, 3] {
        app.trustee_answers(id, position).unwrap();
    }
    // Deal, then confirm, each from the saved key file.
    for (step, flash) in [
        ("deal", "Your deal is in."),
        ("confirm", "Your confirmation is in."),
    ] {
        trustee_page(client, &app, id).await;
        open_key_file(client, &key_file).await;
        wait_for_text(client, ".flash", flash).await;
        for position in [2, 3] {
            app.trustee_answers(id, position)
                .unwrap_or_else(|e| panic!("{step}: trustee {position}: {e}"));
        }
    }
    let row = unionhall::elections::store::election(&mut app.db(), id).unwrap();
    assert!(row.keyed_at.is_some(), "the key is made");

    // A member without JavaScript votes; the server encrypts for her.
    let ctx = app.context_at(app.config.clock.now());
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::open(c, &ctx, id)
    })
    .unwrap();
    let (q, yes) = {
        let questions = unionhall::elections::store::questions(&mut app.db(), id).unwrap();
        (questions[0].id, questions[0].choices[0].0)
    };
    let signed = app.new_client();
    let answer = signed
        .sign_in("sarah.okafor@example.org", unionhall::demo::DEMO_PASSWORD)
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    let cast = signed
        .post(
            &format!("/elections/{id}/cast"),
            &[(format!("q_{q}").as_str(), yes.to_string().as_str())],
        )
        .await;
    assert_eq!(cast.status, 200, "{}", cast.body);

    // The close: trustee 1 checks the record and the head hash members see.
    unionhall::db::write_tx(&mut app.db(), |c| {
        unionhall::elections::store::close(c, &ctx, id, "test")
    })
    .unwrap();
    let head = unionhall::elections::store::record::head(&mut app.db(), id)
        .unwrap()
        .hex();
    trustee_page(client, &app, id).await;
    wait_for_text(client, "#trustee-record", "checked on this device").await;
    type_into(client, "input#trustee-head", &"0".repeat(64)).await;
    press(client, "Check the head hash").await;
    wait_for_text(client, "#trustee-error", "not this record’s head hash").await;
    browser.screenshot("trustees-03-head-hash-refused").await;
    let field = wait_for(client, "input#trustee-head").await;
    field.clear().await.unwrap();
    field.send_keys(&head).await.unwrap();
    press(client, "Check the head hash").await;
    open_key_file(client, &key_file).await;
    wait_for_text(client, ".flash", "Your decryption share is in").await;
    app.trustee_answers(id, 2).unwrap();
    let text = unionhall::elections::store::record::text(&mut app.db(), id).unwrap();
    let report = unionhall::record::verify::verify(&text, None);
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(report.counts, Some(vec![vec![1, 0]]));
    assert_eq!(
        report.by,
        [0, 1, 0],
        "encrypted by the server for a browser without JavaScript"
    );
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}/trustee")),
            "trustees-04-done",
        )
        .await;
}
