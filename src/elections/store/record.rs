//! An election's public record in the database: one row per line, written
//! in order inside the transaction of the act it records, so a line is
//! there exactly when its act is. The file members download is the rows'
//! lines joined.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::election_record as er;
use crate::record::chain::{Head, line_hash};
use crate::record::entry::Entry;

/// Where the record ends now.
pub fn head(conn: &mut DbConnection, id: i64) -> QueryResult<Head> {
    let last: Option<(i64, String)> = er::table
        .filter(er::election_id.eq(id))
        .order(er::seq.desc())
        .select((er::seq, er::line))
        .first(conn)
        .optional()?;
    Ok(match last {
        None => Head::empty(),
        Some((seq, line)) => Head {
            next_seq: seq as u64 + 1,
            hash: line_hash(&line),
        },
    })
}

/// Appends `entry`; the caller holds the election's row lock, so lines are
/// appended one at a time. Returns the head after it.
pub fn append(conn: &mut DbConnection, id: i64, entry: Entry) -> QueryResult<Head> {
    let (line, after) = head(conn, id)?.append(entry);
    diesel::insert_into(er::table)
        .values((
            er::election_id.eq(id),
            er::seq.eq(after.next_seq as i64 - 1),
            er::line.eq(line),
        ))
        .execute(conn)?;
    Ok(after)
}

/// The whole record as the file members download.
pub fn text(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    let lines: Vec<String> = er::table
        .filter(er::election_id.eq(id))
        .order(er::seq.asc())
        .select(er::line)
        .load(conn)?;
    Ok(lines.into_iter().map(|l| l + "\n").collect())
}

/// The hash of line 0, which every proof of the election is bound to.
pub fn fingerprint(conn: &mut DbConnection, id: i64) -> QueryResult<Option<[u8; 32]>> {
    let first: Option<String> = er::table
        .filter(er::election_id.eq(id))
        .filter(er::seq.eq(0))
        .select(er::line)
        .first(conn)
        .optional()?;
    Ok(first.map(|l| line_hash(&l)))
}

/// The entries written so far, parsed (they were written by this server).
pub fn entries(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<Entry>> {
    let lines: Vec<String> = er::table
        .filter(er::election_id.eq(id))
        .order(er::seq.asc())
        .select(er::line)
        .load(conn)?;
    Ok(lines
        .iter()
        .filter_map(|l| serde_json::from_str::<crate::record::entry::Line>(l).ok())
        .map(|l| l.entry)
        .collect())
}

/// The trustees' entries, which follow the election's line: read without
/// the rest of the record, so a cast does not read every ballot before it.
pub fn trustee_entries(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<Vec<crate::record::entry::TrusteeKey>> {
    let lines: Vec<String> = er::table
        .filter(er::election_id.eq(id))
        .filter(er::seq.ge(1))
        .order(er::seq.asc())
        .limit(i64::from(crate::elections::store::trustees::MAX_TRUSTEES as u32) + 1)
        .select(er::line)
        .load(conn)?;
    Ok(lines
        .iter()
        .filter_map(|l| serde_json::from_str::<crate::record::entry::Line>(l).ok())
        .map_while(|l| match l.entry {
            Entry::Trustee(t) => Some(t),
            _ => None,
        })
        .collect())
}

/// The counts the record's result line states, when the record ends in one
/// (an election closed before records began has none).
pub fn result_counts(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Vec<Vec<u64>>>> {
    let last: Option<String> = er::table
        .filter(er::election_id.eq(id))
        .order(er::seq.desc())
        .select(er::line)
        .first(conn)
        .optional()?;
    Ok(last
        .and_then(|l| serde_json::from_str::<crate::record::entry::Line>(&l).ok())
        .and_then(|l| match l.entry {
            Entry::Result(r) => Some(r.questions.into_iter().map(|q| q.counts).collect()),
            _ => None,
        }))
}
