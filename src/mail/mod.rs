//! Email: messages are rendered from template pairs and written to the
//! outbox inside the caller's transaction; the worker sends them later, so a
//! slow or dead mail server never holds up a page.
//!
//! Delivery is at least once. A message is claimed with a lease, sent, then
//! marked sent. If the process dies after the server accepted a message but
//! before it was marked, the lease runs out and the message is sent again
//! with the same `Message-ID`, which lets mail clients fold the duplicate.
//! The window is the few milliseconds between the server's "250" and the
//! update; losing a message is never the outcome.

pub mod messages;
pub mod outbox;
pub mod outbox_view;
pub mod preferences;
pub mod transport;
pub mod worker;

use std::sync::Arc;

use rand::RngCore;

pub use transport::Transport;

/// A message ready for the outbox: both bodies rendered, one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, showing the same content.
    pub html: String,
    /// Which template made it, for the outbox page and tests.
    pub template: &'static str,
    /// Its bodies are scrubbed from the outbox once it is delivered or
    /// parked (a ballot receipt, say).
    pub sensitive: bool,
}

/// Something that can be mailed: each kind of notice implements this with an
/// askama text template and an HTML template.
pub trait Notice {
    /// The template pair's name under `templates/email/`.
    const TEMPLATE: &'static str;
    /// Whether the bodies carry a secret that must not outlive delivery:
    /// the outbox scrubs them once the message is sent or parked.
    const SENSITIVE: bool = false;
    /// The subject line.
    fn subject(&self) -> String;
    /// Renders the plain-text body.
    fn text(&self) -> askama::Result<String>;
    /// Renders the HTML body.
    fn html(&self) -> askama::Result<String>;

    /// Renders both bodies for one recipient.
    fn to(&self, recipient: &str) -> askama::Result<Email> {
        Ok(Email {
            to: recipient.to_owned(),
            subject: self.subject(),
            text: self.text()?,
            html: self.html()?,
            template: Self::TEMPLATE,
            sensitive: Self::SENSITIVE,
        })
    }
}

/// Implements `Notice` for a struct from its pair of templates, whose data
/// is the struct as `m`:
///
/// ```ignore
/// notice!(Invitation, "invitation", "email/invitation.txt", "email/invitation.html",
///     |m| format!("You're invited to {}", m.local_name));
/// ```
///
/// The kind's name is stored with each queued message; the paths are
/// written out because askama reads them as they stand.
macro_rules! notice {
    ($ty:ident, $kind:literal, $text:tt, $html:tt, |$m:ident| $subject:expr) => {
        const _: () = {
            use askama::Template as _;

            #[derive(askama::Template)]
            #[template(path = $text)]
            struct Text<'a> {
                m: &'a $ty,
            }

            #[derive(askama::Template)]
            #[template(path = $html)]
            struct Html<'a> {
                m: &'a $ty,
            }

            impl $crate::mail::Notice for $ty {
                const TEMPLATE: &'static str = $kind;

                fn subject(&self) -> String {
                    let $m = self;
                    $subject
                }

                fn text(&self) -> askama::Result<String> {
                    Text { m: self }.render()
                }

                fn html(&self) -> askama::Result<String> {
                    Html { m: self }.render()
                }
            }
        };
    };
}

pub(crate) use notice;

/// Wakes the worker in this process right after a transaction that queued
/// mail commits; workers in other processes find it on their next poll.
#[derive(Debug, Clone, Default)]
pub struct MailWaker(Arc<tokio::sync::Notify>);

impl MailWaker {
    /// Tells the worker there is mail to look at.
    pub fn wake(&self) {
        self.0.notify_one();
    }

    async fn woken(&self) {
        self.0.notified().await;
    }
}

/// A `Message-ID` that stays with the message across retries, so a resend
/// after a crash is recognisably the same message.
pub fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("<{}@{}>", hex::encode(bytes), domain)
}
