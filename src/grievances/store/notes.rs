//! Notes on a case: shared with the grievant, or private to the union side.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::grievance_notes as gn;

/// A note to add.
#[derive(Debug, Clone)]
pub struct Note {
    /// The grievant can read it too.
    pub shared: bool,
    /// What it says.
    pub body: String,
}

/// A stored note.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = gn)]
pub struct NoteRow {
    pub shared: bool,
    pub body: String,
    pub author_label: String,
    pub created_at: NaiveDateTime,
}

/// Adds a note to case `id`, by `ctx`'s actor.
pub fn add(conn: &mut DbConnection, ctx: &Context, id: i64, note: &Note) -> QueryResult<()> {
    diesel::insert_into(gn::table)
        .values((
            gn::grievance_id.eq(id),
            gn::shared.eq(note.shared),
            gn::body.eq(&note.body),
            gn::author_id.eq(ctx.actor.user_id),
            gn::author_label.eq(&ctx.actor.label),
            gn::created_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Case `id`'s notes, oldest first; the private ones only when asked.
pub fn of_case(conn: &mut DbConnection, id: i64, with_private: bool) -> QueryResult<Vec<NoteRow>> {
    let mut query = gn::table.filter(gn::grievance_id.eq(id)).into_boxed();
    if !with_private {
        query = query.filter(gn::shared.eq(true));
    }
    query
        .order(gn::id.asc())
        .select(NoteRow::as_select())
        .load(conn)
}
