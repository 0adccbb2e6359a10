//! What every handler can reach. Kept apart from `app` (which imports every
//! handler) so that handlers import this and nothing imports `app`.

use crate::auth::password::Hasher;
use crate::config::Config;
use crate::db::DbPool;
use crate::mail::MailWaker;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub config: Config,
    /// Database pool.
    pub pool: DbPool,
    /// Nudges this process's mail worker after mail is queued.
    pub mail_waker: MailWaker,
    /// Password hashing, bounded so sign-ins cannot starve pages.
    pub hasher: Hasher,
}
