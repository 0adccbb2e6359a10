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

/// A challenger told how their challenge to the roll was decided, and why.
/// It names whose entry was challenged and the reasons on both sides, so
/// the outbox forgets its body once it is delivered.
#[derive(Debug, Clone)]
pub struct ChallengeDecided(pub ElectionNotice);

const _: () = {
    use askama::Template as _;

    #[derive(askama::Template)]
    #[template(path = "email/election_challenge.txt")]
    struct Text<'a> {
        m: &'a ElectionNotice,
    }

    #[derive(askama::Template)]
    #[template(path = "email/election_challenge.html")]
    struct Html<'a> {
        m: &'a ElectionNotice,
    }

    impl Notice for ChallengeDecided {
        const TEMPLATE: &'static str = "election_challenge";
        const SENSITIVE: bool = true;

        fn subject(&self) -> String {
            self.0.subject()
        }

        fn text(&self) -> askama::Result<String> {
            Text { m: &self.0 }.render()
        }

        fn html(&self) -> askama::Result<String> {
            Html { m: &self.0 }.render()
        }
    }
};
