//! A unit's grievance procedure: its ordered steps and its own holidays,
//! and the open cases' deadlines counted again when either changes.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::acts::{Event, event};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{
    grievance_procedures as gp, grievance_steps as gs, grievances as g, unit_holidays as uh, units,
};
use crate::grievances::calendar::{DayCount, UnitHolidays};
use crate::grievances::case::{self, Due, Procedure, Step};
use crate::grievances::states::{Act, Status};

/// A stored limit as a number of days; a negative one is a bad row, not 0.
fn days(stored: i32) -> QueryResult<u32> {
    u32::try_from(stored).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// A unit's procedure and holidays.
pub fn procedure(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Procedure> {
    let rows: Vec<(i32, String, i32, i32, DayCount, bool)> = gs::table
        .filter(gs::unit_id.eq(unit_id))
        .order(gs::position.asc())
        .select((
            gs::position,
            gs::name,
            gs::filing_days,
            gs::response_days,
            gs::day_count,
            gs::arbitration,
        ))
        .load(conn)?;
    let steps = rows
        .into_iter()
        .map(|(position, name, filing, response, count, arbitration)| {
            Ok(Step {
                position,
                name,
                filing_days: days(filing)?,
                response_days: days(response)?,
                count,
                arbitration,
            })
        })
        .collect::<QueryResult<Vec<Step>>>()?;
    let holidays: UnitHolidays = uh::table
        .filter(uh::unit_id.eq(unit_id))
        .select((uh::holiday, uh::name))
        .load::<(NaiveDate, String)>(conn)?
        .into_iter()
        .collect();
    let roll_forward = gp::table
        .find(unit_id)
        .select(gp::roll_forward)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false);
    Ok(Procedure {
        steps,
        holidays,
        roll_forward,
    })
}

/// An open case whose deadline moved when its unit's procedure changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The case.
    pub id: i64,
    /// Its deadline before, if it had one.
    pub from: Option<NaiveDate>,
    /// And now.
    pub to: Option<NaiveDate>,
}

/// Replaces a unit's procedure (steps, holidays, options), then counts again the
/// deadline of every open case in the unit from the act that started its
/// current phase, keeping agreed extensions, and measures its filing
/// against the first step's limit again; each case whose deadline moved,
/// or whose filing is now more or less late, gets a timeline entry saying
/// from what to what, and why.
/// Runs in the caller's transaction, so the change and the deadlines it
/// moves are written together or not at all.
pub fn save_procedure(
    conn: &mut DbConnection,
    ctx: &Context,
    unit_id: i64,
    after: &Procedure,
) -> QueryResult<Vec<Moved>> {
    let before = procedure(conn, unit_id)?;
    diesel::delete(gs::table.filter(gs::unit_id.eq(unit_id))).execute(conn)?;
    for step in &after.steps {
        diesel::insert_into(gs::table)
            .values((
                gs::unit_id.eq(unit_id),
                gs::position.eq(step.position),
                gs::name.eq(&step.name),
                gs::filing_days.eq(i32::try_from(step.filing_days).unwrap_or(i32::MAX)),
                gs::response_days.eq(i32::try_from(step.response_days).unwrap_or(i32::MAX)),
                gs::day_count.eq(step.count),
                gs::arbitration.eq(step.arbitration),
            ))
            .execute(conn)?;
    }
    diesel::delete(uh::table.filter(uh::unit_id.eq(unit_id))).execute(conn)?;
    for (day, name) in &after.holidays {
        diesel::insert_into(uh::table)
            .values((
                uh::unit_id.eq(unit_id),
                uh::holiday.eq(day),
                uh::name.eq(name),
            ))
            .execute(conn)?;
    }
    diesel::delete(gp::table.find(unit_id)).execute(conn)?;
    diesel::insert_into(gp::table)
        .values((
            gp::unit_id.eq(unit_id),
            gp::roll_forward.eq(after.roll_forward),
        ))
        .execute(conn)?;
    recount_open_cases(conn, ctx, unit_id, &before, after)
}

/// Counts again the deadlines of the unit's open cases under `after`.
fn recount_open_cases(
    conn: &mut DbConnection,
    ctx: &Context,
    unit_id: i64,
    before: &Procedure,
    after: &Procedure,
) -> QueryResult<Vec<Moved>> {
    let open: Vec<i64> = g::table
        .filter(g::unit_id.eq(unit_id))
        .filter(g::status.eq(Status::Open))
        .filter(g::voided_at.is_null())
        .order(g::id.asc())
        .select(g::id)
        .load(conn)?;
    let mut moved = Vec::new();
    for id in open {
        let row = super::lock(conn, id)?;
        if !row.is_open() {
            continue;
        }
        measure_filing_again(conn, ctx, &row, before, after)?;
        let stored = row.due_on.map(|on| Due {
            on,
            act: row.due_act.clone(),
            basis: row.due_basis.clone(),
        });
        let due = case::recount(&row.state(), after, stored.as_ref());
        if due == stored {
            continue;
        }
        diesel::update(g::table.find(id))
            .set((
                g::due_on.eq(due.as_ref().map(|d| d.on)),
                g::due_act.eq(due.as_ref().map_or("", |d| d.act.as_str())),
                g::due_basis.eq(due.as_ref().map_or("", |d| d.basis.as_str())),
                g::updated_at.eq(ctx.now),
            ))
            .execute(conn)?;
        let to = due.as_ref().map(|d| d.on);
        if to == row.due_on {
            // Only the words changed (a step renamed): nothing to record.
            continue;
        }
        let until = row.due_on.max(to).unwrap_or(row.phase_since);
        let cause = case::why_moved(before, after, row.phase_since, until);
        let detail = case::moved_text(row.due_on, due.as_ref(), &cause);
        let entry = Event {
            act: Act::DeadlineMoved,
            step: row.step_position,
            on: ctx.today,
            detail: &detail,
        };
        event(conn, ctx, id, entry)?;
        moved.push(Moved {
            id,
            from: row.due_on,
            to,
        });
    }
    Ok(moved)
}

/// Measures an open case's filing against the first step's limit again,
/// and says so on its timeline when how late it was changed.
fn measure_filing_again(
    conn: &mut DbConnection,
    ctx: &Context,
    row: &super::GrievanceRow,
    before: &Procedure,
    after: &Procedure,
) -> QueryResult<()> {
    let measure = |p: &Procedure| {
        case::filing_lateness(row.incident_date, row.filed_on, row.continuing_violation, p)
    };
    let Some((limit, late)) = measure(after) else {
        return Ok(());
    };
    let was = i64::from(row.late_days);
    if late == was {
        return Ok(());
    }
    diesel::update(g::table.find(row.id))
        .set((
            g::late_days.eq(i32::try_from(late).unwrap_or(i32::MAX)),
            g::updated_at.eq(ctx.now),
        ))
        .execute(conn)?;
    let until = measure(before).map_or(limit.due, |(old, _)| old.due.max(limit.due));
    let cause = case::why_moved(before, after, row.incident_date, until);
    let detail = case::lateness_text(was, late, limit.due, &cause);
    let entry = Event {
        act: Act::DeadlineMoved,
        step: row.step_position,
        on: ctx.today,
        detail: &detail,
    };
    event(conn, ctx, row.id, entry)
}

/// A unit's name.
pub fn unit_name(conn: &mut DbConnection, unit_id: i64) -> QueryResult<String> {
    units::table.find(unit_id).select(units::name).first(conn)
}
