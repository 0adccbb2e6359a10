//! Elections in the database, one file per job: drafts and their
//! questions, the roll and its challenges, the lifecycle (opening, closing,
//! the clock, the purge), casting, results, and reminders. Each function
//! runs inside the caller's transaction; handlers reach the tables only
//! through here.

pub mod casting;
pub mod challenges;
pub mod credentials;
pub mod draft;
pub mod lifecycle;
pub mod observers;
pub mod off_roll;
pub mod reach;
pub mod record;
pub mod reminders;
pub mod results;
pub mod roll;
pub mod trustees;
pub mod withdraw;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::states::{Phase, Status};
use crate::db::DbConnection;
use crate::db::schema::{elections as el, units};

pub use casting::{Refusal, cast, has_voted, not_voted, turnout, voters};
pub use draft::{ElectionDraft, Question, QuestionDraft, create, questions, update};
pub use lifecycle::{advance, close, open, purge, vacuum_ballot_tables};
pub use roll::{on_roll, publish, roll_lines};

/// An elections row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = el)]
pub struct ElectionRow {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub cutoff: NaiveDate,
    pub status: Status,
    pub roll_fingerprint: Option<String>,
    pub eligible: Option<i32>,
    pub close_reason: String,
    pub closed_at: Option<NaiveDateTime>,
    pub purged_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// How many trustees' shares decrypt the sums.
    pub threshold: i32,
    /// When the trustees' joint key was published.
    pub keyed_at: Option<NaiveDateTime>,
    /// Who makes the voting credentials; none for a vote without them.
    pub credential_officer_id: Option<i64>,
}

impl ElectionRow {
    /// True while ballots may be cast at `now` by the stored status: the
    /// cast moves the election on first, so this is what a cast checks.
    pub fn accepting(&self, now: NaiveDateTime) -> bool {
        self.status == Status::Open
            && self.closed_at.is_none()
            && now >= self.opens_at
            && now < self.closes_at
    }

    /// The fingerprint a page shows: the stored one, or, once the clock has
    /// passed the opening of a roll not yet frozen, the one the opening will
    /// store (no challenge changes the roll after the opening time).
    pub fn shown_fingerprint(
        &self,
        phase: Phase,
        roll: &[super::rules::RollLine],
    ) -> Option<String> {
        match (&self.roll_fingerprint, phase) {
            (Some(print), _) => Some(print.clone()),
            (None, Phase::Voting | Phase::Counting) => Some(super::rules::fingerprint(roll)),
            (None, _) => None,
        }
    }

    /// Where it stands at `now`, before the stored status catches up.
    pub fn phase(&self, now: NaiveDateTime) -> Phase {
        let by_clock = Phase::of(
            self.status,
            self.opens_at,
            self.closes_at,
            self.purged_at.is_some(),
            now,
        );
        match by_clock {
            // Never opened: past its closing time there is nothing to count.
            Phase::Voting | Phase::Counting
                if self.keyed_at.is_none() && self.status == Status::Published =>
            {
                Phase::AwaitingKey
            }
            // Closed early: the sums wait for the trustees before the time.
            Phase::Voting if self.closed_at.is_some() => Phase::Counting,
            other => other,
        }
    }
}

/// One election.
pub fn election(conn: &mut DbConnection, id: i64) -> QueryResult<ElectionRow> {
    el::table
        .find(id)
        .select(ElectionRow::as_select())
        .first(conn)
}

/// Every election, newest first, with its unit's name (the officer's list).
pub fn all_with_units(conn: &mut DbConnection) -> QueryResult<Vec<(ElectionRow, String)>> {
    el::table
        .inner_join(units::table)
        .order(el::id.desc())
        .select((ElectionRow::as_select(), units::name))
        .load(conn)
}

/// A unit's elections past the draft, the latest opening first.
pub fn of_unit(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Vec<ElectionRow>> {
    el::table
        .filter(el::unit_id.eq(unit_id))
        .filter(el::status.ne(Status::Draft))
        .order(el::opens_at.desc())
        .select(ElectionRow::as_select())
        .load(conn)
}

/// The name of the unit that votes.
pub fn unit_name(conn: &mut DbConnection, unit_id: i64) -> QueryResult<String> {
    units::table.find(unit_id).select(units::name).first(conn)
}

/// The units an election may be for: (id, name), by name.
pub fn units(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    units::table
        .order(units::name.asc())
        .select((units::id, units::name))
        .load(conn)
}

/// The election, locked for the rest of the transaction on PostgreSQL.
pub fn lock(conn: &mut DbConnection, id: i64) -> QueryResult<ElectionRow> {
    match conn {
        DbConnection::Postgres(pg) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .for_update()
            .first(pg),
        DbConnection::Sqlite(lite) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .first(lite),
    }
}
