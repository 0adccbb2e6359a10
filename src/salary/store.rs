//! Scenarios, floors and reference costs in the database, and the people
//! of a unit as the arithmetic needs them.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::calc::{Person, References, Terms};
use crate::db::DbConnection;
use crate::db::schema::{
    classifications as cl, members, reference_costs as rc, scenario_floors as sf, scenarios as sc,
    units,
};
use crate::money::Cents;

/// Every unit, by name: (id, name).
pub fn units(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String)>> {
    units::table
        .order(units::name.asc())
        .select((units::id, units::name))
        .load(conn)
}

/// The statuses counted in the bargaining unit.
pub const IN_UNIT: [&str; 2] = ["member", "non-member"];

/// A scenario as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sc)]
pub struct ScenarioRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub raise_bp: i32,
    pub flat_raise_cents: i64,
    pub premium_monthly_cents: i64,
    pub effective_date: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A unit's classifications: id, name, current floor.
pub fn classes(
    conn: &mut DbConnection,
    unit_id: i64,
) -> QueryResult<Vec<(i64, String, Option<i64>)>> {
    cl::table
        .filter(cl::unit_id.eq(unit_id))
        .order(cl::name.asc())
        .select((cl::id, cl::name, cl::floor_cents))
        .load(conn)
}

/// The people counted in the unit.
pub fn people(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Vec<Person>> {
    let rows: Vec<(i64, String, String, String, i64)> = members::table
        .inner_join(cl::table)
        .filter(members::unit_id.eq(unit_id))
        .filter(members::status.eq_any(IN_UNIT))
        .select((
            members::id,
            members::first_name,
            members::last_name,
            cl::name,
            members::annual_salary_cents,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, first, last, class, salary)| Person {
            member_id: id,
            name: format!("{last}, {first}"),
            classification: class,
            salary: Cents(salary),
        })
        .collect())
}

/// A scenario's terms with its floors by classification name.
pub fn terms(conn: &mut DbConnection, scenario: &ScenarioRow) -> QueryResult<Terms> {
    let floors: BTreeMap<String, Cents> = sf::table
        .inner_join(cl::table)
        .filter(sf::scenario_id.eq(scenario.id))
        .select((cl::name, sf::floor_cents))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(name, floor)| (name, Cents(floor)))
        .collect();
    Ok(Terms {
        raise_bp: i64::from(scenario.raise_bp),
        flat_raise: Cents(scenario.flat_raise_cents),
        premium_monthly: Cents(scenario.premium_monthly_cents),
        floors,
    })
}

/// A scenario's floors by classification id.
pub fn floors_by_class(
    conn: &mut DbConnection,
    scenario_id: i64,
) -> QueryResult<BTreeMap<i64, i64>> {
    Ok(sf::table
        .filter(sf::scenario_id.eq(scenario_id))
        .select((sf::classification_id, sf::floor_cents))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect())
}

/// One reference cost as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub amount: i64,
    pub source: String,
    pub as_of: NaiveDate,
}

/// A unit's reference costs by kind.
pub fn references(
    conn: &mut DbConnection,
    unit_id: i64,
) -> QueryResult<BTreeMap<String, Reference>> {
    Ok(rc::table
        .filter(rc::unit_id.eq(unit_id))
        .select((rc::kind, rc::amount, rc::source, rc::as_of))
        .load::<(String, i64, String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(kind, amount, source, as_of)| {
            (
                kind,
                Reference {
                    amount,
                    source,
                    as_of,
                },
            )
        })
        .collect())
}

/// The figures the arithmetic needs from the references.
pub fn figures(refs: &BTreeMap<String, Reference>) -> References {
    References {
        rent_monthly: refs.get("rent").map(|r| Cents(r.amount)),
        cpi_bp: refs.get("cpi").map(|r| r.amount),
        living_wage: refs.get("living_wage").map(|r| Cents(r.amount)),
    }
}

/// Replaces a unit's reference costs (kinds not given are removed).
pub fn save_references(
    conn: &mut DbConnection,
    unit_id: i64,
    refs: &BTreeMap<String, Reference>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(rc::table.filter(rc::unit_id.eq(unit_id))).execute(conn)?;
    for (kind, r) in refs {
        diesel::insert_into(rc::table)
            .values((
                rc::unit_id.eq(unit_id),
                rc::kind.eq(kind),
                rc::amount.eq(r.amount),
                rc::source.eq(&r.source),
                rc::as_of.eq(r.as_of),
                rc::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the current floors, by classification id (None clears one).
pub fn save_current_floors(
    conn: &mut DbConnection,
    floors: &[(i64, Option<i64>)],
) -> QueryResult<()> {
    for (id, floor) in floors {
        diesel::update(cl::table.find(id))
            .set(cl::floor_cents.eq(floor))
            .execute(conn)?;
    }
    Ok(())
}

/// What a scenario form holds once checked.
#[derive(Debug, Clone)]
pub struct ScenarioInput {
    pub unit_id: i64,
    pub name: String,
    pub raise_bp: i32,
    pub flat_raise: i64,
    pub premium_monthly: i64,
    pub effective_date: NaiveDate,
    /// Classification id → floor.
    pub floors: BTreeMap<i64, i64>,
}

/// Creates or replaces a scenario with its floors; returns its id.
pub fn save_scenario(
    conn: &mut DbConnection,
    id: Option<i64>,
    input: &ScenarioInput,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    let id = match id {
        Some(id) => {
            diesel::update(sc::table.find(id))
                .set((
                    sc::name.eq(&input.name),
                    sc::raise_bp.eq(input.raise_bp),
                    sc::flat_raise_cents.eq(input.flat_raise),
                    sc::premium_monthly_cents.eq(input.premium_monthly),
                    sc::effective_date.eq(input.effective_date),
                    sc::updated_at.eq(now),
                ))
                .execute(conn)?;
            id
        }
        None => {
            diesel::insert_into(sc::table)
                .values((
                    sc::unit_id.eq(input.unit_id),
                    sc::name.eq(&input.name),
                    sc::raise_bp.eq(input.raise_bp),
                    sc::flat_raise_cents.eq(input.flat_raise),
                    sc::premium_monthly_cents.eq(input.premium_monthly),
                    sc::effective_date.eq(input.effective_date),
                    sc::created_at.eq(now),
                    sc::updated_at.eq(now),
                ))
                .execute(conn)?;
            crate::db::last_insert_id(conn)?
        }
    };
    diesel::delete(sf::table.filter(sf::scenario_id.eq(id))).execute(conn)?;
    for (class, floor) in &input.floors {
        diesel::insert_into(sf::table)
            .values((
                sf::scenario_id.eq(id),
                sf::classification_id.eq(class),
                sf::floor_cents.eq(floor),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// A scenario row.
pub fn scenario(conn: &mut DbConnection, id: i64) -> QueryResult<ScenarioRow> {
    sc::table
        .find(id)
        .select(ScenarioRow::as_select())
        .first(conn)
}

/// A unit's scenarios, oldest first.
pub fn scenarios(conn: &mut DbConnection, unit_id: i64) -> QueryResult<Vec<ScenarioRow>> {
    sc::table
        .filter(sc::unit_id.eq(unit_id))
        .order(sc::id.asc())
        .select(ScenarioRow::as_select())
        .load(conn)
}

/// A unit's name and contract start.
pub fn unit(conn: &mut DbConnection, unit_id: i64) -> QueryResult<(String, Option<NaiveDate>)> {
    units::table
        .find(unit_id)
        .select((units::name, units::contract_start))
        .first(conn)
}

/// True when a unit already has a scenario of that name (other than `except`).
pub fn name_taken(
    conn: &mut DbConnection,
    unit_id: i64,
    name: &str,
    except: Option<i64>,
) -> QueryResult<bool> {
    let mut query = sc::table
        .filter(sc::unit_id.eq(unit_id))
        .filter(sc::name.eq(name))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(sc::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}
