//! People who can sign in, and the roles they hold.

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{sessions, user_roles, users};
use crate::forms::FieldProblem;

/// What someone may do. Each role includes what the ones before it allow
/// (an officer can do everything), checked by [`User::can`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Sees their own records, files grievances, votes.
    Member,
    /// Carries the grievances assigned to them.
    Steward,
    /// Every grievance of the unit; assigns stewards.
    ChiefSteward,
    /// Everything: roster, dues, elections, users, outbox, audit.
    Officer,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 4] = [
        Role::Member,
        Role::Steward,
        Role::ChiefSteward,
        Role::Officer,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Steward => "steward",
            Self::ChiefSteward => "chief_steward",
            Self::Officer => "officer",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Member => "Member",
            Self::Steward => "Steward",
            Self::ChiefSteward => "Chief steward",
            Self::Officer => "Officer",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// A user as the app works with them.
#[derive(Debug, Clone)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Lower-cased email address; the sign-in name.
    pub email: String,
    /// How they are addressed.
    pub display_name: String,
    /// Their roles.
    pub roles: Vec<Role>,
    /// False once deactivated: cannot sign in.
    pub active: bool,
    /// True when two-factor sign-in is on.
    pub has_two_factor: bool,
    /// True once they have chosen a password.
    pub has_password: bool,
    /// Set only by `unionhall demo --demo-insecure`: may skip two-factor.
    pub two_factor_exempt: bool,
}

impl User {
    /// True when they hold `role` or one above it.
    pub fn can(&self, role: Role) -> bool {
        self.roles.iter().any(|held| *held >= role)
    }

    /// True when they hold exactly this role.
    pub fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A users row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// Row id.
    pub id: i64,
    /// Lower-cased email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// argon2id hash; none until a password is chosen.
    pub password_hash: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// Base32 two-factor secret once enrolled.
    pub totp_secret: Option<String>,
    /// The last two-factor time step accepted, so a code works once.
    pub totp_last_step: Option<i64>,
    /// May skip two-factor (demo only).
    pub two_factor_exempt: bool,
    /// When the account was made.
    pub created_at: NaiveDateTime,
}

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailProblem {
    /// Nothing typed.
    #[error("Enter an email address.")]
    Missing,
    /// Not the shape of an address.
    #[error("Enter an email address like name@example.org.")]
    Malformed,
    /// Another account signs in with it.
    #[error("That email address already has an account.")]
    Taken,
    /// An invitation to someone who already chose a password.
    #[error("{0} already has an account.")]
    HasAccount(String),
}

impl FieldProblem for EmailProblem {
    fn field(&self) -> &'static str {
        "email"
    }
}

/// Why a display name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameProblem {
    /// Nothing typed.
    #[error("Enter a name.")]
    Missing,
    /// Longer than a name needs to be.
    #[error("Use at most 100 characters.")]
    TooLong,
}

impl FieldProblem for NameProblem {
    fn field(&self) -> &'static str {
        "name"
    }
}

/// Lower-cases and trims an email, or says what is wrong with it.
pub fn normalize_email(raw: &str) -> Result<String, EmailProblem> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err(EmailProblem::Missing);
    }
    if email.len() > 254 || email.parse::<lettre::Address>().is_err() {
        return Err(EmailProblem::Malformed);
    }
    Ok(email)
}

/// Checks a display name: present and of a sane length.
pub fn check_display_name(raw: &str) -> Result<String, NameProblem> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(NameProblem::Missing);
    }
    if name.chars().count() > 100 {
        return Err(NameProblem::TooLong);
    }
    Ok(name.to_owned())
}

/// The row for an email (already normalised).
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// The row for an id.
pub fn find_row(conn: &mut DbConnection, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// A user with their roles.
pub fn load(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    let Some(row) = find_row(conn, id)? else {
        return Ok(None);
    };
    Ok(Some(with_roles(conn, row)?))
}

/// Adds the roles to a row.
pub fn with_roles(conn: &mut DbConnection, row: UserRow) -> QueryResult<User> {
    let roles: Vec<String> = user_roles::table
        .filter(user_roles::user_id.eq(row.id))
        .select(user_roles::role)
        .load(conn)?;
    Ok(assemble(row, roles.iter().map(String::as_str)))
}

fn assemble<'a>(row: UserRow, role_names: impl Iterator<Item = &'a str>) -> User {
    let mut roles: Vec<Role> = role_names.filter_map(Role::parse).collect();
    roles.sort();
    User {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        roles,
        active: row.active,
        has_two_factor: row.totp_secret.is_some(),
        has_password: row.password_hash.is_some(),
        two_factor_exempt: row.two_factor_exempt,
    }
}

/// Every user, by name, with their roles.
pub fn list(conn: &mut DbConnection) -> QueryResult<Vec<User>> {
    let rows: Vec<UserRow> = users::table
        .order((users::display_name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?;
    let all_roles: Vec<(i64, String)> = user_roles::table
        .select((user_roles::user_id, user_roles::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let names = all_roles
                .iter()
                .filter(move |(user, _)| *user == id)
                .map(|(_, r)| r.as_str());
            assemble(row, names)
        })
        .collect())
}

/// Creates a user and returns their id. The email must be normalised and
/// not taken (the unique index refuses a duplicate).
pub fn create(
    conn: &mut DbConnection,
    email: &str,
    display_name: &str,
    password_hash: Option<&str>,
    roles: &[Role],
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(users::table)
        .values((
            users::email.eq(email),
            users::display_name.eq(display_name),
            users::password_hash.eq(password_hash),
            users::active.eq(true),
            users::created_at.eq(now),
            users::password_changed_at.eq(password_hash.map(|_| now)),
        ))
        .execute(conn)?;
    let id = users::table
        .filter(users::email.eq(email))
        .select(users::id)
        .first(conn)?;
    set_roles(conn, id, roles)?;
    Ok(id)
}

/// Replaces a user's roles.
pub fn set_roles(conn: &mut DbConnection, user_id: i64, roles: &[Role]) -> QueryResult<()> {
    diesel::delete(user_roles::table.filter(user_roles::user_id.eq(user_id))).execute(conn)?;
    for role in roles {
        diesel::insert_into(user_roles::table)
            .values((
                user_roles::user_id.eq(user_id),
                user_roles::role.eq(role.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores a new password hash.
pub fn set_password(
    conn: &mut DbConnection,
    user_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Activates or deactivates; deactivation also ends every session.
pub fn set_active(conn: &mut DbConnection, user_id: i64, active: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::active.eq(active))
        .execute(conn)?;
    if !active {
        diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?;
    }
    Ok(())
}

/// Creates the account (or renews a pending one) and issues a link to
/// choose its password, in the caller's transaction, sending nothing: the
/// caller says where the link goes. `None` when the address already has an
/// account with a password.
pub fn invitation_link(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    roles: &[Role],
    now: NaiveDateTime,
) -> QueryResult<Option<(i64, String)>> {
    use crate::auth::tokens::{self, Purpose};
    let user_id = match find_by_email(conn, email)? {
        Some(existing) if existing.password_hash.is_some() => return Ok(None),
        Some(existing) => {
            // A renewed invitation carries what the officer chose this time.
            set_roles(conn, existing.id, roles)?;
            diesel::update(users::table.find(existing.id))
                .set(users::display_name.eq(name))
                .execute(conn)?;
            existing.id
        }
        None => create(conn, email, name, None, roles, now)?,
    };
    let token = tokens::issue(conn, Purpose::Invite, Some(user_id), now)?;
    Ok(Some((user_id, token)))
}

/// An invitation to send.
#[derive(Debug, Clone, Copy)]
pub struct Invite<'a> {
    /// Normalised email.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Roles of a new account.
    pub roles: &'a [Role],
    /// Who invites, by name, for the message.
    pub invited_by: &'a str,
}

/// Creates the account (or renews a pending invitation) and queues the
/// email with a link to choose a password, in the caller's transaction.
/// `Err` says why not: the address already has a working account.
pub fn invite(
    conn: &mut DbConnection,
    config: &crate::config::Config,
    invite: &Invite<'_>,
    actor: &crate::audit::Actor,
    now: NaiveDateTime,
) -> Result<Result<i64, EmailProblem>, crate::error::AppError> {
    use crate::mail::Notice;
    let Some((user_id, token)) =
        invitation_link(conn, invite.email, invite.name, invite.roles, now)?
    else {
        return Ok(Err(EmailProblem::HasAccount(invite.email.to_owned())));
    };
    let message = crate::mail::messages::Invitation {
        local_name: config.local_name.clone(),
        name: invite.name.to_owned(),
        invited_by: invite.invited_by.to_owned(),
        link: config.link(&format!("/invite/{token}")),
    }
    .to(invite.email)?;
    crate::mail::outbox::enqueue(conn, &message, &config.mail_domain())?;
    let detail = invite
        .roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",");
    crate::audit::record(
        conn,
        now,
        crate::audit::Entry {
            actor,
            action: "invitation_sent",
            target: invite.email,
            detail: &detail,
        },
    )?;
    Ok(Ok(user_id))
}

/// How many active officers there are; the last one cannot be removed.
pub fn active_officers(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .inner_join(user_roles::table)
        .filter(user_roles::role.eq(Role::Officer.as_str()))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_role_includes_the_ones_below() {
        let user = User {
            id: 1,
            email: "a@x.org".into(),
            display_name: "A".into(),
            roles: vec![Role::ChiefSteward],
            active: true,
            has_two_factor: false,
            has_password: true,
            two_factor_exempt: false,
        };
        assert!(user.can(Role::Member));
        assert!(user.can(Role::Steward));
        assert!(user.can(Role::ChiefSteward));
        assert!(!user.can(Role::Officer));
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalize_email("  Sarah.Okafor@Example.ORG "),
            Ok("sarah.okafor@example.org".into())
        );
        assert!(normalize_email("sarah").is_err());
        assert!(normalize_email("").is_err());
    }
}
