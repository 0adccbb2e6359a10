//! What the officer's outbox page says about each message: when it is next
//! tried, and for one that cannot do its job any more, why and what the
//! person it was for should do instead.

use chrono::NaiveDateTime;

use super::outbox::{OutboxMessage, Status};
use crate::auth::tokens::Purpose;

impl OutboxMessage {
    /// When the worker tries it next, in words.
    pub fn next_try(&self, zone: &chrono_tz::Tz) -> String {
        let zone = *zone;
        let at = |t: NaiveDateTime| crate::clock::local_moment(zone, t);
        match self.status {
            Status::Queued if self.attempts == 0 => "now".into(),
            Status::Queued => match self.retry_until {
                Some(until) => {
                    format!("{} (retried until {})", at(self.next_attempt_at), at(until))
                }
                None => at(self.next_attempt_at),
            },
            Status::Sending => "being sent now".into(),
            Status::Sent => match self.sent_at {
                Some(sent) => format!("sent {}", at(sent)),
                None => "sent".into(),
            },
            Status::Failed => "not tried again unless retried".into(),
        }
    }

    /// An officer's retry can send it: parked, and its content kept.
    pub fn can_retry(&self) -> bool {
        self.status == Status::Failed && !self.content_removed()
    }

    /// For a message that can no longer do its job (its content removed,
    /// or its link run out), what the person it was for should do.
    pub fn what_to_do(&self, now: NaiveDateTime) -> Option<String> {
        if self.content_removed() && self.status == Status::Failed {
            return Some(self.removed_in_words());
        }
        let (purpose, link, remedy) = match self.template.as_str() {
            "password_reset" => (
                Purpose::Reset,
                "reset link",
                "ask them to request a new one with \"Forgot your password?\" on the sign-in page",
            ),
            "invitation" => (
                Purpose::Invite,
                "invitation link",
                "invite them again from their page under Users",
            ),
            _ => return None,
        };
        let runs_out = self.created_at + purpose.lifetime();
        let late = match self.status {
            Status::Sent => self.sent_at.is_some_and(|at| at > runs_out),
            _ => now > runs_out,
        };
        late.then(|| {
            let lifetime = in_words(purpose.lifetime());
            match self.status {
                Status::Sent => format!(
                    "It was sent after its {link} ran out ({lifetime} after it was asked for): {remedy}."
                ),
                _ => format!(
                    "Its {link} lasted {lifetime} and has run out, so sending it now would deliver a dead link: {remedy}."
                ),
            }
        })
    }

    fn removed_in_words(&self) -> String {
        match self.template.as_str() {
            crate::elections::RECEIPT_TEMPLATE => "Cannot be sent again: it held the voter's ballot tracking code next to their name, which is kept nowhere else, so its content was removed when it was parked. The code was shown on screen when they voted; nobody can look it up for them. Their ballot is counted all the same.".into(),
            "election_challenge" => "Cannot be sent again: it named whose entry on the roll was challenged, so its content was removed when it was parked. The challenger can read the decision on the election's page.".into(),
            _ => "Cannot be sent again: it carried a secret, so its content was removed when it was parked.".into(),
        }
    }
}

fn in_words(span: chrono::Duration) -> String {
    super::worker::in_words(span.to_std().unwrap_or_default())
}
