//! Election emails: opened, reminder, receipt and result. One template
//! pair; the subject says which.

use askama::Template;

use crate::mail::Notice;

/// One election email.
#[derive(Debug, Clone)]
pub struct ElectionNotice {
    pub local_name: String,
    pub name: String,
    pub subject: String,
    pub lines: Vec<String>,
    pub link: String,
}

#[derive(Template)]
#[template(path = "email/election.txt")]
struct Text<'a> {
    m: &'a ElectionNotice,
}

#[derive(Template)]
#[template(path = "email/election.html")]
struct Html<'a> {
    m: &'a ElectionNotice,
}

impl Notice for ElectionNotice {
    const TEMPLATE: &'static str = "election";

    fn subject(&self) -> String {
        format!("{}: {}", self.local_name, self.subject)
    }

    fn text(&self) -> askama::Result<String> {
        Text { m: self }.render()
    }

    fn html(&self) -> askama::Result<String> {
        Html { m: self }.render()
    }
}

/// The voter's receipt: the only record anywhere of their tracking code
/// next to their name, and the outbox forgets it once it is delivered.
#[derive(Debug, Clone)]
pub struct Receipt(pub ElectionNotice);

impl Notice for Receipt {
    const TEMPLATE: &'static str = super::RECEIPT_TEMPLATE;
    const SENSITIVE: bool = true;

    fn subject(&self) -> String {
        self.0.subject()
    }

    fn text(&self) -> askama::Result<String> {
        self.0.text()
    }

    fn html(&self) -> askama::Result<String> {
        self.0.html()
    }
}
