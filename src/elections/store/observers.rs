//! Observers: a person an officer gives a link to one election's public
//! record (a candidate's observer, a member's), without an account. The
//! link is the only key; the server keeps its hash.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::tokens::{hash_token, random_token};
use crate::db::DbConnection;
use crate::db::schema::election_observers as eo;

/// Makes a link for `name` to observe election `id`; returns the token.
pub fn create(
    conn: &mut DbConnection,
    id: i64,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = random_token();
    diesel::insert_into(eo::table)
        .values((
            eo::token_hash.eq(hash_token(&token)),
            eo::election_id.eq(id),
            eo::name.eq(name),
            eo::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The election a link observes, and its observer's name.
pub fn find(conn: &mut DbConnection, token: &str) -> QueryResult<Option<(i64, String)>> {
    eo::table
        .find(hash_token(token))
        .select((eo::election_id, eo::name))
        .first(conn)
        .optional()
}

/// The observers of an election, by name, for the officer's page.
pub fn of_election(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    eo::table
        .filter(eo::election_id.eq(id))
        .order(eo::name.asc())
        .select(eo::name)
        .load(conn)
}
