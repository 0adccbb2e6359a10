//! The clock-driven jobs: one loop inside every `serve` process moves
//! elections on, sends their scheduled reminders and the grievance deadline
//! reminders. Each job claims its work in the database, so several
//! processes can run the loop side by side and every effect happens once.

pub mod election_clock;
pub mod grievance_reminders;

use std::time::Duration;

use tokio::sync::watch;

use crate::config::Config;
use crate::db::DbPool;

/// Runs the job every `every` until `shutdown` turns true.
pub async fn run(
    pool: DbPool,
    config: Config,
    every: Duration,
    waker: crate::mail::MailWaker,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let (pool, job_config) = (pool.clone(), config.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            // Answers to repeated forms are kept a day, then forgotten.
            let kept_since = job_config.clock.now() - crate::web::once::KEEP_FOR;
            crate::web::once::purge(&mut conn, kept_since).map_err(|e| e.to_string())?;
            // Elections open and close by the clock in the same loop.
            election_clock::advance_due(&mut conn, &job_config, job_config.clock.now())
                .map_err(|e| e.to_string())?;
            grievance_reminders::run_once(
                &mut conn,
                &job_config,
                job_config.today(),
                job_config.clock.now(),
            )
            .map_err(|e| e.to_string())
        })
        .await;
        match outcome {
            Ok(Ok(n)) if n > 0 => {
                tracing::info!(reminders = n, "deadline reminders queued");
                waker.wake();
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "reminders: cannot reach the database"),
            Err(e) => tracing::warn!(error = %e, "reminders: job failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => return,
        }
    }
}
