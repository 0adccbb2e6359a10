//! Where mail goes: an SMTP relay, or `.eml` files when none is configured.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header::MessageId};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::OutboxMessage;
use crate::config::MailTransportConfig;

/// How a send went wrong, and whether trying again could help.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused for good (5xx) or the message itself is unusable.
    pub permanent: bool,
    /// What went wrong, in the server's or the system's words.
    pub message: String,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            message: message.into(),
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        Self {
            permanent: false,
            message: message.into(),
        }
    }
}

/// The configured way out.
#[derive(Clone)]
pub enum Transport {
    /// An SMTP relay reached through lettre.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// One `.eml` file per message in this folder.
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp"),
            Self::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

impl Transport {
    /// Builds the transport. Must run inside the Tokio runtime because
    /// lettre's connection pool starts a task.
    pub fn from_config(config: &MailTransportConfig, timeout: Duration) -> Result<Self, String> {
        match config {
            MailTransportConfig::Files(dir) => {
                // Messages carry live reset and invitation links: this
                // user's only, and what an older version wrote is narrowed.
                crate::files::private_dir(dir)
                    .and_then(|()| crate::files::narrow_folder(dir))
                    .map_err(|e| format!("cannot create mail folder {}: {e}", dir.display()))?;
                Ok(Self::Files(dir.clone()))
            }
            MailTransportConfig::Smtp(raw) => smtp_from_url(raw, timeout).map(Self::Smtp),
        }
    }

    /// Sends one outbox message.
    pub async fn send(&self, message: &OutboxMessage, from: &str) -> Result<(), SendError> {
        let email = build_message(message, from)?;
        match self {
            Self::Smtp(smtp) => smtp.send(email).await.map(drop).map_err(classify),
            Self::Files(dir) => write_eml(dir, message.id, &email.formatted()).await,
        }
    }
}

/// `smtp://user:pass@host:587` speaks STARTTLS (required unless `?tls=none`,
/// meant for a relay on the same machine); `smtps://host:465` is TLS from
/// the first byte.
fn smtp_from_url(
    raw: &str,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("SMTP_URL: {e}"))?;
    let host = url.host_str().ok_or("SMTP_URL: names no host")?.to_owned();
    let tls_param = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let tls = || TlsParameters::new(host.clone()).map_err(|e| format!("SMTP_URL: {e}"));
    let (tls, default_port) = match (url.scheme(), tls_param.as_deref()) {
        ("smtps", _) => (Tls::Wrapper(tls()?), 465),
        ("smtp", None | Some("required")) => (Tls::Required(tls()?), 587),
        ("smtp", Some("opportunistic")) => (Tls::Opportunistic(tls()?), 587),
        ("smtp", Some("none")) => (Tls::None, 25),
        (scheme, tls) => {
            return Err(format!(
                "SMTP_URL: unsupported scheme {scheme:?} or tls={tls:?} (use smtp://, smtps://, ?tls=none|opportunistic|required)"
            ));
        }
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
        .port(url.port().unwrap_or(default_port))
        .tls(tls)
        .timeout(Some(timeout));
    if !url.username().is_empty() {
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        builder = builder.credentials(Credentials::new(
            decode(url.username()),
            decode(url.password().unwrap_or("")),
        ));
    }
    Ok(builder.build())
}

fn build_message(message: &OutboxMessage, from: &str) -> Result<Message, SendError> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| SendError::permanent(format!("MAIL_FROM is not an address: {e}")))?;
    let to: Mailbox = message.recipient.parse().map_err(|e| {
        SendError::permanent(format!(
            "recipient {:?} is not an address: {e}",
            message.recipient
        ))
    })?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(&message.subject)
        .header(MessageId::from(message.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            message.body_text.clone(),
            message.body_html.clone(),
        ))
        .map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
}

/// 5xx replies are final; everything else (4xx, time-outs, refused or broken
/// connections, TLS trouble) may clear up, so it is retried.
fn classify(error: lettre::transport::smtp::Error) -> SendError {
    let message = error.to_string();
    if error.is_permanent() {
        SendError::permanent(message)
    } else {
        SendError::transient(message)
    }
}

/// Writes through a temporary name and renames, so a reader never sees half
/// a message and a retry replaces the file instead of adding a second one.
async fn write_eml(dir: &std::path::Path, id: i64, content: &[u8]) -> Result<(), SendError> {
    let final_path = dir.join(format!("{id:08}.eml"));
    let temp_path = dir.join(format!(".{id:08}.eml.tmp"));
    let content = content.to_vec();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        crate::files::create_private(&temp_path)?.write_all(&content)?;
        std::fs::rename(&temp_path, &final_path)
    })
    .await
    .map_err(|e| SendError::transient(format!("mail file writer stopped: {e}")))?
    .map_err(|e| SendError::transient(format!("cannot write mail file: {e}")))
}
