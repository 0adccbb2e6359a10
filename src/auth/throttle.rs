//! Slowing down password and code guessing, in the database so every
//! server process counts the same failures.
//!
//! Counters meet each sign-in: the account, the account from this address,
//! and this address. Past a few free failures each further try on a counter
//! must wait a delay that doubles, up to a cap (a minute for the account,
//! fifteen for the others, so the guesser themself is slowed to a crawl).
//!
//! The guesser pays, not the owner. A browser the account has fully signed
//! in from before carries a signed mark (see [`super::device`]); a correct
//! password (and code) from it is never delayed by the account-wide counter,
//! nor by any address's: it meets only its own counter of the account's
//! known devices, which wrong tries from such a browser feed (five free,
//! then doubling to fifteen minutes, so a stolen mark guesses slower than a
//! stranger). A stranger rotating addresses cannot forge a mark, so however
//! the attack is spread, the owner at a known browser gets in at the first
//! try. From a browser not yet known the account counter still applies but
//! counts only failures (a try is counted in advance and taken back when
//! the password was right, so parallel guesses cannot slip past), capped at
//! 60 s: once an attack stops the owner waits at most a minute; while it
//! goes on, a new browser may be kept waiting, and the owner's way in from
//! it is a reset link, whose new password marks that browser known.
//! Checks run before the password is read, so a refused try tells nobody
//! whether the password was right.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::throttle as t;

/// How one counter slows things down.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before any delay.
    pub free: i32,
    /// The longest delay.
    pub cap: Duration,
}

/// The account, from anywhere.
pub const ACCOUNT: Policy = Policy {
    free: 5,
    cap: Duration::seconds(60),
};
/// The account from one address.
pub const ACCOUNT_FROM_ADDRESS: Policy = Policy {
    free: 5,
    cap: Duration::minutes(15),
};
/// One address, whatever accounts it tries.
pub const ADDRESS: Policy = Policy {
    free: 50,
    cap: Duration::minutes(15),
};
/// The known devices of one account (a browser that carries its mark).
pub const KNOWN_DEVICE: Policy = Policy {
    free: 5,
    cap: Duration::minutes(15),
};
// Failures this old no longer count.
const FORGET_AFTER: Duration = Duration::hours(24);

/// The delay that `failures` earn under `policy`: none for the free ones,
/// then 1 s, 2 s, 4 s… up to the cap.
pub fn delay(policy: Policy, failures: i32) -> Duration {
    if failures < policy.free {
        return Duration::zero();
    }
    let doublings = u32::try_from(failures - policy.free).unwrap_or(0).min(20);
    Duration::seconds(1i64 << doublings).min(policy.cap)
}

/// How long to wait before the next try is allowed, over several counters.
pub fn wait(
    conn: &mut DbConnection,
    keys: &[(String, Policy)],
    now: NaiveDateTime,
) -> QueryResult<Duration> {
    let mut longest = Duration::zero();
    for (key, policy) in keys {
        let row: Option<(i32, NaiveDateTime)> = t::table
            .find(key)
            .select((t::failures, t::last_failure_at))
            .first(conn)
            .optional()?;
        if let Some((failures, last)) = row {
            let earned = delay(*policy, failures);
            // No delay earned is no wait, even when another request stamped
            // the counter a moment after this one read the clock.
            if earned.is_zero() || now - last > FORGET_AFTER {
                continue;
            }
            longest = longest.max(last + earned - now);
        }
    }
    Ok(longest)
}

/// Counts a failure on each counter. Each count is one statement (an
/// upsert), so failures counted at the same moment by several server
/// processes all count.
pub fn fail(
    conn: &mut DbConnection,
    keys: &[(String, Policy)],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for (key, _) in keys {
        // Failures older than a day start the count again.
        diesel::update(
            t::table
                .find(key)
                .filter(t::last_failure_at.lt(now - FORGET_AFTER)),
        )
        .set(t::failures.eq(0))
        .execute(conn)?;
        macro_rules! upsert {
            ($c:expr) => {
                diesel::insert_into(t::table)
                    .values((
                        t::key.eq(key),
                        t::failures.eq(1),
                        t::last_failure_at.eq(now),
                    ))
                    .on_conflict(t::key)
                    .do_update()
                    .set((t::failures.eq(t::failures + 1), t::last_failure_at.eq(now)))
                    .execute($c)
            };
        }
        match conn {
            DbConnection::Postgres(c) => upsert!(c),
            DbConnection::Sqlite(c) => upsert!(c),
        }?;
    }
    Ok(())
}

/// Starts a try: when a counter in `check` says to wait, returns how long
/// (and counts nothing); otherwise counts the try as a failure in advance
/// on the `ahead` counters and returns zero, so tries on one account made
/// in parallel cannot all slip past the check while the password is being
/// hashed. Call [`succeeded`] when the try succeeds. A counter shared by
/// many people (one address: a meeting hall behind one router) is left out
/// of `ahead` and counts real failures only, so other people's correct
/// sign-ins in flight never make anyone wait.
pub fn begin_attempt(
    conn: &mut DbConnection,
    check: &[(String, Policy)],
    ahead: &[(String, Policy)],
    now: NaiveDateTime,
) -> QueryResult<Duration> {
    let due = wait(conn, check, now)?;
    if due > Duration::zero() {
        return Ok(due);
    }
    fail(conn, ahead, now)?;
    Ok(Duration::zero())
}

/// After a success: forgets the `forget` counters and takes back the count
/// made in advance on the `refund` ones.
pub fn succeeded(
    conn: &mut DbConnection,
    forget: &[(String, Policy)],
    refund: &[(String, Policy)],
) -> QueryResult<()> {
    clear(conn, forget)?;
    for (key, _) in refund {
        diesel::update(t::table.find(key).filter(t::failures.gt(0)))
            .set(t::failures.eq(t::failures - 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets the counters after a success.
pub fn clear(conn: &mut DbConnection, keys: &[(String, Policy)]) -> QueryResult<()> {
    for (key, _) in keys {
        diesel::delete(t::table.find(key)).execute(conn)?;
    }
    Ok(())
}

/// The counters a password sign-in meets.
pub fn sign_in_keys(email: &str, ip: &str) -> [(String, Policy); 3] {
    [
        (format!("account:{email}"), ACCOUNT),
        (format!("account-ip:{email}|{ip}"), ACCOUNT_FROM_ADDRESS),
        (format!("ip:{ip}"), ADDRESS),
    ]
}

/// The counter of wrong tries from browsers known to an account, for one
/// part of sign-in ("sign-in", "second-factor").
pub fn known_device_key(kind: &str, user_id: i64) -> [(String, Policy); 1] {
    [(format!("{kind}-device:{user_id}"), KNOWN_DEVICE)]
}

/// The counters of one part of sign-in, a per-account one ("totp", "reset").
pub fn account_keys(kind: &str, account: &str, ip: &str) -> [(String, Policy); 2] {
    [
        (format!("{kind}:{account}"), ACCOUNT),
        (format!("{kind}-ip:{account}|{ip}"), ACCOUNT_FROM_ADDRESS),
    ]
}

/// "Wait 8 seconds" in words.
pub fn describe(wait: Duration) -> String {
    // Rounded up: "wait 1 second" must not be said of 1.9 seconds.
    let seconds = ((wait.num_milliseconds() + 999) / 1000).max(1);
    if seconds < 60 {
        format!("{seconds} second{}", if seconds == 1 { "" } else { "s" })
    } else {
        let minutes = (seconds + 59) / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_delay_doubles_to_the_cap() {
        let delays: Vec<i64> = (0..14).map(|n| delay(ACCOUNT, n).num_seconds()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(delay(ACCOUNT_FROM_ADDRESS, 40), Duration::minutes(15));
    }

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(describe(Duration::seconds(1)), "1 second");
        assert_eq!(describe(Duration::seconds(8)), "8 seconds");
        assert_eq!(describe(Duration::milliseconds(1990)), "2 seconds");
        assert_eq!(describe(Duration::seconds(61)), "2 minutes");
    }
}
