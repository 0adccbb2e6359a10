//! One person's own details, the same whether read from a roster file or
//! from the roster: a file row adds the unit and classification by name, a
//! stored entry by id.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::members;
use crate::dues::rules::Status;
use crate::money::Cents;

crate::db::text_enum::text_enum! {
    /// Where someone works.
    pub enum Arrangement {
        /// At the workplace.
        OnSite = "on-site",
        /// Partly at the workplace.
        Hybrid = "hybrid",
        /// Away from it.
        Remote = "remote",
    }
}

impl Arrangement {
    /// Reads a name typed in a CSV file or a form, in any case.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().to_ascii_lowercase().parse().ok()
    }
}

// Salaries are stored as cents; this lets diesel read them straight into
// the type the rules use.
impl From<i64> for Cents {
    fn from(cents: i64) -> Self {
        Self(cents)
    }
}

/// A person's details on the roster.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct Person {
    /// The employer's id for the person; unique in the roster.
    pub employee_number: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Lower-cased email, when known.
    pub email: Option<String>,
    /// Department.
    pub department: String,
    /// Date of hire.
    pub hire_date: NaiveDate,
    /// Annual base salary.
    #[diesel(column_name = annual_salary_cents, deserialize_as = i64)]
    pub annual_salary: Cents,
    /// Where they work.
    pub work_arrangement: Arrangement,
    /// Membership status.
    pub status: Status,
    /// When they joined the union, if they have.
    pub join_date: Option<NaiveDate>,
}
