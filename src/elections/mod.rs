//! Strike votes and other elections: questions and rules, the roll drawn
//! from the dues roll with its challenges, secret ballots with tracking
//! codes, paper ballots, the close and the certified result.
//!
//! Secrecy rests on the tables: `ballots` and `ballot_answers` hold no
//! voter, no time and no key that follows the order of casting;
//! `participation` records who voted, keyed by member. A cast writes one row
//! in each in one transaction, so their counts always match.

pub mod rules;
