//! Voting credentials on the server's side: who the credential officer is,
//! the public halves they upload (checked against the roll's size), the
//! list the opening writes into the record, and revocations while the vote
//! runs. No secret credential is ever given to these functions.

use std::collections::BTreeSet;

use diesel::prelude::*;

use super::{lock, record};
use crate::db::DbConnection;
use crate::db::schema::{
    election_credentials as ec, elections as el, participation, roll_entries as re, users,
};
use crate::elections::states::Status;
use crate::record::entry::{CredentialList, Entry, Revocation};

/// Why a credential act was refused, in words for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialRefusal {
    #[error("The credential officer is named on the draft, before it is published.")]
    NotDraft,
    #[error(
        "No active account has that email. The credential officer signs in to upload: invite them first."
    )]
    NoAccount,
    #[error("Only this vote's credential officer can do this.")]
    NotTheOfficer,
    #[error(
        "Credentials are uploaded once the roll is drawn (the vote is published) and before it opens."
    )]
    NotUploadable,
    #[error(
        "Line {0} is not a public credential: each line is 64 hexadecimal digits, as the credential file gives them."
    )]
    Malformed(usize),
    #[error("Line {0} repeats a public credential given on an earlier line.")]
    Repeated(usize),
    #[error(
        "The roll has {roll} members and this list {given} credentials: generate one per member on the roll as it stands now."
    )]
    WrongCount { roll: usize, given: usize },
    #[error("A lost credential is replaced while the vote is open.")]
    NotOpen,
    #[error("That is not one of this vote's credentials (it may have been replaced already).")]
    NotListed,
    #[error(
        "A ballot has been cast with that credential, so it can no longer be replaced: the member votes with it, or again with it."
    )]
    Used,
    #[error("The new credential is not a new one: generate a fresh one for the member.")]
    NotNew,
}

impl crate::forms::FieldProblem for CredentialRefusal {
    fn field(&self) -> &'static str {
        match self {
            CredentialRefusal::NotDraft | CredentialRefusal::NoAccount => "credential_officer",
            CredentialRefusal::NotListed | CredentialRefusal::Used => "old",
            CredentialRefusal::NotNew => "new",
            _ => "keys",
        }
    }
}

/// Names (or, with `None`, clears) the credential officer of a draft.
pub fn name_officer(
    conn: &mut DbConnection,
    id: i64,
    user: Option<i64>,
) -> QueryResult<Result<(), CredentialRefusal>> {
    let row = lock(conn, id)?;
    if row.status != Status::Draft {
        return Ok(Err(CredentialRefusal::NotDraft));
    }
    if let Some(user) = user {
        let active: i64 = users::table
            .find(user)
            .filter(users::active.eq(true))
            .count()
            .get_result(conn)?;
        if active == 0 {
            return Ok(Err(CredentialRefusal::NoAccount));
        }
    }
    diesel::update(el::table.find(id))
        .set(el::credential_officer_id.eq(user))
        .execute(conn)?;
    Ok(Ok(()))
}

/// Reads an uploaded list: one lowercase or uppercase hex key per line,
/// blank lines and `#` comments skipped.
pub fn parse_list(text: &str) -> Result<Vec<String>, CredentialRefusal> {
    let mut keys = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line.to_ascii_lowercase();
        let bytes: Option<[u8; 32]> = hex::decode(&key).ok().and_then(|b| b.try_into().ok());
        if !bytes.is_some_and(|b| crate::crypto::credential::is_valid_public(&b)) {
            return Err(CredentialRefusal::Malformed(i + 1));
        }
        if !keys.insert(key) {
            return Err(CredentialRefusal::Repeated(i + 1));
        }
    }
    Ok(keys.into_iter().collect())
}

/// Replaces the uploaded list with `keys`, one per roll entry.
pub fn upload(
    conn: &mut DbConnection,
    id: i64,
    by: i64,
    keys: &[String],
) -> QueryResult<Result<(), CredentialRefusal>> {
    let row = lock(conn, id)?;
    if row.credential_officer_id != Some(by) {
        return Ok(Err(CredentialRefusal::NotTheOfficer));
    }
    if row.status != Status::Published {
        return Ok(Err(CredentialRefusal::NotUploadable));
    }
    let roll = roll_size(conn, id)?;
    if keys.len() != roll {
        return Ok(Err(CredentialRefusal::WrongCount {
            roll,
            given: keys.len(),
        }));
    }
    diesel::delete(ec::table.filter(ec::election_id.eq(id))).execute(conn)?;
    for key in keys {
        diesel::insert_into(ec::table)
            .values((ec::election_id.eq(id), ec::public_key.eq(key)))
            .execute(conn)?;
    }
    Ok(Ok(()))
}

pub fn roll_size(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    let n: i64 = re::table
        .filter(re::election_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// How many public credentials are uploaded.
pub fn uploaded(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    let n: i64 = ec::table
        .filter(ec::election_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The list entry the opening appends, sorted; `None` when the upload
/// does not match the roll.
pub fn list_entry(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Entry>> {
    let keys: Vec<String> = ec::table
        .filter(ec::election_id.eq(id))
        .order(ec::public_key.asc())
        .select(ec::public_key)
        .load(conn)?;
    if keys.len() != roll_size(conn, id)? {
        return Ok(None);
    }
    Ok(Some(Entry::Credentials(CredentialList {
        count: keys.len() as u64,
        keys,
    })))
}

/// Whether `public` may sign a ballot now. The uploaded list stays in
/// `election_credentials` after the opening and a revocation swaps its
/// row, so the table is the list as the record stands, read by key.
pub fn is_active(conn: &mut DbConnection, id: i64, public: &str) -> QueryResult<bool> {
    let n: i64 = ec::table
        .filter(ec::election_id.eq(id))
        .filter(ec::public_key.eq(public))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Every credential a revocation has taken off the list.
fn revoked(conn: &mut DbConnection, id: i64) -> QueryResult<BTreeSet<String>> {
    Ok(record::entries(conn, id)?
        .into_iter()
        .filter_map(|e| match e {
            Entry::Revoke(r) => Some(r.old),
            _ => None,
        })
        .collect())
}

/// Replaces a lost credential while the vote is open, if no ballot was
/// cast with it: appends the revocation to the record.
pub fn revoke(
    conn: &mut DbConnection,
    id: i64,
    by: i64,
    old: &str,
    new: &str,
) -> QueryResult<Result<(), CredentialRefusal>> {
    let row = lock(conn, id)?;
    if row.credential_officer_id != Some(by) {
        return Ok(Err(CredentialRefusal::NotTheOfficer));
    }
    if row.status != Status::Open || row.closed_at.is_some() {
        return Ok(Err(CredentialRefusal::NotOpen));
    }
    let old = old.trim().to_ascii_lowercase();
    let new = new.trim().to_ascii_lowercase();
    if !is_active(conn, id, &old)? {
        return Ok(Err(CredentialRefusal::NotListed));
    }
    let used: i64 = participation::table
        .filter(participation::election_id.eq(id))
        .filter(participation::credential.eq(&old))
        .count()
        .get_result(conn)?;
    if used > 0 {
        return Ok(Err(CredentialRefusal::Used));
    }
    if parse_list(&new).map(|k| k.len()) != Ok(1)
        || is_active(conn, id, &new)?
        || revoked(conn, id)?.contains(&new)
    {
        return Ok(Err(CredentialRefusal::NotNew));
    }
    diesel::delete(
        ec::table
            .filter(ec::election_id.eq(id))
            .filter(ec::public_key.eq(&old)),
    )
    .execute(conn)?;
    diesel::insert_into(ec::table)
        .values((ec::election_id.eq(id), ec::public_key.eq(&new)))
        .execute(conn)?;
    record::append(conn, id, Entry::Revoke(Revocation { old, new }))?;
    Ok(Ok(()))
}

/// The credential officer's display name and email, when one is named.
pub fn officer_of(
    conn: &mut DbConnection,
    user: Option<i64>,
) -> QueryResult<Option<(String, String)>> {
    let Some(user) = user else {
        return Ok(None);
    };
    users::table
        .find(user)
        .select((users::display_name, users::email))
        .first(conn)
        .optional()
}

/// The observers' summary while the vote runs: ballots cast (the record's
/// ballot lines, one row each in `ballots` until the close), and the
/// credentials they were cast with (one participation row each).
pub fn summary(conn: &mut DbConnection, id: i64) -> QueryResult<(u64, u64)> {
    use crate::db::schema::ballots;
    let cast: i64 = ballots::table
        .filter(ballots::election_id.eq(id))
        .count()
        .get_result(conn)?;
    let used: i64 = participation::table
        .filter(participation::election_id.eq(id))
        .filter(participation::credential.is_not_null())
        .count()
        .get_result(conn)?;
    Ok((cast.max(0) as u64, used.max(0) as u64))
}

/// One roll entry as the credential officer's hand-out needs it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HandOut {
    pub number: String,
    pub name: String,
    pub email: String,
}

/// The roll, by name, for the credential officer's mail merge and letters.
pub fn hand_out_list(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<HandOut>> {
    use crate::db::schema::members;
    Ok(re::table
        .inner_join(members::table.on(members::id.eq(re::member_id)))
        .filter(re::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            re::employee_number,
            members::first_name,
            members::last_name,
            members::email,
        ))
        .load::<(String, String, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(number, first, last, email)| HandOut {
            number,
            name: format!("{first} {last}"),
            email: email.unwrap_or_default(),
        })
        .collect())
}

/// Tells the credential officer, once the roll is drawn, that the
/// credentials are theirs to make. False when the vote has none.
pub fn tell_officer(
    conn: &mut DbConnection,
    ctx: &crate::context::Context,
    row: &super::ElectionRow,
    roll: usize,
) -> QueryResult<bool> {
    use crate::mail::Notice;
    let Some((name, email)) = officer_of(conn, row.credential_officer_id)? else {
        return Ok(false);
    };
    let notice = crate::elections::notices::ElectionNotice {
        local_name: ctx.config.local_name.clone(),
        name,
        subject: format!("make the voting credentials: {}", row.title),
        lines: vec![
            format!(
                "You are the credential officer of \"{}\". Its roll is drawn with {roll} members: make one voting credential for each on your page, upload their public halves, and hand each member theirs before the vote opens.",
                row.title
            ),
            "Use your own computer. The credentials are made there and this server never sees them; keep the hand-out file to yourself.".to_owned(),
            "A challenge upheld before the opening can add or remove a member: the page says when the list no longer matches the roll.".to_owned(),
        ],
        link: ctx.config.link(&format!("/elections/{}/credentials", row.id)),
    }
    .to(&email)
    .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
    crate::mail::outbox::enqueue(conn, &notice, &ctx.config.mail_domain())?;
    Ok(true)
}
