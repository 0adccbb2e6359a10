//! The dues roll: money, rates and good standing.

pub mod arrears;
pub mod checkoff;
pub mod checkoff_pages;
pub mod due;
pub mod handlers;
pub mod increase;
pub mod ledger;
pub mod member_ledger;
pub mod owed;
pub mod reversal;
pub mod reversal_pages;
pub mod rules;
