//! `unionhall admin create`: an officer account made from the command line.

use super::password::{check_new, hash_blocking};
use crate::audit::{self, Actor, Entry};
use crate::config::Config;
use crate::db::{self, write_tx};
use crate::users::{self, Role};

/// Creates an active officer with a password, refusing a weak password or
/// a taken email with the reason.
pub fn create_officer(
    config: &Config,
    email: &str,
    name: &str,
    password: &str,
) -> Result<(), String> {
    let email = users::normalize_email(email).map_err(|e| e.to_string())?;
    let name = users::check_display_name(name).map_err(|e| format!("--name: {e}"))?;
    check_new(password, &email, &config.local_name)
        .map_err(|e| format!("password refused: {e}"))?;
    let hash = hash_blocking(password)?;
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = config.clock.now();
    write_tx(&mut conn, |conn| {
        if users::find_by_email(conn, &email)?.is_some() {
            return Ok(Err(format!("{email} already has an account")));
        }
        users::create(
            conn,
            &email,
            &name,
            Some(&hash),
            &[Role::Member, Role::Officer],
            now,
        )?;
        audit::record(
            conn,
            now,
            Entry {
                actor: &Actor::command_line(),
                action: "officer_created",
                target: &email,
                detail: "unionhall admin create",
            },
        )?;
        Ok(Ok(()))
    })
    .map_err(|e: diesel::result::Error| e.to_string())?
}
