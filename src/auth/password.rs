//! Passwords: what a new one must satisfy, and argon2id hashing off the
//! async threads with a bound on how many run at once.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::forms::FieldProblem;

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted, in characters.
pub const MAX_LENGTH: usize = 128;

// The most common passwords that are long enough to pass the length rule:
// the 12-character-and-longer entries of zxcvbn's 30,000 most common
// passwords (MIT), plus long ones people choose for a union site. Shorter
// common passwords are already refused by length.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().collect());

/// Why a new password was refused, in words for the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Under the minimum.
    #[error(
        "Use at least 12 characters. A few unrelated words make a password that is long and easy to remember."
    )]
    TooShort,
    /// Over the maximum.
    #[error("Use at most 128 characters.")]
    TooLong,
    /// On the list of common passwords.
    #[error(
        "That password is one of the most common ones and would be guessed quickly. Choose another."
    )]
    Common,
    /// Contains the person's email name or the local's name.
    #[error("Don't use your email name or the local's name in your password.")]
    Personal,
}

impl FieldProblem for PasswordProblem {
    fn field(&self) -> &'static str {
        "password"
    }
}

/// Why a new password and its repetition were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewPasswordProblem {
    /// The password breaks a rule.
    #[error(transparent)]
    Rule(#[from] PasswordProblem),
    /// The repetition differs.
    #[error("The two passwords are not the same. Type the new password twice.")]
    Mismatch,
}

impl FieldProblem for NewPasswordProblem {
    fn field(&self) -> &'static str {
        match self {
            Self::Rule(problem) => problem.field(),
            Self::Mismatch => "confirm",
        }
    }
}

/// A new password typed twice, as the `password` and `confirm` fields send it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewPasswordFields {
    /// The new password.
    #[serde(default)]
    pub password: String,
    /// The same again.
    #[serde(default)]
    pub confirm: String,
}

impl NewPasswordFields {
    /// The password when it satisfies the rules and was typed the same twice.
    pub fn check(&self, email: &str, local_name: &str) -> Result<&str, NewPasswordProblem> {
        check_new(&self.password, email, local_name)?;
        if self.password != self.confirm {
            return Err(NewPasswordProblem::Mismatch);
        }
        Ok(&self.password)
    }
}

/// Checks a new password against the rules: length, the common list, and
/// the person's email name and the local's name. No composition rules.
pub fn check_new(password: &str, email: &str, local_name: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    let email_name = email.split('@').next().unwrap_or_default().to_lowercase();
    let local = local_name.to_lowercase();
    let personal = [email_name.as_str(), local.as_str(), "unionhall"];
    if personal
        .iter()
        .any(|word| word.chars().count() >= 4 && lower.contains(word))
    {
        return Err(PasswordProblem::Personal);
    }
    Ok(())
}

/// The parameters every new hash uses: argon2id, 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// Hashes a password (slow on purpose: run it on the blocking pool).
pub fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored hash (slow on purpose).
pub fn verify_blocking(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// True when a stored hash is weaker than what is used now, so it is
/// replaced at the next successful sign-in.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    let wanted = Params::default();
    params.m_cost() < wanted.m_cost()
        || params.t_cost() < wanted.t_cost()
        || params.p_cost() < wanted.p_cost()
}

/// Hashing on the blocking pool, at most `limit` at once, so a storm of
/// sign-ins queues here instead of taking every core from page requests.
#[derive(Debug, Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    dummy: Arc<String>,
}

/// The server is too busy hashing to take another sign-in now.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("too many sign-ins at once")]
pub struct Busy;

// Beyond this a sign-in is told to try again rather than queue forever.
const MAX_WAIT: Duration = Duration::from_secs(20);

impl Hasher {
    /// A hasher that runs at most `limit` hashes at once.
    pub fn new(limit: usize) -> Self {
        // Unknown emails are checked against this, so they cost the same time.
        let dummy =
            hash_blocking("unionhall dummy password for unknown accounts").unwrap_or_default();
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
            dummy: Arc::new(dummy),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let permit = tokio::time::timeout(MAX_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Busy)?
            .map_err(|_| Busy)?;
        let result = tokio::task::spawn_blocking(move || {
            let result = job();
            drop(permit);
            result
        })
        .await
        .map_err(|_| Busy)?;
        Ok(result)
    }

    /// Verifies `password` against `stored`, or against a dummy hash when
    /// there is no stored hash, so the answer takes as long either way.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let dummy = self.dummy.clone();
        self.run(move || match stored {
            Some(hash) => verify_blocking(&password, &hash),
            None => {
                let _ = verify_blocking(&password, &dummy);
                false
            }
        })
        .await
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(|_| Busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(
            check_new("ñandú-ñandú", "a@x.org", "Local"),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(check_new("ñandú-ñandú-1", "a@x.org", "Local"), Ok(()));
        assert_eq!(
            check_new(&"x".repeat(129), "a@x.org", "Local"),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(
            check_new(&"long words ".repeat(12)[..128], "a@x.org", "Local"),
            Ok(())
        );
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        assert_eq!(
            check_new("QWERTY123456", "a@x.org", "Local"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("passwordpassword", "a@x.org", "Local"),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_new("sarah.okafor-rocks", "sarah.okafor@example.org", "Local"),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check_new("my guild staff union", "a@x.org", "Guild Staff"),
            Err(PasswordProblem::Personal)
        );
        assert_eq!(
            check_new("tin cup river spoon", "sarah@example.org", "Guild Staff"),
            Ok(())
        );
    }

    #[test]
    fn a_new_hash_is_argon2id_with_at_least_the_required_cost() {
        let hash = hash_blocking("tin cup river spoon").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking("tin cup river spoon", &hash));
        assert!(!verify_blocking("tin cup river spoons", &hash));
        assert!(!needs_rehash(&hash));
    }

    #[test]
    fn a_weaker_stored_hash_is_marked_for_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let hash = weak
            .hash_password(b"tin cup river spoon", &salt)
            .unwrap()
            .to_string();
        assert!(
            verify_blocking("tin cup river spoon", &hash),
            "still verifies"
        );
        assert!(needs_rehash(&hash));
        assert!(needs_rehash("not a hash"));
    }
}
