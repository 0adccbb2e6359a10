//! The notices unionhall sends; each pairs a text and an HTML template.

/// Sent by `unionhall mail test ADDRESS` so an officer can check the mail set-up.
#[derive(Debug, Clone)]
pub struct TestMessage {
    /// The local's name.
    pub local_name: String,
    /// The site's address.
    pub site: String,
}

crate::mail::notice!(
    TestMessage,
    "test_message",
    "email/test_message.txt",
    "email/test_message.html",
    |m| format!("{}: test message from unionhall", m.local_name)
);

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

crate::mail::notice!(
    PasswordReset,
    "password_reset",
    "email/password_reset.txt",
    "email/password_reset.html",
    |m| format!("{}: choose a new password", m.local_name)
);

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

crate::mail::notice!(
    Invitation,
    "invitation",
    "email/invitation.txt",
    "email/invitation.html",
    |m| format!("You're invited to {} on unionhall", m.local_name)
);

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

crate::mail::notice!(
    ArrearsNotice,
    "arrears_notice",
    "email/arrears_notice.txt",
    "email/arrears_notice.html",
    |m| format!(
        "{}: your dues are {} behind",
        m.local_name,
        crate::plural::count(m.months_behind, "month", "months")
    )
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::Notice;

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
