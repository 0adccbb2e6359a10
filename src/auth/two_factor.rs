//! Two-factor sign-in: time-based codes (RFC 6238) from an authenticator
//! app, and single-use recovery codes for when the phone is lost.
//!
//! The secrets are sealed at rest (ChaCha20-Poly1305 under a key derived
//! from `SECRET_KEY` with HKDF-SHA256 and a context string of its own), so
//! a copy of the database or a backup alone cannot mint codes. Each is
//! bound to its user, so a sealed secret moved to another row does not
//! open. A secret stored in clear by an older version still opens, and
//! start-up seals every such secret before the server answers anyone.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::{Rng, RngCore};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf;
use totp_rs::{Algorithm, Secret, Totp};

use super::tokens::hash_token;
use crate::db::DbConnection;
use crate::db::schema::{recovery_codes as rc, users};
use crate::error::AppError;

// A distinct context, so this key is never the one tokens or CSRF use.
const KEY_CONTEXT: &[u8] = b"unionhall: two-factor secrets at rest, v1";
const KEY_SALT: &[u8] = b"unionhall";
// Base32 secrets never hold a colon, so the two forms cannot be confused.
const SEALED_PREFIX: &str = "sealed1:";

/// The key two-factor secrets are sealed with, derived from `SECRET_KEY`.
#[derive(Clone)]
pub struct SecretBox {
    key: std::sync::Arc<LessSafeKey>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A sealed secret that this `SECRET_KEY` cannot open: the database was
/// written with another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "This server cannot read two-factor keys: it runs with a SECRET_KEY other than the one they were saved with. Nothing was changed; an operator must start the server with the SECRET_KEY this install had."
)]
pub struct WrongKey;

impl From<WrongKey> for AppError {
    fn from(error: WrongKey) -> Self {
        Self::BadRequest(error.to_string())
    }
}

/// Why a stored secret could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    /// The secret was sealed under another key.
    #[error(transparent)]
    WrongKey(#[from] WrongKey),
}

impl From<SecretError> for AppError {
    fn from(error: SecretError) -> Self {
        match error {
            SecretError::Db(e) => e.into(),
            SecretError::WrongKey(e) => e.into(),
        }
    }
}

impl SecretBox {
    /// The box for an install's `SECRET_KEY`.
    pub fn new(secret_key: &[u8]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, KEY_SALT).extract(secret_key);
        let okm = prk
            .expand(&[KEY_CONTEXT], &CHACHA20_POLY1305)
            .expect("a 32-byte key is within what HKDF-SHA256 can give");
        Self {
            key: std::sync::Arc::new(LessSafeKey::new(UnboundKey::from(okm))),
        }
    }

    /// The box for the running install.
    pub fn of(config: &crate::config::Config) -> Self {
        Self::new(&config.secret_key)
    }

    /// Seals `secret` for `user_id`: a fresh random nonce, then the
    /// ciphertext and its tag, in hex after the prefix.
    pub fn seal(&self, user_id: i64, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = secret.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                aad(user_id).as_aad(),
                &mut data,
            )
            .expect("a short secret is within what ChaCha20-Poly1305 can seal");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&data);
        format!("{SEALED_PREFIX}{}", hex::encode(sealed))
    }

    /// The secret as stored for `user_id`, opened; a clear one (an older
    /// version's) as it stands.
    pub fn open(&self, user_id: i64, stored: &str) -> Result<String, WrongKey> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = hex::decode(sealed).map_err(|_| WrongKey)?;
        if bytes.len() < NONCE_LEN {
            return Err(WrongKey);
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| WrongKey)?;
        let mut data = data.to_vec();
        let clear = self
            .key
            .open_in_place(nonce, aad(user_id).as_aad(), &mut data)
            .map_err(|_| WrongKey)?;
        String::from_utf8(clear.to_vec()).map_err(|_| WrongKey)
    }

    /// `open` for a column that may be empty.
    pub fn open_optional(
        &self,
        user_id: i64,
        stored: Option<&str>,
    ) -> Result<Option<String>, WrongKey> {
        stored.map(|s| self.open(user_id, s)).transpose()
    }
}

/// The user a secret belongs to, as the seal's associated data.
struct UserAad(String);

impl UserAad {
    fn as_aad(&self) -> Aad<&[u8]> {
        Aad::from(self.0.as_bytes())
    }
}

fn aad(user_id: i64) -> UserAad {
    UserAad(format!("user:{user_id}"))
}

/// True when a stored secret is sealed (not an older version's clear text).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// What start-up found in the two-factor columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SealReport {
    /// Clear secrets (an older version's) sealed now.
    pub sealed_now: usize,
    /// Sealed secrets this key cannot open.
    pub unreadable: usize,
    /// Secrets stored in all.
    pub total: usize,
}

/// Seals every secret still stored in clear, after checking that this key
/// opens every sealed one; with any it cannot open nothing is written, so a
/// wrong `SECRET_KEY` stops start-up instead of locking people out.
pub fn seal_clear_secrets(conn: &mut DbConnection, secrets: &SecretBox) -> QueryResult<SealReport> {
    let rows: Vec<(i64, Option<String>, Option<String>)> = users::table
        .filter(
            users::totp_secret
                .is_not_null()
                .or(users::totp_pending_secret.is_not_null()),
        )
        .select((users::id, users::totp_secret, users::totp_pending_secret))
        .load(conn)?;
    let mut report = SealReport::default();
    let stored = |row: &(i64, Option<String>, Option<String>)| {
        [row.1.clone(), row.2.clone()].into_iter().flatten()
    };
    for row in &rows {
        for value in stored(row) {
            report.total += 1;
            if secrets.open(row.0, &value).is_err() {
                report.unreadable += 1;
            }
        }
    }
    if report.unreadable > 0 {
        return Ok(report);
    }
    for (id, current, pending) in rows {
        let reseal = |value: Option<String>| match value {
            Some(v) if !is_sealed(&v) => Some(secrets.seal(id, &v)),
            _ => None,
        };
        if let Some(sealed) = reseal(current) {
            diesel::update(users::table.find(id))
                .set(users::totp_secret.eq(sealed))
                .execute(conn)?;
            report.sealed_now += 1;
        }
        if let Some(sealed) = reseal(pending) {
            diesel::update(users::table.find(id))
                .set(users::totp_pending_secret.eq(sealed))
                .execute(conn)?;
            report.sealed_now += 1;
        }
    }
    Ok(report)
}

/// Turns two-factor on with `secret` without a first code: the demo's
/// officer, and tests that act as an enrolled person.
pub fn store_secret(
    conn: &mut DbConnection,
    secrets: &SecretBox,
    user_id: i64,
    secret: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::totp_secret.eq(secrets.seal(user_id, secret)))
        .execute(conn)
        .map(drop)
}

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
pub fn pending_secret(
    conn: &mut DbConnection,
    secrets: &SecretBox,
    user_id: i64,
) -> Result<String, SecretError> {
    let existing: Option<String> = users::table
        .find(user_id)
        .select(users::totp_pending_secret)
        .first(conn)?;
    if let Some(stored) = existing {
        return Ok(secrets.open(user_id, &stored)?);
    }
    let secret = new_secret();
    diesel::update(users::table.find(user_id))
        .set(users::totp_pending_secret.eq(secrets.seal(user_id, &secret)))
        .execute(conn)?;
    Ok(secret)
}

/// A user's two-factor secrets, opened: the one in use, and the one
/// awaiting its first code.
pub fn secrets(
    conn: &mut DbConnection,
    secrets: &SecretBox,
    user_id: i64,
) -> Result<(Option<String>, Option<String>), SecretError> {
    let (current, pending): (Option<String>, Option<String>) = users::table
        .find(user_id)
        .select((users::totp_secret, users::totp_pending_secret))
        .first(conn)?;
    Ok((
        secrets.open_optional(user_id, current.as_deref())?,
        secrets.open_optional(user_id, pending.as_deref())?,
    ))
}

/// Turns two-factor on with `secret`, confirmed by a code at `step`.
pub fn enable(
    conn: &mut DbConnection,
    secrets: &SecretBox,
    user_id: i64,
    secret: &str,
    step: i64,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::totp_secret.eq(secrets.seal(user_id, secret)),
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
    fn a_sealed_secret_opens_with_its_key_and_user_only() {
        let secret = new_secret();
        let key = SecretBox::new(&[7u8; 32]);
        let sealed = key.seal(4, &secret);
        assert!(is_sealed(&sealed) && !sealed.contains(&secret), "{sealed}");
        assert_ne!(sealed, key.seal(4, &secret), "a fresh nonce each time");
        assert_eq!(key.open(4, &sealed), Ok(secret.clone()));
        assert_eq!(key.open(5, &sealed), Err(WrongKey), "bound to its user");
        assert_eq!(
            SecretBox::new(&[8u8; 32]).open(4, &sealed),
            Err(WrongKey),
            "another SECRET_KEY"
        );
        assert_eq!(
            key.open(4, &secret),
            Ok(secret.clone()),
            "an older clear one"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_of_the_provisioning_url() {
        let url = provisioning_url(&new_secret(), "sarah@example.org", "Guild Staff").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.contains("<svg"), "{svg}");
    }
}
