//! Who on a vote's roll the app cannot reach: no email on the roster, or no
//! account set up to vote online with.

use std::collections::HashSet;

use diesel::prelude::*;

use super::ElectionRow;
use crate::db::DbConnection;
use crate::db::schema::{members, roll_entries as re, users};
use crate::elections::states::Status;

/// How a roll's members can be reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// No email on the roster.
    pub no_email: usize,
    /// An email, but no account that has been set up.
    pub no_account: usize,
    /// The names of both, "Family, Given", with the reason.
    pub names: Vec<(String, &'static str)>,
}

impl Reach {
    /// Both counts and what each means for the officer.
    pub fn in_words(&self) -> String {
        let count = |n: usize, one, many| crate::plural::count(n as i64, one, many);
        format!(
            "{} no email on the roster: the app cannot reach them, so reach them another way \
             or record a paper ballot. {} an email but no account: they get the vote's \
             notices, and an invitation lets them vote online.",
            count(self.no_email, "member has", "members have"),
            count(self.no_account, "member has", "members have"),
        )
    }
}

/// Who on election `id`'s roll has no email, or no account with a password.
pub fn of_roll(conn: &mut DbConnection, id: i64) -> QueryResult<Reach> {
    let roll: Vec<(i64, Option<String>, String, String)> = re::table
        .inner_join(members::table)
        .filter(re::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::id,
            members::email,
            members::last_name,
            members::first_name,
        ))
        .load(conn)?;
    let accounts: Vec<(Option<i64>, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::password_hash.is_not_null())
        .select((users::member_id, users::email))
        .load(conn)?;
    let linked: HashSet<i64> = accounts.iter().filter_map(|(m, _)| *m).collect();
    let emails: HashSet<String> = accounts
        .into_iter()
        .map(|(_, e)| e.to_lowercase())
        .collect();
    let mut reach = Reach::default();
    for (member_id, email, last, first) in roll {
        let name = format!("{last}, {first}");
        match email.filter(|e| !e.trim().is_empty()) {
            None => {
                reach.no_email += 1;
                reach.names.push((name, "no email on the roster"));
            }
            Some(email)
                if !linked.contains(&member_id) && !emails.contains(&email.to_lowercase()) =>
            {
                reach.no_account += 1;
                reach.names.push((name, "no account"));
            }
            Some(_) => {}
        }
    }
    Ok(reach)
}

/// Who on a live vote's roll cannot be reached; none once the vote is over
/// or before its roll is published.
pub fn of_live(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Option<Reach>> {
    if matches!(row.status, Status::Published | Status::Open) {
        of_roll(conn, row.id).map(Some)
    } else {
        Ok(None)
    }
}
