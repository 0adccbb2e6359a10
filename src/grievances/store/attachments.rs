//! The attachments table: what was uploaded to a case, by whom, and under
//! which storage key its bytes lie.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::grievance_attachments as gatt;

/// A file already written to storage, to be recorded.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub storage_key: String,
    pub sha256: String,
}

/// An attachment as listed on the case page.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = gatt)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub size_bytes: i64,
    pub uploaded_by_label: String,
    pub uploaded_at: NaiveDateTime,
}

/// What a download needs.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = gatt)]
pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub storage_key: String,
}

/// Records an attachment on case `id`, uploaded by `ctx`'s actor.
pub fn add(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
    file: &NewAttachment,
) -> QueryResult<()> {
    diesel::insert_into(gatt::table)
        .values((
            gatt::grievance_id.eq(id),
            gatt::file_name.eq(&file.file_name),
            gatt::content_type.eq(file.content_type),
            gatt::size_bytes.eq(file.size_bytes),
            gatt::storage_key.eq(&file.storage_key),
            gatt::sha256.eq(&file.sha256),
            gatt::uploaded_by.eq(ctx.actor.user_id),
            gatt::uploaded_by_label.eq(&ctx.actor.label),
            gatt::uploaded_at.eq(ctx.now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Case `id`'s attachments, oldest first.
pub fn of_case(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<AttachmentRow>> {
    gatt::table
        .filter(gatt::grievance_id.eq(id))
        .order(gatt::id.asc())
        .select(AttachmentRow::as_select())
        .load(conn)
}

/// Attachment `attachment` of case `id` (not found under any other case).
pub fn stored(conn: &mut DbConnection, id: i64, attachment: i64) -> QueryResult<StoredFile> {
    gatt::table
        .find(attachment)
        .filter(gatt::grievance_id.eq(id))
        .select(StoredFile::as_select())
        .first(conn)
}
