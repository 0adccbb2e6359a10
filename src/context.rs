//! Who acts, when, and under which settings: what every write needs to be
//! audited, dated and mailed, gathered once so a store function takes one
//! argument for it instead of four.

use chrono::{NaiveDate, NaiveDateTime};

use crate::audit::Actor;
use crate::config::Config;

/// One act's circumstances, read once so the act, its audit entry, its
/// timeline and its mail all carry the same time.
#[derive(Debug, Clone)]
pub struct Context {
    /// Who is acting.
    pub actor: Actor,
    /// When, in UTC.
    pub now: NaiveDateTime,
    /// The local's date at `now`: deadlines and cut-offs count from it.
    pub today: NaiveDate,
    /// The settings in force.
    pub config: Config,
}

impl Context {
    /// `actor` acting now, by the configured clock.
    pub fn new(config: &Config, actor: Actor) -> Self {
        Self {
            actor,
            now: config.clock.now(),
            today: config.today(),
            config: config.clone(),
        }
    }

    /// A command run at the server's shell.
    pub fn command_line(config: &Config) -> Self {
        Self::new(config, Actor::command_line())
    }
}
