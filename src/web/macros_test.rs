//! Renders `_macros.html` the way forms will, to pin down what a user sees.

use askama::Template;

use crate::forms::FieldErrors;

#[derive(Template)]
#[template(path = "testing/field.html")]
struct FieldForm<'a> {
    errors: FieldErrors,
    email: &'a str,
    password: &'a str,
    units: Vec<(i64, String)>,
    unit: &'a str,
    summary: &'a str,
}

fn units() -> Vec<(i64, String)> {
    vec![(1, "Editorial".into()), (2, "Production".into())]
}

#[test]
fn a_field_with_an_error_keeps_the_typing_and_ties_the_message_to_the_input() {
    let mut errors = FieldErrors::new();
    errors.add("email", "Enter an email address like name@example.org.");
    let html = FieldForm {
        errors,
        email: "sarah\"<okafor>@example",
        password: "hunter2-secret",
        units: units(),
        unit: "2",
        summary: "",
    }
    .render()
    .unwrap();
    assert!(
        html.contains("<label for=\"email\">Email address</label>"),
        "{html}"
    );
    assert!(
        html.contains("value=\"sarah&#34;&#60;okafor&#62;@example\""),
        "typing kept, escaped: {html}"
    );
    assert!(html.contains("id=\"email-error\""));
    assert!(
        html.contains("aria-describedby=\"email-hint email-error\""),
        "{html}"
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("There is a problem"));
    assert!(
        !html.contains("hunter2-secret"),
        "a password is never sent back"
    );
}

#[test]
fn a_clean_field_has_no_error_marks() {
    let html = FieldForm {
        errors: FieldErrors::new(),
        email: "",
        password: "",
        units: units(),
        unit: "",
        summary: "",
    }
    .render()
    .unwrap();
    assert!(!html.contains("aria-invalid"));
    assert!(!html.contains("error-summary"));
    assert!(html.contains("autocomplete=\"email\""));
}

#[test]
fn a_select_and_a_textarea_show_their_errors_like_an_input() {
    let mut errors = FieldErrors::new();
    errors.add("unit", "Choose a unit.");
    errors.add("summary", "Say what happened.");
    let html = FieldForm {
        errors,
        email: "",
        password: "",
        units: units(),
        unit: "2",
        summary: "<b>kept</b>",
    }
    .render()
    .unwrap();
    assert!(html.contains("There are 2 problems"), "{html}");
    assert!(
        html.contains("<option value=\"2\" selected>Production</option>"),
        "{html}"
    );
    assert!(html.contains("<option value=\"1\">Editorial</option>"));
    assert!(html.contains("id=\"unit-error\">Choose a unit.</p>"));
    assert!(html.contains("aria-describedby=\"unit-error\""));
    assert!(html.contains("rows=\"6\""));
    assert!(
        html.contains("&#60;b&#62;kept&#60;/b&#62;</textarea>"),
        "typing kept, escaped: {html}"
    );
    assert!(html.contains("aria-describedby=\"summary-error\""));
}
