//! The demo local's bargaining numbers: current floors, three scenarios
//! (the contract, the union's proposal, management's offer) and the
//! reference costs, for the Guild Staff unit.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::store::{self, Reference, ScenarioInput};
use crate::db::DbConnection;
use crate::db::schema::units;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Writes the floors, scenarios and references.
pub fn fill(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<()> {
    let unit: i64 = units::table
        .filter(units::name.eq("Guild Staff"))
        .select(units::id)
        .first(conn)?;
    let classes = store::classes(conn, unit)?;
    let current = |name: &str| match name {
        "Benefits Specialist" => 6_000_000,
        "Research Analyst" => 5_200_000,
        _ => 5_000_000,
    };
    let floors: Vec<(i64, Option<i64>)> = classes
        .iter()
        .map(|(id, name, _)| (*id, Some(current(name))))
        .collect();
    store::save_current_floors(conn, &floors)?;
    let each = |f: &dyn Fn(&str) -> i64| -> BTreeMap<i64, i64> {
        classes.iter().map(|(id, name, _)| (*id, f(name))).collect()
    };
    let scenarios = [
        ("Current contract", 0, 0, each(&current)),
        ("Union proposal", 500, 0, each(&|_| 5_973_700)),
        ("Management offer", 300, 20_833, each(&|_| 5_500_000)),
    ];
    for (name, raise_bp, premium, floors) in scenarios {
        store::save_scenario(
            conn,
            None,
            &ScenarioInput {
                unit_id: unit,
                name: name.into(),
                raise_bp,
                flat_raise: 0,
                premium_monthly: premium,
                effective_date: date(2027, 1, 1),
                floors,
            },
            now,
        )?;
    }
    let references = BTreeMap::from([
        (
            "rent".to_owned(),
            Reference {
                amount: 280_000,
                source: "City rent report: median asking rent, one bedroom".into(),
                as_of: date(2026, 10, 1),
            },
        ),
        (
            "living_wage".to_owned(),
            Reference {
                amount: 5_973_700,
                source: "MIT Living Wage Calculator, one adult, no children".into(),
                as_of: date(2026, 2, 1),
            },
        ),
        (
            "cpi".to_owned(),
            Reference {
                amount: 500,
                source: "BLS CPI-U, 12 months to September 2026".into(),
                as_of: date(2026, 9, 30),
            },
        ),
    ]);
    store::save_references(conn, unit, &references, now)
}
