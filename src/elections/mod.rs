//! Strike votes and other elections: questions and rules, the roll drawn
//! from the dues roll with its challenges, secret ballots with tracking
//! codes, paper ballots, the close and the certified result.
//!
//! Secrecy rests on the tables: `ballots` and `ballot_answers` hold no
//! voter, no time and no key that follows the order of casting;
//! `participation` records who voted, keyed by member. A cast writes one row
//! in each in one transaction, so their counts always match.

pub mod admin;
pub mod ballot_form;
pub mod credential_cli;
pub mod demo;
pub mod disclosure;
pub mod notices;
pub mod rules;
pub mod states;
pub mod store;
pub mod voting;

use chrono::NaiveDateTime;

use crate::config::Config;

/// A stored UTC time as the local's clock shows it: "Mon 1 Dec 2026, 09:00".
pub fn local_time(config: &Config, at: NaiveDateTime) -> String {
    crate::clock::local_moment(config.timezone, at)
}

/// The template name of a ballot receipt, whose body the outbox drops
/// once it is delivered.
pub const RECEIPT_TEMPLATE: &str = "election_receipt";
