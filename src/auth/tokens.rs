//! Random secrets and the one-time links built from them (first-officer
//! setup, password reset, invitation). Only a hash of each is stored.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::db::schema::one_time_tokens as t;

/// 256 random bits, as 64 hex digits.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a secret: its SHA-256, in hex. A high-entropy secret
/// needs no slow hash; a slow one would only slow every request.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Creating the first officer; one hour.
    Setup,
    /// Choosing a new password after "forgot password"; thirty minutes.
    Reset,
    /// Setting a first password after an officer's invitation; seven days.
    Invite,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Reset => "reset",
            Self::Invite => "invite",
        }
    }

    /// How long a link of this kind stays valid.
    pub fn lifetime(self) -> Duration {
        match self {
            Self::Setup => Duration::hours(1),
            Self::Reset => Duration::minutes(30),
            Self::Invite => Duration::days(7),
        }
    }
}

/// Stores a new one-time token and returns the secret to put in the link.
pub fn issue(
    conn: &mut DbConnection,
    purpose: Purpose,
    user_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = random_token();
    diesel::insert_into(t::table)
        .values((
            t::token_hash.eq(hash_token(&token)),
            t::purpose.eq(purpose.as_str()),
            t::user_id.eq(user_id),
            t::created_at.eq(now),
            t::expires_at.eq(now + purpose.lifetime()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// How many links of `purpose` were issued for a user after `since`.
pub fn issued_since(
    conn: &mut DbConnection,
    purpose: Purpose,
    user_id: i64,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    t::table
        .filter(t::user_id.eq(user_id))
        .filter(t::purpose.eq(purpose.as_str()))
        .filter(t::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Ends every outstanding reset and invitation link of a user: called
/// whenever their password is set, so a link mailed before (to a mailbox
/// that may since have been read by someone else) cannot set it again.
/// Such a link reads as expired.
pub fn end_password_links(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        t::table
            .filter(t::user_id.eq(user_id))
            .filter(t::purpose.eq_any([Purpose::Reset.as_str(), Purpose::Invite.as_str()]))
            .filter(t::used_at.is_null())
            .filter(t::expires_at.gt(now)),
    )
    .set(t::expires_at.eq(now))
    .execute(conn)
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// Never issued (or mistyped).
    Unknown,
    /// Already used once.
    Used,
    /// Past its lifetime.
    Expired,
}

impl LinkProblem {
    /// What the person is told.
    pub fn message(self) -> &'static str {
        match self {
            Self::Unknown => {
                "This link is not valid. Check that you copied all of it, or ask for a new one."
            }
            Self::Used => {
                "This link has already been used. Each link works once; ask for a new one if you need it."
            }
            Self::Expired => {
                "This link has expired: links stop working after a while, and as soon as the password is changed. Ask for a new one."
            }
        }
    }
}

/// Checks a link without using it up: `Ok(user_id)` when it may be used.
pub fn check(
    conn: &mut DbConnection,
    purpose: Purpose,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<Option<i64>, LinkProblem>> {
    let row: Option<(Option<i64>, NaiveDateTime, Option<NaiveDateTime>)> = t::table
        .filter(t::token_hash.eq(hash_token(token)))
        .filter(t::purpose.eq(purpose.as_str()))
        .select((t::user_id, t::expires_at, t::used_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => Err(LinkProblem::Unknown),
        Some((_, _, Some(_))) => Err(LinkProblem::Used),
        Some((_, expires, None)) if expires <= now => Err(LinkProblem::Expired),
        Some((user, _, None)) => Ok(user),
    })
}

/// Uses a link up. Call inside the transaction that does what the link
/// allows; the conditional update makes a second, simultaneous use fail.
pub fn consume(
    conn: &mut DbConnection,
    purpose: Purpose,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<Option<i64>, LinkProblem>> {
    let user = match check(conn, purpose, token, now)? {
        Ok(user) => user,
        Err(problem) => return Ok(Err(problem)),
    };
    let changed = diesel::update(
        t::table
            .filter(t::token_hash.eq(hash_token(token)))
            .filter(t::used_at.is_null()),
    )
    .set(t::used_at.eq(now))
    .execute(conn)?;
    Ok(if changed == 1 {
        Ok(user)
    } else {
        Err(LinkProblem::Used)
    })
}
