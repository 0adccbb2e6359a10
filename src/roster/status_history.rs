//! Membership status and join date as of a day. Every change an import or
//! an edit makes is kept with the day it takes effect; standing on a day
//! (and so an election's roll on its cut-off) reads the status of that day,
//! and a person who joined after the day is not a member on it.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::member_status_history as msh;
use crate::dues::rules::Status;

/// The day from which what a first import says is taken to have held: the
/// roster knows nothing earlier, and the join date says when membership began.
pub const SINCE_EVER: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(day) => day,
    None => NaiveDate::MIN,
};

/// One kept change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status from that day.
    pub status: Status,
    /// The join date as recorded with it.
    pub join_date: Option<NaiveDate>,
    /// The first day it holds.
    pub effective_from: NaiveDate,
    /// When it was written (UTC).
    pub recorded_at: NaiveDateTime,
    /// Who or what wrote it.
    pub recorded_by: String,
}

impl StatusChange {
    /// A member on `day` by this record: status member, and joined by then.
    pub fn member_on(&self, day: NaiveDate) -> bool {
        self.status == Status::Member && self.join_date.is_none_or(|joined| joined <= day)
    }

    /// The first day shown in words, "since the first import" for the
    /// earliest record.
    pub fn from_words(&self) -> String {
        if self.effective_from == SINCE_EVER {
            "on the first roster".into()
        } else {
            crate::clock::long_date(self.effective_from)
        }
    }
}

/// Keeps a status (and join date) of roster entry `member_id` from a day.
pub fn record(
    conn: &mut DbConnection,
    member_id: i64,
    status: Status,
    join_date: Option<NaiveDate>,
    effective_from: NaiveDate,
    now: NaiveDateTime,
    recorded_by: &str,
) -> QueryResult<()> {
    diesel::insert_into(msh::table)
        .values((
            msh::member_id.eq(member_id),
            msh::status.eq(status),
            msh::join_date.eq(join_date),
            msh::effective_from.eq(effective_from),
            msh::recorded_at.eq(now),
            msh::recorded_by.eq(recorded_by),
        ))
        .execute(conn)
        .map(drop)
}

type Row = (
    i64,
    Status,
    Option<NaiveDate>,
    NaiveDate,
    NaiveDateTime,
    String,
);

fn change((_, status, join_date, effective_from, recorded_at, recorded_by): Row) -> StatusChange {
    StatusChange {
        status,
        join_date,
        effective_from,
        recorded_at,
        recorded_by,
    }
}

fn columns() -> (
    msh::member_id,
    msh::status,
    msh::join_date,
    msh::effective_from,
    msh::recorded_at,
    msh::recorded_by,
) {
    (
        msh::member_id,
        msh::status,
        msh::join_date,
        msh::effective_from,
        msh::recorded_at,
        msh::recorded_by,
    )
}

/// Everyone's record in force on `day` (the latest to take effect by then;
/// of two for the same day, the later written), by roster entry. A person
/// with none by then is absent: they were not on the roster.
pub fn everyone_on(
    conn: &mut DbConnection,
    day: NaiveDate,
) -> QueryResult<HashMap<i64, StatusChange>> {
    let rows: Vec<Row> = msh::table
        .filter(msh::effective_from.le(day))
        .order((msh::effective_from.asc(), msh::id.asc()))
        .select(columns())
        .load(conn)?;
    Ok(rows.into_iter().map(|row| (row.0, change(row))).collect())
}

/// One roster entry's record in force on `day`.
pub fn member_on(
    conn: &mut DbConnection,
    member_id: i64,
    day: NaiveDate,
) -> QueryResult<Option<StatusChange>> {
    msh::table
        .filter(msh::member_id.eq(member_id))
        .filter(msh::effective_from.le(day))
        .order((msh::effective_from.desc(), msh::id.desc()))
        .select(columns())
        .first::<Row>(conn)
        .optional()
        .map(|row| row.map(change))
}

/// One roster entry's history, oldest first.
pub fn of_member(conn: &mut DbConnection, member_id: i64) -> QueryResult<Vec<StatusChange>> {
    let rows: Vec<Row> = msh::table
        .filter(msh::member_id.eq(member_id))
        .order((msh::effective_from.asc(), msh::id.asc()))
        .select(columns())
        .load(conn)?;
    Ok(rows.into_iter().map(change).collect())
}
