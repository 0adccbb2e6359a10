//! The public record of a strike vote: one append-only, hash-chained file
//! per election (`docs/record.md` is its specification). The server writes
//! it, trustees and members download it, and [`verify`] checks all of it
//! with nothing but the file, so no one need trust the server's count.

pub mod ballot;
pub mod chain;
pub mod entry;
pub mod hexcode;
pub mod sample;
pub mod tally;
pub mod vectors;
pub mod verify;

pub use chain::{Head, Record};
pub use entry::Entry;
