//! Bargaining units and their classifications as stored, and the audited
//! writes of the officer's unit form.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::audit::{self, Entry};
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{classifications, units};
use crate::forms::FieldProblem;

/// A unit as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units)]
pub struct UnitRow {
    /// Row id.
    pub id: i64,
    /// Its name (unique).
    pub name: String,
    /// The employer.
    pub employer: String,
    /// The contract's first day.
    pub contract_start: Option<NaiveDate>,
    /// The contract's last day.
    pub contract_end: Option<NaiveDate>,
    /// Months of dues that may be owed in good standing.
    pub arrears_allowance_months: i32,
    /// Days after a pay period before its dues count as behind.
    pub grace_days: i32,
}

/// Every unit by name, each with its classifications' names.
pub fn units_with_classes(conn: &mut DbConnection) -> QueryResult<Vec<(UnitRow, Vec<String>)>> {
    let rows: Vec<UnitRow> = units::table
        .order(units::name.asc())
        .select(UnitRow::as_select())
        .load(conn)?;
    let classes: Vec<(i64, String)> = classifications::table
        .order(classifications::name.asc())
        .select((classifications::unit_id, classifications::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|unit| {
            let names = classes
                .iter()
                .filter(|(u, _)| *u == unit.id)
                .map(|(_, n)| n.clone())
                .collect();
            (unit, names)
        })
        .collect())
}

/// A unit as the officer's form describes it, checked.
#[derive(Debug, Clone)]
pub struct UnitFields {
    /// Its name.
    pub name: String,
    /// The employer.
    pub employer: String,
    /// The contract's first day.
    pub start: Option<NaiveDate>,
    /// The contract's last day.
    pub end: Option<NaiveDate>,
    /// Months of dues that may be owed in good standing.
    pub allowance: i32,
    /// Days after a pay period before its dues count as behind.
    pub grace_days: i32,
    /// A classification to add, when one was typed.
    pub classification: Option<String>,
}

/// Why a unit could not be saved as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitRefusal {
    /// Unit names are unique.
    #[error("Another unit already has that name.")]
    NameTaken,
}

impl FieldProblem for UnitRefusal {
    fn field(&self) -> &'static str {
        match self {
            Self::NameTaken => "name",
        }
    }
}

/// Fails with `NotFound` when there is no unit `id`.
pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    units::table
        .find(id)
        .select(units::id)
        .first::<i64>(conn)
        .map(|_| ())
}

/// Adds a unit (`id` None) or changes unit `id`, adding the classification
/// when it is new, each change audited. Call inside one write transaction.
pub fn save(
    conn: &mut DbConnection,
    id: Option<i64>,
    unit: &UnitFields,
    ctx: &Context,
) -> QueryResult<Result<(), UnitRefusal>> {
    let (actor, now) = (&ctx.actor, ctx.now);
    let clash: Option<i64> = units::table
        .filter(units::name.eq(&unit.name))
        .select(units::id)
        .first(conn)
        .optional()?;
    if clash.is_some_and(|other| Some(other) != id) {
        return Ok(Err(UnitRefusal::NameTaken));
    }
    let values = (
        units::name.eq(&unit.name),
        units::employer.eq(&unit.employer),
        units::contract_start.eq(unit.start),
        units::contract_end.eq(unit.end),
        units::arrears_allowance_months.eq(unit.allowance),
        units::grace_days.eq(unit.grace_days),
    );
    let unit_id = match id {
        Some(id) => {
            let before: UnitRow = units::table
                .find(id)
                .select(UnitRow::as_select())
                .first(conn)?;
            diesel::update(units::table.find(id))
                .set(values)
                .execute(conn)?;
            let detail = format!(
                "name {:?} -> {:?}; employer {:?} -> {:?}; contract {:?}..{:?} -> {:?}..{:?}; allowance {} -> {}; grace {} -> {} days",
                before.name,
                unit.name,
                before.employer,
                unit.employer,
                before.contract_start,
                before.contract_end,
                unit.start,
                unit.end,
                before.arrears_allowance_months,
                unit.allowance,
                before.grace_days,
                unit.grace_days
            );
            audit::record(
                conn,
                now,
                Entry {
                    actor,
                    action: "unit_edit",
                    target: &unit.name,
                    detail: &detail,
                },
            )?;
            id
        }
        None => {
            diesel::insert_into(units::table)
                .values((values, units::created_at.eq(now)))
                .execute(conn)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor,
                    action: "unit_created",
                    target: &unit.name,
                    detail: "",
                },
            )?;
            units::table
                .filter(units::name.eq(&unit.name))
                .select(units::id)
                .first(conn)?
        }
    };
    if let Some(class) = &unit.classification {
        let exists: i64 = classifications::table
            .filter(classifications::unit_id.eq(unit_id))
            .filter(classifications::name.eq(class))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            diesel::insert_into(classifications::table)
                .values((
                    classifications::unit_id.eq(unit_id),
                    classifications::name.eq(class),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                now,
                Entry {
                    actor,
                    action: "classification_created",
                    target: &unit.name,
                    detail: class,
                },
            )?;
        }
    }
    Ok(Ok(()))
}
