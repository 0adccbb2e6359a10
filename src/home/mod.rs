//! The home page of a signed-in person as a list of what needs them: each
//! role's part is read by its own module, and every item links to where it
//! is dealt with.

pub mod member;
pub mod officer;
pub mod steward;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use crate::config::Config;
use crate::db::DbConnection;
use crate::users::{Role, User};

/// How much an item asks of the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Needs doing, or is late.
    Urgent,
    /// Worth knowing.
    Plain,
    /// Done; shown so the reader knows it is.
    Done,
}

impl Tone {
    /// The class the stylesheet marks it with.
    pub fn class(self) -> &'static str {
        match self {
            Self::Urgent => "todo-urgent",
            Self::Plain => "todo-plain",
            Self::Done => "todo-done",
        }
    }
}

/// One thing on the list: a link and what follows it.
#[derive(Debug, Clone)]
pub struct Item {
    pub href: String,
    pub label: String,
    pub detail: String,
    pub tone: Tone,
}

impl Item {
    pub fn new(href: impl Into<String>, label: impl Into<String>, tone: Tone) -> Self {
        Self {
            href: href.into(),
            label: label.into(),
            detail: String::new(),
            tone,
        }
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// A heading and its items; `nothing` says so when there are none.
#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub items: Vec<Item>,
    pub nothing: String,
}

impl Section {
    pub fn new(heading: &str, nothing: &str) -> Self {
        Self {
            heading: heading.into(),
            items: Vec::new(),
            nothing: nothing.into(),
        }
    }

    /// Puts what needs doing first, keeping the order within each tone.
    pub fn urgent_first(&mut self) {
        self.items.sort_by_key(|i| match i.tone {
            Tone::Urgent => 0,
            Tone::Plain => 1,
            Tone::Done => 2,
        });
    }

    /// How many items need doing.
    pub fn urgent(&self) -> usize {
        self.items.iter().filter(|i| i.tone == Tone::Urgent).count()
    }
}

/// When and for whom the list is read.
pub struct Reader<'a> {
    pub user: &'a User,
    pub now: NaiveDateTime,
    pub today: NaiveDate,
    pub config: &'a Config,
}

/// Every section the reader's roles bring: what waits on the officers
/// first, then the steward's deadlines, the member's own, and last the
/// officer's map of the app.
pub fn sections(conn: &mut DbConnection, reader: &Reader<'_>) -> QueryResult<Vec<Section>> {
    let officer = reader.user.can(Role::Officer);
    let mut sections = Vec::new();
    if officer {
        sections.push(officer::waiting(conn, reader)?);
    }
    if reader.user.can(Role::Steward) {
        sections.extend(steward::sections(conn, reader)?);
    }
    sections.extend(member::sections(conn, reader)?);
    if officer {
        sections.push(officer::areas());
    }
    Ok(sections)
}

/// At most `shown` of `items`, then one item leading to the rest.
pub fn capped(mut items: Vec<Item>, shown: usize, rest: impl FnOnce(usize) -> Item) -> Vec<Item> {
    if items.len() > shown {
        let more = items.len() - shown;
        items.truncate(shown);
        items.push(rest(more));
    }
    items
}
