//! One integration binary: each module drives the real server over HTTP
//! (or the real binary) against a real database.

#![allow(
    clippy::unwrap_used,
    reason = "a failed step in a test helper should stop the test"
)]

mod helpers;

mod access;
mod accounts;
mod at_rest;
mod credentials;
mod dues;
mod dues_as_of;
mod elections;
mod encrypted_votes;
mod grievances;
mod home_pages;
mod imports;
mod input;
mod migrations;
mod morning;
mod no_choice_kept;
mod offline_tools;
mod once;
mod outbox;
mod paging;
mod reaching;
mod roll_in_the_open;
mod roster;
mod salary;
mod sign_in_hardening;
mod startup;
mod web_shell;
