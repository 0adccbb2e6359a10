//! The dues roll: money, rates and good standing.

pub mod checkoff;
pub mod checkoff_pages;
pub mod due;
pub mod handlers;
pub mod ledger;
pub mod rules;
