//! Voting and filing a grievance with the keyboard alone: Tab and Shift+Tab
//! to move, Space to pick, Enter to send, and at every stop the focused
//! element shows that it has the focus. On a phone the header's "Menu"
//! opens from the keyboard too.

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use unionhall::grievances::calendar::DayCount;
use unionhall::users::Role;

use crate::browser::{Browser, check_page, expect_heading, visit, wait_for_text};
use crate::helpers::{PASSWORD, Stage, TestApp};
use crate::sign_in::sign_in_as;

/// Presses each key of `keys` in turn, as a keyboard does: to whatever has
/// the focus (the page itself if nothing does).
async fn press_keys(client: &Client, keys: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client.perform_actions(actions).await.unwrap();
}

/// Shift+Tab: Tab with Shift held down.
async fn shift_tab(client: &Client) {
    let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab })
        .then(KeyAction::Up { value: shift });
    client.perform_actions(actions).await.unwrap();
}

/// Describes the focused element, and panics unless the focus can be seen
/// on it: an outline or a shadow drawn around it.
async fn focused_and_visible(client: &Client) -> String {
    let seen = client
        .execute(
            "const el = document.activeElement;
             const style = getComputedStyle(el);
             const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
             const shadowed = style.boxShadow !== 'none';
             // Tab steps through a date field's own parts (the calendar
             // button after the year), which Chromium rings itself: the
             // field then has the focus without matching :focus.
             const part = el.type === 'date' && !el.matches(':focus');
             const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} \"${(el.textContent || el.value || '').trim().slice(0, 40)}\"`;
             return [`${name} (outline ${style.outlineStyle} ${style.outlineWidth}, :focus ${el.matches(':focus')})`, el !== document.body && (outlined || shadowed || part)];",
            vec![],
        )
        .await
        .unwrap();
    let name = seen[0].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        seen[1].as_bool(),
        Some(true),
        "the focus on {name} cannot be seen"
    );
    name
}

/// Presses Tab (or Shift+Tab, `back`) until the focused element `el` makes
/// the script `wanted` true, checking at each stop that the focus shows.
async fn tab_until(client: &Client, wanted: &str, back: bool) -> String {
    let mut passed = Vec::new();
    for _ in 0..40 {
        if back {
            shift_tab(client).await;
        } else {
            press_keys(client, &Key::Tab.to_string()).await;
        }
        let name = focused_and_visible(client).await;
        let found = client
            .execute(
                &format!("const el = document.activeElement; return Boolean({wanted});"),
                vec![],
            )
            .await
            .unwrap();
        if found.as_bool() == Some(true) {
            return name;
        }
        passed.push(name);
    }
    panic!("Tab never reached `{wanted}`; it went through {passed:#?}");
}

/// Types a date into the focused date field the way the browser's locale
/// orders its parts (month, day and year in some order).
async fn type_date(client: &Client, date: chrono::NaiveDate) {
    let order = client
        .execute(
            "return new Intl.DateTimeFormat().formatToParts(new Date(2026, 0, 2))
               .filter((p) => p.type !== 'literal').map((p) => p.type);",
            vec![],
        )
        .await
        .unwrap();
    let mut typed = String::new();
    for part in order.as_array().unwrap() {
        typed += &match part.as_str().unwrap() {
            "month" => date.format("%m").to_string(),
            "day" => date.format("%d").to_string(),
            _ => date.format("%Y").to_string(),
        };
    }
    press_keys(client, &typed).await;
}

#[tokio::test]
async fn a_member_votes_and_files_a_grievance_with_the_keyboard_alone() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let unit = app.grievance_unit(DayCount::Business);
    let sarah = app.create_user("sarah.okafor@example.org", "Sarah Okafor", &[Role::Member]);
    app.link_to_roster(sarah, "E1001");
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
        Stage::Open,
    );
    let client = &browser.client;
    sign_in_as(
        client,
        &app,
        "sarah.okafor@example.org",
        PASSWORD,
        "Sarah Okafor",
    )
    .await;

    // The ballot: Tab to the first answer, Space picks it, Enter reviews.
    visit(client, &app.url(&format!("/elections/{id}/ballot"))).await;
    expect_heading(client, "Your ballot").await;
    tab_until(client, "el.type === 'radio'", false).await;
    press_keys(client, " ").await;
    browser
        .screenshot("keyboard-01-ballot-answer-focused")
        .await;
    tab_until(client, "el.textContent.trim() === 'Review my vote'", false).await;
    // Back to the answer and forward again, as someone checking would.
    tab_until(client, "el.type === 'radio' && el.checked", true).await;
    tab_until(client, "el.textContent.trim() === 'Review my vote'", false).await;
    press_keys(client, &Key::Enter.to_string()).await;
    wait_for_text(client, "#booth", "Confirm your vote").await;
    tab_until(client, "el.textContent.trim() === 'Cast my vote'", false).await;
    browser.screenshot("keyboard-02-cast-focused").await;
    press_keys(client, &Key::Enter.to_string()).await;
    expect_heading(client, "Your vote is cast").await;

    // The grievance form, field by field.
    visit(client, &app.url("/grievances/new")).await;
    expect_heading(client, "File a grievance").await;
    tab_until(client, "el.id === 'incident_date'", false).await;
    let incident = app.config.today() - chrono::Days::new(5);
    type_date(client, incident).await;
    tab_until(client, "el.id === 'articles'", false).await;
    press_keys(client, "12.3").await;
    tab_until(client, "el.id === 'description'", false).await;
    press_keys(client, "My schedule was changed with one day's notice.").await;
    tab_until(client, "el.id === 'remedy'", false).await;
    press_keys(client, "Restore my schedule.").await;
    tab_until(client, "el.id === 'continuing_violation'", false).await;
    press_keys(client, " ").await;
    browser.screenshot("keyboard-03-grievance-box-ticked").await;
    // Shift+Tab goes back up the form without changing what was typed.
    tab_until(client, "el.id === 'remedy'", true).await;
    tab_until(
        client,
        "el.textContent.trim() === 'File the grievance'",
        false,
    )
    .await;
    press_keys(client, &Key::Enter.to_string()).await;
    expect_heading(client, "Grievance G-1").await;
    wait_for_text(client, ".flash", "Grievance G-1 filed.").await;
    let typed = client
        .execute("return document.querySelector('main').textContent;", vec![])
        .await
        .unwrap();
    let typed = typed.as_str().unwrap_or_default();
    assert!(
        typed.contains("Restore my schedule.") && typed.contains("12.3"),
        "{typed}"
    );
    assert!(
        typed.contains(&incident.format("%-d %b %Y").to_string())
            || typed.contains(&incident.to_string()),
        "the incident date typed is the one recorded: {typed}"
    );

    // On a phone the header's links are behind "Menu", which Enter opens.
    client.set_window_size(390, 844).await.unwrap();
    visit(client, &app.url("/")).await;
    tab_until(client, "el.tagName === 'SUMMARY'", false).await;
    press_keys(client, &Key::Enter.to_string()).await;
    tab_until(client, "el.textContent.trim() === 'Grievances'", false).await;
    browser.screenshot("keyboard-04-menu-open-phone").await;
    press_keys(client, &Key::Enter.to_string()).await;
    expect_heading(client, "Grievances").await;
    check_page(client).await;
    client.set_window_size(1280, 900).await.unwrap();
}
