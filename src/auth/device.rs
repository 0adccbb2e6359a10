//! Browsers an account has fully signed in from before ("known devices").
//!
//! After every complete sign-in (password, and the code when enrolled) the
//! browser gets a long-lived HttpOnly cookie holding a mark per account:
//! HMAC-SHA-256 under `SECRET_KEY` of the account's id and its current
//! password hash, which serves as the per-account device nonce (its salt is
//! random and it is replaced at every password change or reset, so a new
//! password forgets every device). Nothing but the server can make a mark,
//! and a mark names no account. The throttle uses it to tell the owner from
//! a stranger: see [`super::throttle`].

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE: &str = "uh_device";
// A browser shared by a few people (a family, an office) remembers each.
const MAX_MARKS: usize = 5;
// 128 bits of the HMAC, as hex.
const MARK_LEN: usize = 32;
// Browsers cap a cookie's life at about 400 days anyway.
const LIFETIME_DAYS: i64 = 365;

/// The mark of `user_id` whose password hash is `nonce`.
fn mark(secret: &[u8], user_id: i64, nonce: &str) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"device\0");
    mac.update(user_id.to_string().as_bytes());
    mac.update(b"\0");
    mac.update(nonce.as_bytes());
    let mut hex = hex::encode(mac.finalize().into_bytes());
    hex.truncate(MARK_LEN);
    Some(hex)
}

fn marks(value: &str) -> impl Iterator<Item = &str> {
    value
        .split('.')
        .filter(|m| m.len() == MARK_LEN)
        .take(MAX_MARKS)
}

/// The marks this request's browser carries, as sent.
pub fn presented(req: &HttpRequest) -> String {
    req.cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default()
}

/// True when `presented` (see [`presented`]) holds the mark of this account
/// with this password hash.
pub fn recognises(secret: &[u8], presented: &str, user_id: i64, nonce: Option<&str>) -> bool {
    let Some(expected) = nonce.and_then(|n| mark(secret, user_id, n)) else {
        return false;
    };
    // Every mark is compared, so the time taken says nothing of which matched.
    marks(presented).fold(false, |found, m| {
        found | bool::from(m.as_bytes().ct_eq(expected.as_bytes()))
    })
}

/// The cookie that makes this browser known for the account, keeping the
/// other accounts it already knows (newest first, at most a few).
pub fn cookie(
    secret: &[u8],
    presented: &str,
    user_id: i64,
    nonce: &str,
    secure: bool,
) -> Option<Cookie<'static>> {
    let new = mark(secret, user_id, nonce)?;
    let mut kept = vec![new.clone()];
    kept.extend(
        marks(presented)
            .filter(|m| *m != new)
            .take(MAX_MARKS - 1)
            .map(str::to_owned),
    );
    Some(
        Cookie::build(COOKIE, kept.join("."))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .max_age(CookieDuration::days(LIFETIME_DAYS))
            .finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"key-one-key-one-key-one-key-one!";

    #[test]
    fn a_mark_is_for_one_account_one_password_and_one_key() {
        let cookie = cookie(KEY, "", 7, "$argon2id$one", false).unwrap();
        let value = cookie.value();
        assert!(recognises(KEY, value, 7, Some("$argon2id$one")));
        assert!(!recognises(KEY, value, 8, Some("$argon2id$one")), "account");
        assert!(
            !recognises(KEY, value, 7, Some("$argon2id$two")),
            "password"
        );
        assert!(!recognises(KEY, value, 7, None), "no password");
        assert!(
            !recognises(
                b"key-two-key-two-key-two-key-two!",
                value,
                7,
                Some("$argon2id$one")
            ),
            "key"
        );
        assert!(!recognises(KEY, "forged", 7, Some("$argon2id$one")));
    }

    #[test]
    fn a_browser_remembers_a_few_accounts_newest_first() {
        let mut value = String::new();
        for id in 1..=7 {
            value = cookie(KEY, &value, id, "h", false)
                .unwrap()
                .value()
                .to_owned();
        }
        let known: Vec<i64> = (1..=7)
            .filter(|id| recognises(KEY, &value, *id, Some("h")))
            .collect();
        assert_eq!(known, [3, 4, 5, 6, 7]);
        let again = cookie(KEY, &value, 5, "h", false).unwrap();
        assert_eq!(again.value().split('.').count(), 5, "no duplicate");
    }
}
