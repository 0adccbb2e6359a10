//! A strike vote in a browser: an officer creates and publishes it, a
//! member challenges the roll and is told the decision, the officer opens
//! it, the member votes and gets a tracking code, the officer closes it and
//! prints the certificate, and the member sees the result and finds the
//! code.

use std::path::Path;

use fantoccini::Locator;
use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};

use crate::browser::{
    Browser, Cdp, click, expect_heading, fill, press, set_value, type_into, visit, wait_for,
    wait_for_text,
};
use crate::helpers::TestApp;
use crate::sign_in::sign_in_demo as sign_in;

/// Lays the page out as it prints (`@media print`), or back as on screen.
pub async fn emulate_print(browser: &Browser, print: bool) {
    let media = if print { "print" } else { "" };
    browser
        .client
        .issue_cmd(Cdp(serde_json::json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "media": media },
        })))
        .await
        .expect("chromedriver passes the command on");
}

/// Saves the whole page, below the fold too, as `target/screenshots/NAME.png`:
/// the window grows to the page's height for the shot, then is put back.
async fn full_page_screenshot(browser: &Browser, name: &str) {
    let size = browser
        .client
        .execute(
            "return [window.innerWidth, window.outerHeight, document.documentElement.scrollHeight + window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let px = |i: usize| u32::try_from(size[i].as_u64().unwrap()).unwrap();
    let (width, height, page) = (px(0), px(1), px(2));
    browser.client.set_window_size(width, page).await.unwrap();
    browser.screenshot(name).await;
    browser.client.set_window_size(width, height).await.unwrap();
}

/// Whatever in the page's main part is wider than the page, as
/// "tag.class: right edge/scroll width > page".
async fn overflowing(browser: &Browser) -> Vec<String> {
    let found = browser
        .client
        .execute(
            "const page = document.documentElement.clientWidth;
             const wide = [];
             for (const el of document.querySelectorAll('main *')) {
               const box = el.getBoundingClientRect();
               const clips = ['auto', 'hidden', 'clip', 'scroll'].includes(getComputedStyle(el).overflowX);
               if (box.right > page + 1 || el.scrollWidth > el.clientWidth + 1 && !clips) {
                 wide.push(el.tagName.toLowerCase() + '.' + el.className + ': ' + Math.round(box.right) + '/' + el.scrollWidth + ' > ' + page);
               }
             }
             const main = document.querySelector('main');
             if (main.scrollWidth > main.clientWidth + 1) wide.push('the page scrolls sideways');
             return wide;",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(found).unwrap()
}

/// Internal ids in `text`: "user 3", "unit 2", "member 12", "Challenge 1".
fn internal_ids(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for word in [
        "user",
        "unit",
        "member",
        "election",
        "challenge",
        "question",
    ] {
        let marker = format!("{word} ");
        for (at, _) in lower.match_indices(&marker) {
            let rest = &lower[at + marker.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                found.push(format!("{marker}{digits}"));
            }
        }
    }
    found
}

/// The certificate as it prints on A4 and on US Letter: laid out at each
/// page's printable width with the print rules (screenshots, and nothing
/// wider than the page), then printed to PDF by Chromium.
async fn check_printing(browser: &Browser, url: &str, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    // Printable widths in CSS pixels (96 a inch) inside 15 mm margins.
    for (paper, size, width_px) in [
        ("a4", PrintSize::A4, 680),
        ("letter", PrintSize::US_LETTER, 703),
    ] {
        browser
            .client
            .set_window_size(width_px, 1100)
            .await
            .unwrap();
        visit(&browser.client, url).await;
        emulate_print(browser, true).await;
        let wide = overflowing(browser).await;
        assert!(wide.is_empty(), "printed on {paper}, too wide: {wide:?}");
        full_page_screenshot(browser, &format!("{name}-print-{paper}")).await;
        emulate_print(browser, false).await;
        let margins = PrintMargins {
            top: 1.5,
            bottom: 1.5,
            left: 1.5,
            right: 1.5,
        };
        let pdf = browser
            .client
            .print(
                PrintConfiguration::builder()
                    .size(size)
                    .margins(margins)
                    .shrink_to_fit(false)
                    .build()
                    .unwrap(),
            )
            .await
            .expect("Chromium prints the page");
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        std::fs::write(dir.join(format!("{name}-{paper}.pdf")), pdf).unwrap();
    }
    browser.client.set_window_size(1280, 900).await.unwrap();
}

#[tokio::test]
async fn an_officer_opens_a_strike_vote_a_member_votes_and_finds_their_code() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let client = &browser.client;
    let local = |minutes: i64| {
        (app.config.clock.now() + chrono::Duration::minutes(minutes))
            .and_utc()
            .with_timezone(&app.config.timezone)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };

    // The officer drafts, publishes and opens it.
    sign_in(client, &app, "officer@example.org", "Olive Organa").await;
    visit(client, &app.url("/officer/elections/new")).await;
    expect_heading(client, "New election").await;
    fill(client, "title", "Strike authorization, winter").await;
    set_value(client, "opens_at", &local(4 * 24 * 60)).await;
    set_value(client, "closes_at", &local(5 * 24 * 60)).await;
    fill(client, "q1_text", "Do you authorize a strike?").await;
    press(client, "Save the draft").await;
    expect_heading(client, "Strike authorization, winter").await;
    type_into(
        client,
        "textarea[name='trustees']",
        "chief@example.org\nsteward@example.org\npriya.raman@example.org",
    )
    .await;
    press(client, "Name the trustees").await;
    wait_for_text(client, ".flash", "3 trustees named").await;
    press(client, "Publish the roll for challenges").await;
    wait_for_text(client, ".flash", "Roll published").await;
    let admin_url = client.current_url().await.unwrap().to_string();
    let id = admin_url.rsplit('/').next().unwrap().to_owned();
    // The trustees' devices make the key (each on their own computer).
    app.make_key(id.parse().unwrap());

    // Sarah challenges her own entry; the officer must give a reason to
    // reject it, and does.
    sign_in(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &app.url(&format!("/elections/{id}"))).await;
    type_into(
        client,
        "textarea[name='reason']",
        "I retire on 30 November, before the vote closes, so I should not be on the roll.",
    )
    .await;
    press(client, "Send the challenge").await;
    wait_for_text(client, ".flash", "Your challenge is recorded").await;
    sign_in(client, &app, "officer@example.org", "Olive Organa").await;
    visit(client, &admin_url).await;
    press(client, "Reject").await;
    wait_for_text(client, ".field .error", "Give the reason for the decision.").await;
    browser
        .screenshot("elections-01a-decision-needs-a-reason")
        .await;
    type_into(
        client,
        "textarea[name='resolution']",
        "The roll is drawn on the cut-off date, when Sarah was a member in good standing; retiring later does not take her off it.",
    )
    .await;
    press(client, "Reject").await;
    wait_for_text(client, ".flash", "rejected").await;
    press(client, "Freeze the roll and open the vote now").await;
    wait_for_text(client, ".flash", "Voting is open").await;
    browser
        .screenshots_at_each_width(&admin_url, "elections-01-officer-open")
        .await;

    // Sarah votes.
    sign_in(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &app.url(&format!("/elections/{id}"))).await;
    // She is told the decision and the reason on the election's page.
    let told = client.source().await.unwrap();
    assert!(told.contains("Decision: rejected."), "{told}");
    assert!(told.contains("retiring later does not take her off it"));
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}")),
            "elections-01b-member-told-the-decision",
        )
        .await;
    click(client, Locator::LinkText("Vote now")).await;
    expect_heading(client, "Your ballot").await;
    click(client, Locator::XPath("//label[normalize-space(.)='Yes']")).await;
    browser.screenshot("elections-02-ballot").await;
    // The booth's script confirms on the page: the choice never leaves it.
    press(client, "Review my vote").await;
    wait_for_text(client, "#booth", "Confirm your vote").await;
    wait_for_text(client, "#booth", "this server never sees your choice").await;
    browser.screenshot("elections-03-confirm").await;
    let first = wait_for(client, "#booth-tracker")
        .await
        .text()
        .await
        .unwrap();
    // She checks one encryption first: it holds Yes, and is never cast.
    press(client, "Check this encryption first").await;
    let check = wait_for_text(client, "#booth-check", "This encryption holds:").await;
    assert!(check.contains("Yes"), "{check}");
    assert!(
        check.contains(&first),
        "the checked one is the one shown: {check}"
    );
    browser.screenshot("elections-03b-checked-encryption").await;
    let fresh = wait_for(client, "#booth-tracker")
        .await
        .text()
        .await
        .unwrap();
    assert_ne!(
        fresh, first,
        "a new encryption is cast, not the checked one"
    );
    press(client, "Cast my vote").await;
    expect_heading(client, "Your vote is cast").await;
    let code = wait_for(client, ".tracking-code code")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(code, fresh, "the receipt names the ballot cast");
    client.set_window_size(390, 844).await.unwrap();
    browser.screenshot("elections-04-receipt-phone").await;
    client.set_window_size(1280, 800).await.unwrap();

    // Miguel's browser runs no script: the ballot page says before he
    // confirms that the server will encrypt for him, and the record says so.
    let Some(plain) = Browser::start_without_javascript().await else {
        return;
    };
    let without = &plain.client;
    sign_in(without, &app, "miguel.santos@example.org", "Miguel Santos").await;
    visit(without, &app.url(&format!("/elections/{id}/ballot"))).await;
    expect_heading(without, "Your ballot").await;
    click(without, Locator::XPath("//label[normalize-space(.)='No']")).await;
    press(without, "Review my vote").await;
    // With the booth's script running, this would be its in-page confirm.
    let told = wait_for_text(
        without,
        "main",
        "This server will encrypt your ballot for you",
    )
    .await;
    assert!(told.contains("encrypted by the server"), "{told}");
    plain
        .screenshot("elections-03c-confirm-without-javascript")
        .await;
    press(without, "Cast my vote").await;
    expect_heading(without, "Your vote is cast").await;
    let miguels = wait_for(without, ".tracking-code code")
        .await
        .text()
        .await
        .unwrap();
    drop(plain);

    // The officer closes it early, with a reason.
    sign_in(client, &app, "officer@example.org", "Olive Organa").await;
    visit(client, &admin_url).await;
    fill(client, "reason", "Demonstration: closed early").await;
    press(client, "Close the vote now").await;
    wait_for_text(client, ".flash", "Closed early").await;
    // Two of the three trustees decrypt the sums.
    let election: i64 = id.parse().unwrap();
    app.decrypt(election);
    let record = unionhall::elections::store::record::text(&mut app.db(), election).unwrap();
    let report = unionhall::record::verify::verify(&record, Some(&code));
    assert!(report.passed(), "{}", report.to_text());
    assert_eq!(
        report.by,
        [1, 1, 0],
        "Sarah's browser encrypted her ballot, the server Miguel's"
    );
    assert!(report.tracker_line.flatten().is_some());
    let miguels_report = unionhall::record::verify::verify(&record, Some(&miguels));
    assert!(miguels_report.tracker_line.flatten().is_some());
    visit(client, &admin_url).await;

    // The officer prints the certificate: it names the people, the unit
    // and the question, and fits the page.
    click(client, Locator::LinkText("Certification report")).await;
    expect_heading(client, "Certification of the result").await;
    let certificate = client.current_url().await.unwrap().to_string();
    let text = client
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for expected in [
        "Olive Organa",
        "Sarah Okafor",
        "Guild Staff",
        "Do you authorize a strike?",
    ] {
        assert!(
            text.contains(expected),
            "{expected} in the certificate:\n{text}"
        );
    }
    assert_eq!(internal_ids(&text), Vec::<String>::new(), "in:\n{text}");
    browser
        .screenshots_at_each_width(&certificate, "elections-06-certificate")
        .await;
    for (label, width, height) in crate::browser::VIEWPORTS {
        client.set_window_size(width, height).await.unwrap();
        visit(client, &certificate).await;
        let wide = overflowing(&browser).await;
        assert!(wide.is_empty(), "at {label} width, too wide: {wide:?}");
        full_page_screenshot(&browser, &format!("elections-06-certificate-{label}-whole")).await;
    }
    client.set_window_size(1280, 900).await.unwrap();
    check_printing(&browser, &certificate, "elections-06-certificate").await;

    // Sarah sees the result and finds her code.
    sign_in(client, &app, "sarah.okafor@example.org", "Sarah Okafor").await;
    visit(client, &app.url(&format!("/elections/{id}"))).await;
    expect_heading(client, "Strike authorization, winter").await;
    let source = client.source().await.unwrap();
    assert!(source.contains("The result"));
    assert!(source.contains(&code), "her tracking code is listed");
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}")),
            "elections-05-member-result",
        )
        .await;
    // She checks the record in her browser, which trusts nothing the
    // server says of it, and finds her tracker there.
    visit(client, &app.url(&format!("/elections/{id}/verify"))).await;
    type_into(client, "input[name='tracker']", &code).await;
    press(client, "Check").await;
    let result = wait_for_text(client, "#verify-result", "Checked in your browser").await;
    assert!(result.contains("The record verifies"), "{result}");
    assert!(
        result.contains(&format!(
            "A ballot with the tracker {code} is in the record."
        )),
        "her tracker: {result}"
    );
    browser
        .screenshots_at_each_width(
            &app.url(&format!("/elections/{id}/verify?tracker={code}")),
            "elections-07-member-checks-the-record",
        )
        .await;
}
