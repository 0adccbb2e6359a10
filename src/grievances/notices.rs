//! The grievance emails: a new case (to the union side, and to its
//! grievants), an assignment (to the steward and the grievants), a step
//! change, and a deadline reminder. They name the case by number and never
//! quote its content, since mail leaves the building.

use diesel::prelude::*;

use crate::config::Config;
use crate::db::DbConnection;
use crate::db::schema::{grievances, users};
use crate::mail::preferences::{self, NoticeKind};
use crate::mail::{Notice, outbox};

/// One grievance email.
#[derive(Debug, Clone)]
pub struct GrievanceNotice {
    /// The local's name.
    pub local_name: String,
    /// The recipient's name.
    pub name: String,
    /// The subject after the local's name.
    pub subject: String,
    /// The paragraphs.
    pub lines: Vec<String>,
    /// The case page.
    pub link: String,
}

crate::mail::notice!(
    GrievanceNotice,
    "grievance",
    "email/grievance.txt",
    "email/grievance.html",
    |m| format!("{}: {}", m.local_name, m.subject)
);

/// Queues `subject`/`lines` about case `id` to each user who has not
/// turned off notices of `kind`; nothing about a voided case. Returns how
/// many were queued.
pub fn send(
    conn: &mut DbConnection,
    config: &Config,
    user_ids: &[i64],
    kind: NoticeKind,
    id: i64,
    subject: &str,
    lines: Vec<String>,
) -> QueryResult<usize> {
    // A case voided as filed in error is never mailed about again.
    let voided = grievances::table
        .find(id)
        .select(grievances::voided_at)
        .first::<Option<chrono::NaiveDateTime>>(conn)
        .optional()?
        .flatten();
    if voided.is_some() {
        return Ok(0);
    }
    let mut sent = 0;
    for &user_id in user_ids {
        let Some((email, name, active)) = users::table
            .find(user_id)
            .select((users::email, users::display_name, users::active))
            .first::<(String, String, bool)>(conn)
            .optional()?
        else {
            continue;
        };
        if !active || !preferences::wants(conn, user_id, kind)? {
            continue;
        }
        let message = GrievanceNotice {
            local_name: config.local_name.clone(),
            name,
            subject: subject.to_owned(),
            lines: lines.clone(),
            link: config.link(&format!("/grievances/{id}")),
        }
        .to(&email)
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        outbox::enqueue(conn, &message, &config.mail_domain())?;
        sent += 1;
    }
    Ok(sent)
}
