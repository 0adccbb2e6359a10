//! Renders `_macros.html` the way forms will, to pin down what a user sees.

use askama::Template;

#[derive(Template)]
#[template(path = "testing/field.html")]
struct FieldForm<'a> {
    errors: usize,
    email: &'a str,
    email_error: &'a str,
    password: &'a str,
}

#[test]
fn a_field_with_an_error_keeps_the_typing_and_ties_the_message_to_the_input() {
    let html = FieldForm {
        errors: 1,
        email: "sarah\"<okafor>@example",
        email_error: "Enter an email address like name@example.org.",
        password: "hunter2-secret",
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
        errors: 0,
        email: "",
        email_error: "",
        password: "",
    }
    .render()
    .unwrap();
    assert!(!html.contains("aria-invalid"));
    assert!(!html.contains("error-summary"));
    assert!(html.contains("autocomplete=\"email\""));
}
