//! The dues roll: money, rates and good standing.

pub mod money;
pub mod rules;
