//! The notices unionhall sends; each pairs a text and an HTML template.

use askama::Template;

use super::Notice;

/// Sent by `unionhall mail test ADDRESS` so an officer can check the mail set-up.
#[derive(Debug, Clone)]
pub struct TestMessage {
    /// The local's name.
    pub local_name: String,
    /// The site's address.
    pub site: String,
}

#[derive(Template)]
#[template(path = "email/test_message.txt")]
struct TestMessageText<'a> {
    m: &'a TestMessage,
}

#[derive(Template)]
#[template(path = "email/test_message.html")]
struct TestMessageHtml<'a> {
    m: &'a TestMessage,
}

impl Notice for TestMessage {
    const TEMPLATE: &'static str = "test_message";

    fn subject(&self) -> String {
        format!("{}: test message from unionhall", self.local_name)
    }

    fn text(&self) -> askama::Result<String> {
        TestMessageText { m: self }.render()
    }

    fn html(&self) -> askama::Result<String> {
        TestMessageHtml { m: self }.render()
    }
}

/// A link to choose a new password, after "forgot password".
#[derive(Debug, Clone)]
pub struct PasswordReset {
    /// The local's name.
    pub local_name: String,
    /// The person's name.
    pub name: String,
    /// The one-time link.
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct PasswordResetText<'a> {
    m: &'a PasswordReset,
}

#[derive(Template)]
#[template(path = "email/password_reset.html")]
struct PasswordResetHtml<'a> {
    m: &'a PasswordReset,
}

impl Notice for PasswordReset {
    const TEMPLATE: &'static str = "password_reset";

    fn subject(&self) -> String {
        format!("{}: choose a new password", self.local_name)
    }

    fn text(&self) -> askama::Result<String> {
        PasswordResetText { m: self }.render()
    }

    fn html(&self) -> askama::Result<String> {
        PasswordResetHtml { m: self }.render()
    }
}

/// An officer's invitation to set a first password.
#[derive(Debug, Clone)]
pub struct Invitation {
    /// The local's name.
    pub local_name: String,
    /// The invited person's name.
    pub name: String,
    /// Who invited them.
    pub invited_by: String,
    /// The one-time link.
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    m: &'a Invitation,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    m: &'a Invitation,
}

impl Notice for Invitation {
    const TEMPLATE: &'static str = "invitation";

    fn subject(&self) -> String {
        format!("You're invited to {} on unionhall", self.local_name)
    }

    fn text(&self) -> askama::Result<String> {
        InvitationText { m: self }.render()
    }

    fn html(&self) -> askama::Result<String> {
        InvitationHtml { m: self }.render()
    }
}

/// A member's dues are behind.
#[derive(Debug, Clone)]
pub struct ArrearsNotice {
    /// The local's name.
    pub local_name: String,
    /// The member's name.
    pub name: String,
    /// What is owed, in words ("$218.43").
    pub owed: String,
    /// Whole months of dues owed.
    pub months_behind: i64,
    /// Where to read the statement.
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/arrears_notice.txt")]
struct ArrearsNoticeText<'a> {
    m: &'a ArrearsNotice,
}

#[derive(Template)]
#[template(path = "email/arrears_notice.html")]
struct ArrearsNoticeHtml<'a> {
    m: &'a ArrearsNotice,
}

impl Notice for ArrearsNotice {
    const TEMPLATE: &'static str = "arrears_notice";

    fn subject(&self) -> String {
        format!(
            "{}: your dues are {} months behind",
            self.local_name, self.months_behind
        )
    }

    fn text(&self) -> askama::Result<String> {
        ArrearsNoticeText { m: self }.render()
    }

    fn html(&self) -> askama::Result<String> {
        ArrearsNoticeHtml { m: self }.render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_body_escapes_what_the_text_body_keeps() {
        let message = TestMessage {
            local_name: "Guild <Local> & Co".into(),
            site: "http://127.0.0.1:8080".into(),
        };
        let email = message.to("officer@example.org").unwrap();
        assert_eq!(
            email.subject,
            "Guild <Local> & Co: test message from unionhall"
        );
        assert!(email.text.contains("Guild <Local> & Co"));
        assert!(
            email.html.contains("Guild &#60;Local&#62; &#38; Co"),
            "{}",
            email.html
        );
        assert!(email.text.contains("http://127.0.0.1:8080"));
        assert!(email.html.contains("href=\"http://127.0.0.1:8080\""));
    }
}
