//! The outbox table: queueing inside the caller's transaction, claiming with
//! a lease, and recording what happened.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Email, new_message_id};
use crate::db::schema::outbox;
use crate::db::{DbConnection, write_tx};

crate::db::text_enum::text_enum! {
    /// Where a message stands in the outbox.
    pub enum Status {
        /// Waiting to be sent (first try or a retry).
        Queued = "queued",
        /// Claimed by a worker whose lease has not run out.
        Sending = "sending",
        /// Accepted by the mail server or written to the mail folder.
        Sent = "sent",
        /// Parked: refused for good, or still failing when its retry period
        /// ran out. An officer may retry it, unless it carried a secret.
        Failed = "failed",
    }
}

/// One row of the outbox.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    /// Row id.
    pub id: i64,
    /// The `Message-ID` header, fixed when queued.
    pub message_id: String,
    /// The recipient's address.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML body.
    pub body_html: String,
    /// Template that produced it.
    pub template: String,
    /// queued, sending, sent or failed.
    pub status: Status,
    /// Sending attempts so far.
    pub attempts: i32,
    /// When the worker may next try it.
    pub next_attempt_at: NaiveDateTime,
    /// While sending: when the claim lapses.
    pub locked_until: Option<NaiveDateTime>,
    /// The last error, in the server's or the system's words.
    pub last_error: Option<String>,
    /// When it was queued (UTC).
    pub created_at: NaiveDateTime,
    /// When it was sent (UTC).
    pub sent_at: Option<NaiveDateTime>,
    /// Its bodies carry a secret and are removed once it is sent or parked.
    pub sensitive: bool,
    /// Set at its first try: past this, a failure parks it.
    pub retry_until: Option<NaiveDateTime>,
}

impl OutboxMessage {
    /// A sensitive message whose bodies are gone: nothing is left to send.
    pub fn content_removed(&self) -> bool {
        self.sensitive && self.body_text == SCRUBBED
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// `at` plus `duration`, saturating far in the future.
pub fn after(at: NaiveDateTime, duration: Duration) -> NaiveDateTime {
    chrono::Duration::from_std(duration)
        .ok()
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(NaiveDateTime::MAX)
}

/// Adds a message to the outbox. Call it inside the transaction of the act
/// that causes the message, so both commit or neither does.
pub fn enqueue(conn: &mut DbConnection, email: &Email, domain: &str) -> QueryResult<()> {
    let at = now();
    diesel::insert_into(outbox::table)
        .values((
            outbox::message_id.eq(new_message_id(domain)),
            outbox::recipient.eq(&email.to),
            outbox::subject.eq(&email.subject),
            outbox::body_text.eq(&email.text),
            outbox::body_html.eq(&email.html),
            outbox::template.eq(email.template),
            outbox::sensitive.eq(email.sensitive),
            outbox::status.eq(Status::Queued),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// `claim_due_at` on the system clock with the default retry period.
pub fn claim_due(
    conn: &mut DbConnection,
    limit: i64,
    lease: Duration,
) -> QueryResult<Vec<OutboxMessage>> {
    let retry_for = crate::config::OutboxSettings::default().retry_for;
    claim_due_at(conn, limit, lease, now(), retry_for)
}

/// Claims up to `limit` messages that are due at `at`, or whose previous
/// claimer's lease ran out, for `lease`. Claimed rows are skipped by other
/// workers: PostgreSQL locks them with `FOR UPDATE SKIP LOCKED`; SQLite lets
/// one writer at a time in. A message on its first try is due whatever the
/// clock says, and from then on may be retried for `retry_for`.
pub fn claim_due_at(
    conn: &mut DbConnection,
    limit: i64,
    lease: Duration,
    at: NaiveDateTime,
    retry_for: Duration,
) -> QueryResult<Vec<OutboxMessage>> {
    write_tx(conn, |conn| {
        macro_rules! due_ids {
            () => {
                outbox::table
                    .filter(
                        (outbox::status
                            .eq(Status::Queued)
                            .and(outbox::attempts.eq(0).or(outbox::next_attempt_at.le(at))))
                        .or(outbox::status
                            .eq(Status::Sending)
                            .and(outbox::locked_until.le(at))),
                    )
                    .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
                    .limit(limit)
                    .select(outbox::id)
            };
        }
        let ids: Vec<i64> = match conn {
            DbConnection::Postgres(pg) => due_ids!().for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(lite) => due_ids!().load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(Status::Sending),
                outbox::locked_until.eq(after(at, lease)),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        diesel::update(
            outbox::table.filter(outbox::id.eq_any(&ids).and(outbox::retry_until.is_null())),
        )
        .set(outbox::retry_until.eq(after(at, retry_for)))
        .execute(conn)?;
        outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .select(OutboxMessage::as_select())
            .load(conn)
    })
}

/// Records that the message left. Only a row still claimed is changed, so a
/// late worker cannot overwrite what an officer or another worker did.
pub fn mark_sent(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(claimed(id))
        .set((
            outbox::status.eq(Status::Sent),
            outbox::sent_at.eq(at),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    scrub_sensitive(conn, id)
}

/// A sensitive message (a ballot receipt pairs a voter with their tracking
/// code): once it is delivered, or given up on, the copy kept here would
/// undo the secret it carried.
fn scrub_sensitive(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::update(outbox::table.find(id).filter(outbox::sensitive.eq(true)))
        .set((
            outbox::body_text.eq(SCRUBBED),
            outbox::body_html.eq(SCRUBBED),
        ))
        .execute(conn)
        .map(drop)
}

/// What a delivered sensitive message's bodies become.
pub const SCRUBBED: &str =
    "(removed once delivered: it carried a secret, such as a ballot's tracking code)";

/// Puts a message back in the queue to be tried again at `next`.
pub fn mark_retry(
    conn: &mut DbConnection,
    id: i64,
    next: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(claimed(id))
        .set((
            outbox::status.eq(Status::Queued),
            outbox::next_attempt_at.eq(next),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}

/// Parks a message that will not go through without someone acting.
pub fn mark_failed(conn: &mut DbConnection, id: i64, error: &str) -> QueryResult<()> {
    diesel::update(claimed(id))
        .set((
            outbox::status.eq(Status::Failed),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)?;
    scrub_sensitive(conn, id)
}

/// The row `id` while it is still claimed by a worker.
type Claimed = diesel::dsl::Filter<
    outbox::table,
    diesel::dsl::And<diesel::dsl::Eq<outbox::id, i64>, diesel::dsl::Eq<outbox::status, Status>>,
>;

fn claimed(id: i64) -> Claimed {
    outbox::table.filter(outbox::id.eq(id).and(outbox::status.eq(Status::Sending)))
}

/// Sends a parked message again from the start, with a whole retry period
/// of its own: an officer's retry. Returns false when the message is not
/// parked (already sent, or still queued) or its content is gone.
pub fn retry_failed(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    let changed = diesel::update(
        outbox::table.filter(
            outbox::id
                .eq(id)
                .and(outbox::status.eq(Status::Failed))
                .and(
                    outbox::sensitive
                        .eq(false)
                        .or(outbox::body_text.ne(SCRUBBED)),
                ),
        ),
    )
    .set((
        outbox::status.eq(Status::Queued),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now()),
        outbox::retry_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// One message, for the officer's retry to say what it found.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OutboxMessage>> {
    outbox::table
        .find(id)
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()
}

/// The outbox, newest first, optionally of one status.
pub fn list(
    conn: &mut DbConnection,
    status: Option<Status>,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    list_from(conn, status, 0, limit)
}

/// `limit` messages from `offset`, newest first, with the status or any.
pub fn list_from(
    conn: &mut DbConnection,
    status: Option<Status>,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<OutboxMessage>> {
    let mut query = outbox::table
        .order(outbox::id.desc())
        .offset(offset.max(0))
        .limit(limit)
        .select(OutboxMessage::as_select())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status));
    }
    query.load(conn)
}

/// How many messages have the status, or any.
pub fn count(conn: &mut DbConnection, status: Option<Status>) -> QueryResult<i64> {
    let mut query = outbox::table.into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status));
    }
    query.count().get_result(conn)
}

/// How long to wait before attempt number `attempts + 1`: the base delay
/// doubled for each attempt already made, never more than the cap.
pub fn backoff(attempts: i32, base: Duration, cap: Duration) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    base.saturating_mul(1u32 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let base = Duration::from_secs(30);
        let cap = Duration::from_secs(3600);
        let delays: Vec<u64> = (1..=9).map(|a| backoff(a, base, cap).as_secs()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(1000, base, cap), cap);
        assert_eq!(backoff(0, base, cap), base);
    }
}
