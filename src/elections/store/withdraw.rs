//! Taking back a published vote whose trustees never made its key: it
//! returns to a draft, so the officer can change its dates or trustees and
//! publish it again. Without a key no ballot was ever taken, so nothing a
//! member did is lost but the roll's challenges, which are answered.

use diesel::prelude::*;

use super::{lock, trustees};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{
    election_record as er, election_trustees as et, elections as el, roll_challenges as rc,
    roll_entries as re,
};
use crate::elections::states::{ChallengeStatus, Status};

/// Returns published election `id` to a draft, with `reason` given to its
/// challengers and trustees. False when it is not published or its key
/// was made (then it opens, or has, and only closing ends it).
pub fn withdraw(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    reason: &str,
) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != Status::Published || row.keyed_at.is_some() {
        return Ok(false);
    }
    diesel::update(
        rc::table
            .filter(rc::election_id.eq(id))
            .filter(rc::status.eq(ChallengeStatus::Open)),
    )
    .set((
        rc::status.eq(ChallengeStatus::Rejected),
        rc::resolution.eq(format!(
            "The vote was taken back to a draft before it opened ({reason}); the roll will be drawn again when it is published."
        )),
        rc::resolved_at.eq(ctx.now),
    ))
    .execute(conn)?;
    diesel::delete(re::table.filter(re::election_id.eq(id))).execute(conn)?;
    // Credentials are made for one roll: the next publication draws another.
    diesel::delete(
        crate::db::schema::election_credentials::table
            .filter(crate::db::schema::election_credentials::election_id.eq(id)),
    )
    .execute(conn)?;
    // The record's first line binds every key-making message; a new
    // publication starts a new record, and the trustees make a new key.
    diesel::delete(er::table.filter(er::election_id.eq(id))).execute(conn)?;
    diesel::update(et::table.filter(et::election_id.eq(id)))
        .set((
            et::transport.eq(None::<String>),
            et::deal.eq(None::<String>),
            et::confirmation.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(el::table.find(id))
        .set((el::status.eq(Status::Draft), el::updated_at.eq(ctx.now)))
        .execute(conn)?;
    trustees::tell(
        conn,
        ctx,
        &row,
        "the vote went back to a draft",
        &format!(
            "The vote \"{}\" was taken back to a draft before its key was made: {reason}. Any key file you saved for it no longer works; when it is published again, your trustee page asks you to make a new one.",
            row.title
        ),
    )?;
    Ok(true)
}
