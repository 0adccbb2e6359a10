//! Election emails: opened, reminder, receipt and result. One template
//! pair; the subject says which.

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

crate::mail::notice!(
    ElectionNotice,
    "election",
    "email/election.txt",
    "email/election.html",
    |m| format!("{}: {}", m.local_name, m.subject)
);

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
