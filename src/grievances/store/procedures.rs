//! A unit's grievance procedure: its ordered steps and its own holidays.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{grievance_steps as gs, unit_holidays as uh, units};
use crate::grievances::calendar::{DayCount, UnitHolidays};
use crate::grievances::case::{Procedure, Step};

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
    Ok(Procedure { steps, holidays })
}

/// Replaces a unit's procedure and holidays. Open cases keep their step
/// numbers and the deadlines already computed.
pub fn save_procedure(
    conn: &mut DbConnection,
    unit_id: i64,
    steps: &[Step],
    holidays: &UnitHolidays,
) -> QueryResult<()> {
    diesel::delete(gs::table.filter(gs::unit_id.eq(unit_id))).execute(conn)?;
    for step in steps {
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
    for (day, name) in holidays {
        diesel::insert_into(uh::table)
            .values((
                uh::unit_id.eq(unit_id),
                uh::holiday.eq(day),
                uh::name.eq(name),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A unit's name.
pub fn unit_name(conn: &mut DbConnection, unit_id: i64) -> QueryResult<String> {
    units::table.find(unit_id).select(units::name).first(conn)
}
