//! The case file as its page shows it: what a viewer may see of the case,
//! its timeline, notes and attachments, each formatted for reading.

use chrono::NaiveDateTime;

use super::lines::{Urgency, urgency_of};
use crate::clock::long_date;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::grievances::store::{self, GrievanceRow, attachments, notes, reads};
use crate::grievances::{Access, access};
use crate::money::Cents;
use crate::users::User;

/// One timeline entry as shown.
#[derive(Debug, Clone)]
pub struct EventLine {
    pub on: String,
    pub label: String,
    pub step: String,
    pub detail: String,
    pub author: String,
    pub at: String,
}

/// One note as shown.
#[derive(Debug, Clone)]
pub struct NoteLine {
    pub shared: bool,
    pub body: String,
    pub author: String,
    pub at: String,
}

/// One attachment as listed.
#[derive(Debug, Clone)]
pub struct AttachmentLine {
    pub id: i64,
    pub file_name: String,
    pub size: String,
    pub uploaded_by: String,
    pub at: String,
}

/// Everything the case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub row: GrievanceRow,
    pub access: Access,
    pub unit: String,
    pub step: String,
    pub grievants: Vec<String>,
    pub articles: Vec<String>,
    pub steward: Option<String>,
    pub events: Vec<EventLine>,
    pub notes: Vec<NoteLine>,
    pub attachments: Vec<AttachmentLine>,
    pub stewards: Vec<(i64, String)>,
    pub due: String,
    pub urgency: Urgency,
    pub days_left: i64,
    pub back_pay: String,
    pub resolved: String,
    /// Who voided it (their name) and when, for a voided case; else empty.
    pub voided_by: String,
    pub voided_at: String,
}

/// Reads what `user` may see of case `id` (a 404 otherwise).
pub fn load_view(
    conn: &mut DbConnection,
    user: &User,
    id: i64,
    today: chrono::NaiveDate,
    zone: chrono_tz::Tz,
) -> Result<CaseView, AppError> {
    let stamp = |at: NaiveDateTime| crate::clock::local_moment(zone, at);
    let (row, access) = access(conn, user, id)?;
    let procedure = store::procedure(conn, row.unit_id)?;
    let unit = store::procedures::unit_name(conn, row.unit_id)?;
    let steward = match row.steward_id {
        Some(s) => reads::user_name(conn, s)?,
        None => None,
    };
    let events = reads::events(conn, id)?
        .into_iter()
        .map(|e| EventLine {
            on: long_date(e.occurred_on),
            label: e.act.label().to_owned(),
            step: procedure.step_name(e.step_position),
            detail: e.detail,
            author: e.author_label,
            at: stamp(e.at),
        })
        .collect();
    let notes = notes::of_case(conn, id, access.is_union_side())?
        .into_iter()
        .map(|n| NoteLine {
            shared: n.shared,
            body: n.body,
            author: n.author_label,
            at: stamp(n.created_at),
        })
        .collect();
    let attachments = attachments::of_case(conn, id)?
        .into_iter()
        .map(|a| AttachmentLine {
            id: a.id,
            file_name: a.file_name,
            size: human_size(a.size_bytes),
            uploaded_by: a.uploaded_by_label,
            at: stamp(a.uploaded_at),
        })
        .collect();
    let stewards = if access == Access::Chief {
        store::stewards(conn)?
    } else {
        Vec::new()
    };
    let (urgency, days_left) = urgency_of(&row, today);
    let voided_by = match (row.voided_at, row.voided_by) {
        (None, _) => String::new(),
        (Some(_), Some(user_id)) => {
            reads::user_name(conn, user_id)?.unwrap_or_else(|| row.voided_by_label.clone())
        }
        (Some(_), None) => row.voided_by_label.clone(),
    };
    Ok(CaseView {
        voided_by,
        voided_at: row.voided_at.map(stamp).unwrap_or_default(),
        unit,
        step: procedure.step_name(row.step_position),
        grievants: reads::grievant_names(conn, id)?,
        articles: reads::articles(conn, id)?,
        steward,
        events,
        notes,
        attachments,
        stewards,
        due: row.due_on.map(long_date).unwrap_or_default(),
        urgency,
        days_left,
        back_pay: row
            .back_pay_cents
            .map(|c| Cents(c).to_string())
            .unwrap_or_default(),
        resolved: row.resolved_on.map(long_date).unwrap_or_default(),
        access,
        row,
    })
}

/// "12.3 KB".
pub fn human_size(bytes: i64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!(
            "{}.{} MB",
            bytes / (1024 * 1024),
            (bytes % (1024 * 1024)) * 10 / (1024 * 1024)
        )
    }
}
