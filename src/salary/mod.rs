//! Salary-floor comparisons: classification floors, scenarios, reference
//! costs, the arithmetic, and the pages and charts that put scenarios side
//! by side. Officers see individual rows; members see aggregates (no group
//! under three people) and their own line.

pub mod calc;
pub mod charts;
pub mod demo;
pub mod disclosure;
pub mod forms;
pub mod input;
pub mod store;
pub mod views;
