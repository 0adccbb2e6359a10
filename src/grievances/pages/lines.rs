//! One line per case in a list or on the board: its step, steward and how
//! near its deadline is.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::QueryResult;

use crate::db::DbConnection;
use crate::grievances::case::Procedure;
use crate::grievances::store::{self, GrievanceRow, reads};

/// How near a deadline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Before today.
    Overdue,
    /// Within 7 days.
    Soon,
    /// Later, or nothing is due.
    Later,
}

impl Urgency {
    /// The word the stylesheet's `due-` classes use; "" when nothing stands out.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Soon => "soon",
            Self::Later => "",
        }
    }

    /// Nothing to mark.
    pub fn is_empty(self) -> bool {
        self == Self::Later
    }
}

impl std::fmt::Display for Urgency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of a case list.
#[derive(Debug, Clone)]
pub struct CaseLine {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub filed: String,
    pub step: String,
    pub status: String,
    pub due_act: String,
    pub due: String,
    pub urgency: Urgency,
    pub days_left: i64,
    pub has_due: bool,
    pub steward: String,
    pub late: bool,
}

/// Overdue before today, soon within 7 days, with the days left.
pub fn urgency(due: Option<NaiveDate>, today: NaiveDate) -> (Urgency, i64) {
    match due {
        Some(due) => {
            let left = (due - today).num_days();
            let urgency = if left < 0 {
                Urgency::Overdue
            } else if left <= 7 {
                Urgency::Soon
            } else {
                Urgency::Later
            };
            (urgency, left)
        }
        None => (Urgency::Later, 0),
    }
}

/// The urgency of an open case's deadline; a closed case has none.
pub fn urgency_of(row: &GrievanceRow, today: NaiveDate) -> (Urgency, i64) {
    if row.is_open() {
        urgency(row.due_on, today)
    } else {
        (Urgency::Later, 0)
    }
}

/// Builds list lines for rows, resolving step and steward names.
pub fn lines_for(
    conn: &mut DbConnection,
    rows: Vec<GrievanceRow>,
    today: NaiveDate,
) -> QueryResult<Vec<CaseLine>> {
    let mut procedures: HashMap<i64, Procedure> = HashMap::new();
    let unit_names = reads::unit_names(conn)?;
    let steward_ids: Vec<i64> = rows.iter().filter_map(|r| r.steward_id).collect();
    let steward_names = reads::user_names(conn, &steward_ids)?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        if let std::collections::hash_map::Entry::Vacant(slot) = procedures.entry(row.unit_id) {
            slot.insert(store::procedure(conn, row.unit_id)?);
        }
        let step = procedures
            .get(&row.unit_id)
            .map_or_else(String::new, |p| p.step_name(row.step_position));
        let (urgency, days_left) = urgency_of(&row, today);
        lines.push(CaseLine {
            id: row.id,
            number: row.number(),
            unit: unit_names.get(&row.unit_id).cloned().unwrap_or_default(),
            filed: row.filed_on.to_string(),
            step,
            status: row.status.label().to_owned(),
            due_act: row.due_act.clone(),
            due: row.due_on.map(|d| d.to_string()).unwrap_or_default(),
            urgency,
            days_left,
            has_due: row.is_open() && row.due_on.is_some(),
            steward: row
                .steward_id
                .and_then(|s| steward_names.get(&s).cloned())
                .unwrap_or_else(|| "Not assigned".into()),
            late: row.late_days > 0,
        });
    }
    Ok(lines)
}
