//! Two-factor sign-in: time-based codes (RFC 6238) from an authenticator
//! app, and single-use recovery codes for when the phone is lost.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use totp_rs::{Algorithm, Secret, Totp};

use super::tokens::hash_token;
use crate::db::DbConnection;
use crate::db::schema::{recovery_codes as rc, users};

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// A new random 160-bit secret, base32 as apps expect.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::Rng::fill(&mut rand::rngs::OsRng, &mut bytes);
    Secret::from(bytes.to_vec()).to_base32()
}

fn totp(secret: &str, account: &str, issuer: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(issuer.replace(':', "")))
        .build()
        .ok()
}

/// The `otpauth://` address an authenticator app scans.
pub fn provisioning_url(secret: &str, account: &str, issuer: &str) -> Option<String> {
    totp(secret, account, issuer)?.to_url().ok()
}

/// The QR code of the provisioning address, as an SVG drawn on the server.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Drawn inline in the page, so the XML declaration goes.
    let start = svg.find("<svg")?;
    Some(svg[start..].to_owned())
}

/// Checks a six-digit code at `unix_seconds`; returns the time step it
/// matched when that step is newer than `last_step`, so a code that was
/// already used (or an older one) is refused.
pub fn check_code(
    secret: &str,
    code: &str,
    unix_seconds: u64,
    last_step: Option<i64>,
) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = i64::try_from(totp(secret, "x", "x")?.check(&digits, unix_seconds)?).ok()?;
    match last_step {
        Some(last) if step <= last => None,
        _ => Some(step),
    }
}

/// The code an app would show at `unix_seconds` (tests and the benchmark act as the app).
pub fn current_code(secret: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret, "x", "x")?.generate(unix_seconds).to_string())
}

/// Records the step a code was accepted at.
pub fn remember_step(conn: &mut DbConnection, user_id: i64, step: i64) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::totp_last_step.eq(step))
        .execute(conn)
        .map(drop)
}

/// The secret waiting to be confirmed by a first code, made and stored on
/// first asking so a reload shows the same QR code.
pub fn pending_secret(conn: &mut DbConnection, user_id: i64) -> QueryResult<String> {
    let existing: Option<String> = users::table
        .find(user_id)
        .select(users::totp_pending_secret)
        .first(conn)?;
    if let Some(secret) = existing {
        return Ok(secret);
    }
    let secret = new_secret();
    diesel::update(users::table.find(user_id))
        .set(users::totp_pending_secret.eq(&secret))
        .execute(conn)?;
    Ok(secret)
}

/// A user's two-factor secrets: the one in use, and the one awaiting its
/// first code.
pub fn secrets(
    conn: &mut DbConnection,
    user_id: i64,
) -> QueryResult<(Option<String>, Option<String>)> {
    users::table
        .find(user_id)
        .select((users::totp_secret, users::totp_pending_secret))
        .first(conn)
}

/// Turns two-factor on with `secret`, confirmed by a code at `step`.
pub fn enable(conn: &mut DbConnection, user_id: i64, secret: &str, step: i64) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::totp_secret.eq(secret),
            users::totp_pending_secret.eq(None::<String>),
            users::totp_last_step.eq(step),
        ))
        .execute(conn)
        .map(drop)
}

/// Turns two-factor off and voids the recovery codes.
pub fn disable(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::totp_secret.eq(None::<String>),
            users::totp_pending_secret.eq(None::<String>),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)?;
    Ok(())
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Replaces a user's recovery codes with new ones and returns them to show once.
pub fn new_recovery_codes(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<String>> {
    // No 0/O or 1/I, so a code written on paper reads back the same.
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    diesel::delete(rc::table.filter(rc::user_id.eq(user_id))).execute(conn)?;
    let mut rng = rand::rngs::OsRng;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw: String = (0..10)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        diesel::insert_into(rc::table)
            .values((rc::user_id.eq(user_id), rc::code_hash.eq(hash_token(&raw))))
            .execute(conn)?;
        codes.push(format!("{}-{}", &raw[..5], &raw[5..]));
    }
    Ok(codes)
}

/// Uses a recovery code up; true when it was valid and unused.
pub fn use_recovery_code(
    conn: &mut DbConnection,
    user_id: i64,
    code: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let normalized = normalize_recovery(code);
    if normalized.len() != 10 {
        return Ok(false);
    }
    let changed = diesel::update(
        rc::table
            .filter(rc::user_id.eq(user_id))
            .filter(rc::code_hash.eq(hash_token(&normalized)))
            .filter(rc::used_at.is_null()),
    )
    .set(rc::used_at.eq(now))
    .execute(conn)?;
    Ok(changed == 1)
}

/// How many unused recovery codes remain.
pub fn recovery_codes_left(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    rc::table
        .filter(rc::user_id.eq(user_id))
        .filter(rc::used_at.is_null())
        .count()
        .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_in_its_window_and_only_once() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = current_code(&secret, now).unwrap();
        let step = check_code(&secret, &code, now, None).expect("accepted");
        assert_eq!(
            check_code(&secret, &code, now, Some(step)),
            None,
            "not twice"
        );
        assert!(
            check_code(&secret, &code, now + 30, None).is_some(),
            "one step of skew"
        );
        assert_eq!(
            check_code(&secret, &code, now + 120, None),
            None,
            "too late"
        );
        assert_eq!(check_code(&secret, "12345", now, None), None);
        assert_eq!(check_code(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_provisioning_url() {
        let url = provisioning_url(&new_secret(), "sarah@example.org", "Guild Staff").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
    }
}
