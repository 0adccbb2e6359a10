//! The worker inside `serve` that drains the outbox.

use tokio::sync::watch;

use super::outbox::{self, OutboxMessage};
use super::{MailWaker, Transport};
use crate::clock::Clock;
use crate::config::OutboxSettings;
use crate::db::DbPool;

// Enough to keep the relay busy, few enough that the lease covers them all
// even when each send runs to its time-out (see `OutboxSettings::lease`).
const BATCH: i64 = 10;

/// Drains the outbox until `shutdown` turns true.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Database pool.
    pub pool: DbPool,
    /// Where messages go.
    pub transport: Transport,
    /// The From: address.
    pub from: String,
    /// Timing and retry policy.
    pub settings: OutboxSettings,
    /// Woken when mail is queued in this process.
    pub waker: MailWaker,
    /// The time retries are scheduled by; tests move it on.
    pub clock: Clock,
}

impl Worker {
    /// Runs until told to stop; a database hiccup is logged and retried at
    /// the next tick rather than ending the loop.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let claimed = match self.tick().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: cannot reach the database");
                    0
                }
            };
            if claimed as i64 == BATCH {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
                _ = self.waker.woken() => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// Claims one batch, sends it and records each result. Returns how many
    /// messages it claimed.
    pub async fn tick(&self) -> Result<usize, String> {
        let (lease, retry_for) = (self.settings.lease, self.settings.retry_for);
        let pool = self.pool.clone();
        let at = self.clock.now();
        let batch = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            outbox::claim_due_at(&mut conn, BATCH, lease, at, retry_for).map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())??;
        let count = batch.len();
        for message in batch {
            let result = self.transport.send(&message, &self.from).await;
            self.record(&message, result).await?;
        }
        Ok(count)
    }

    async fn record(
        &self,
        message: &OutboxMessage,
        result: Result<(), super::transport::SendError>,
    ) -> Result<(), String> {
        let pool = self.pool.clone();
        let settings = self.settings.clone();
        let (id, attempts) = (message.id, message.attempts);
        let at = self.clock.now();
        let retry_until = message
            .retry_until
            .unwrap_or_else(|| outbox::after(at, settings.retry_for));
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            match result {
                Ok(()) => outbox::mark_sent(&mut conn, id, at),
                Err(e) if e.permanent => {
                    tracing::warn!(id, error = %e, "outbox: refused for good; parked");
                    outbox::mark_failed(
                        &mut conn,
                        id,
                        &format!("Refused for good by the mail server: {}", e.message),
                    )
                }
                Err(e) if at >= retry_until => {
                    tracing::warn!(id, attempts, error = %e, "outbox: retry period over; parked");
                    outbox::mark_failed(
                        &mut conn,
                        id,
                        &format!(
                            "Still failing after {} of tries ({attempts} tries); the last: {}",
                            in_words(settings.retry_for),
                            e.message
                        ),
                    )
                }
                Err(e) => {
                    let delay = outbox::backoff(attempts, settings.retry_base, settings.retry_cap);
                    // The last try falls at the period's end, not a cap's length before it.
                    let next = outbox::after(at, delay).min(retry_until);
                    tracing::info!(id, attempts, ?delay, error = %e, "outbox: will retry");
                    outbox::mark_retry(&mut conn, id, next, &e.message)
                }
            }
            .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

/// "2 days", "36 hours", "90 minutes": a retry period as people say it.
pub fn in_words(period: std::time::Duration) -> String {
    let minutes = period.as_secs() / 60;
    let (n, unit) = if minutes.is_multiple_of(24 * 60) && minutes > 0 {
        (minutes / (24 * 60), "day")
    } else if minutes.is_multiple_of(60) && minutes > 0 {
        (minutes / 60, "hour")
    } else if minutes > 0 {
        (minutes, "minute")
    } else {
        (period.as_secs(), "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn a_retry_period_is_said_in_the_largest_whole_unit() {
        assert_eq!(super::in_words(Duration::from_secs(48 * 3600)), "2 days");
        assert_eq!(super::in_words(Duration::from_secs(36 * 3600)), "36 hours");
        assert_eq!(super::in_words(Duration::from_secs(3600)), "1 hour");
        assert_eq!(super::in_words(Duration::from_secs(90 * 60)), "90 minutes");
        assert_eq!(super::in_words(Duration::from_millis(1500)), "1 second");
    }
}
