//! `unionhall demo`: a fictional local to try the app with. Each feature
//! adds its own data here.

use diesel::prelude::*;

use crate::audit::{self, Actor, Entry};
use crate::auth::password::hash_blocking;
use crate::auth::two_factor;
use crate::config::Config;
use crate::db::schema::users as u;
use crate::db::{self, write_tx};
use crate::users::{self, Role};

/// The password every demo account shares. Printed; never use it for real.
pub const DEMO_PASSWORD: &str = "picket line coffee";

/// One demo account, for the printed list.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    /// Sign-in name.
    pub email: String,
    /// Their roles, in words.
    pub roles: String,
}

/// What `demo` made: the accounts, and the officer's two-factor key unless
/// the officer was left without two-factor.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The accounts.
    pub logins: Vec<DemoLogin>,
    /// The officer's authenticator key (base32), when two-factor is on.
    pub officer_two_factor_key: Option<String>,
}

const PEOPLE: [(&str, &str, &[Role]); 8] = [
    (
        "officer@example.org",
        "Olive Organa",
        &[Role::Member, Role::Officer],
    ),
    (
        "chief@example.org",
        "Chris Chen",
        &[Role::Member, Role::ChiefSteward],
    ),
    (
        "steward@example.org",
        "Sam Steward",
        &[Role::Member, Role::Steward],
    ),
    ("sarah.okafor@example.org", "Sarah Okafor", &[Role::Member]),
    (
        "miguel.santos@example.org",
        "Miguel Santos",
        &[Role::Member],
    ),
    ("priya.raman@example.org", "Priya Raman", &[Role::Member]),
    (
        "dana.whitfield@example.org",
        "Dana Whitfield",
        &[Role::Member],
    ),
    ("jordan.lee@example.org", "Jordan Lee", &[Role::Member]),
];

/// Fills an empty database; refuses one that has users.
pub fn run(config: &Config, insecure: bool) -> Result<Demo, String> {
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let hash = hash_blocking(DEMO_PASSWORD)?;
    let now = config.clock.now();
    let actor = Actor::command_line();
    write_tx(&mut conn, |conn| {
        let existing: i64 = u::table.count().get_result(conn)?;
        if existing > 0 {
            return Ok(Err(
                "the database already has users; demo fills an empty database only".to_owned(),
            ));
        }
        let mut logins = Vec::new();
        let mut officer_key = None;
        for (email, name, roles) in PEOPLE {
            let id = users::create(conn, email, name, Some(&hash), roles, now)?;
            if roles.contains(&Role::Officer) {
                if insecure {
                    diesel::update(u::table.find(id))
                        .set(u::two_factor_exempt.eq(true))
                        .execute(conn)?;
                } else {
                    let secret = two_factor::new_secret();
                    diesel::update(u::table.find(id))
                        .set(u::totp_secret.eq(&secret))
                        .execute(conn)?;
                    two_factor::new_recovery_codes(conn, id)?;
                    officer_key = Some(secret);
                }
            }
            logins.push(DemoLogin {
                email: email.to_owned(),
                roles: roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        audit::record(
            conn,
            now,
            Entry {
                actor: &actor,
                action: "demo_created",
                target: "demo local",
                detail: if insecure {
                    "officer without two-factor"
                } else {
                    ""
                },
            },
        )?;
        Ok(Ok(Demo {
            logins,
            officer_two_factor_key: officer_key,
        }))
    })
    .map_err(|e: diesel::result::Error| e.to_string())?
}
