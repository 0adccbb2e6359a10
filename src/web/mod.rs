//! What every page shares: the layout's data, flash messages, security
//! headers, error pages, static files, and the public pages.

pub mod assets;
pub mod error_pages;
pub mod flash;
pub mod headers;
pub mod home;
pub mod layout;

#[cfg(test)]
mod macros_test;
