//! The time as the app sees it. Production reads the system clock; tests
//! move it forward to reach an expiry without waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{NaiveDate, NaiveDateTime, Utc};

/// A clock that can be advanced; clones share the same offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC, as stored in the database.
    pub fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc()
            + chrono::Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Now as seconds since 1970, for two-factor codes.
    pub fn unix_seconds(&self) -> u64 {
        u64::try_from(self.now().and_utc().timestamp()).unwrap_or(0)
    }

    /// Sets this clock (and every clone of it) to `at`, from where it goes
    /// on running: a test that depends on the day of the month picks one.
    pub fn set_to(&self, at: NaiveDateTime) {
        let offset = (at - Utc::now().naive_utc()).num_seconds();
        self.offset_seconds.store(offset, Ordering::Relaxed);
    }

    /// A clock that reads `at` now and runs on from there, for a test or a
    /// demo that needs a given date.
    pub fn starting_at(at: NaiveDateTime) -> Self {
        let offset = (at - Utc::now().naive_utc()).num_seconds();
        Self {
            offset_seconds: Arc::new(AtomicI64::new(offset)),
        }
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: std::time::Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
    }
}

/// "Tue 1 Dec 2026, 14:05 CST": a stored moment (UTC) as the local reads
/// it, in its zone and naming the zone, so nobody converts in their head.
pub fn local_moment(zone: chrono_tz::Tz, at: NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M %Z")
        .to_string()
}

/// As [`local_moment`], to the second: for the audit log's order of events.
pub fn local_moment_exact(zone: chrono_tz::Tz, at: NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M:%S %Z")
        .to_string()
}

/// "Tue 1 Dec 2026": a date in words, never an ambiguous numeric order.
pub fn long_date(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}
