//! The worker inside `serve` that drains the outbox.

use tokio::sync::watch;

use super::outbox::{self, OutboxMessage};
use super::{MailWaker, Transport};
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
        let lease = self.settings.lease;
        let pool = self.pool.clone();
        let batch = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            outbox::claim_due(&mut conn, BATCH, lease).map_err(|e| e.to_string())
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
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            match result {
                Ok(()) => outbox::mark_sent(&mut conn, id),
                Err(e) if e.permanent => {
                    tracing::warn!(id, error = %e, "outbox: refused for good; parked");
                    outbox::mark_failed(&mut conn, id, &e.message)
                }
                Err(e) if attempts >= settings.max_attempts => {
                    tracing::warn!(id, attempts, error = %e, "outbox: out of attempts; parked");
                    outbox::mark_failed(
                        &mut conn,
                        id,
                        &format!("gave up after {attempts} attempts: {}", e.message),
                    )
                }
                Err(e) => {
                    let delay = outbox::backoff(attempts, settings.retry_base, settings.retry_cap);
                    tracing::info!(id, attempts, ?delay, error = %e, "outbox: will retry");
                    outbox::mark_retry(&mut conn, id, delay, &e.message)
                }
            }
            .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }
}
