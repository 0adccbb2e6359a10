//! Casting: one ballot and the member's participation in one transaction,
//! online or on paper, and what officers may see while the vote runs (how
//! many voted, and who; never how).

use diesel::prelude::*;

use super::record;
use super::{lock, on_roll, questions};
use crate::crypto::credential::Credential;
use crate::db::DbConnection;
use crate::db::schema::{ballot_alphas, ballots, members, participation, roll_entries as re};
use crate::elections::states::Method;
use crate::record::ballot;
use crate::record::entry::{BallotEntry, CastBy, Entry};
use crate::record::hexcode;

/// Why a ballot was not taken. The words go into the audit log (never the
/// choice) and, for a paper ballot, onto the officer's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such election, or none this member may see: answered as a 404.
    #[error("no such election for this member")]
    Hidden,
    #[error("not open")]
    NotOpen,
    #[error("not on the roll")]
    NotOnRoll,
    #[error("already voted")]
    AlreadyVoted,
    /// An answer missing, twice, or not among the question's choices.
    #[error("an answer is missing, given twice, or not one of the question's choices")]
    BadAnswers,
    /// An encrypted ballot whose shape, proofs or tracker do not check.
    #[error("an encrypted ballot that does not check")]
    BadBallot,
    /// An encrypted ballot (or part of one) already in the record.
    #[error("an encrypted ballot already cast")]
    Replayed,
    /// A vote with credentials, and none given (or typed wrong).
    #[error("no voting credential, or one mistyped")]
    NeedsCredential,
    /// A credential that is not on the vote's list (or was replaced).
    #[error("a credential not on the vote's list")]
    UnknownCredential,
    /// A re-vote with another credential than the member's first ballot's.
    #[error("a credential other than the one this member voted with")]
    NotTheirCredential,
    /// A credential another member's login already cast with.
    #[error("a credential another login voted with")]
    CredentialTaken,
}

/// The credential a cast is signed with, checked against the list and
/// against the member's earlier ballot: refuses one not listed, one
/// another login used, or a second credential for the same login.
fn credential_fits(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    public: &str,
) -> QueryResult<Result<(), Refusal>> {
    if !super::credentials::is_active(conn, id, public)? {
        return Ok(Err(Refusal::UnknownCredential));
    }
    let used_by: Vec<(i64, Option<String>)> = participation::table
        .filter(participation::election_id.eq(id))
        .filter(
            participation::credential
                .eq(public)
                .or(participation::member_id.eq(member_id)),
        )
        .select((participation::member_id, participation::credential))
        .load(conn)?;
    Ok(if used_by.iter().any(|(m, _)| *m != member_id) {
        Err(Refusal::CredentialTaken)
    } else if used_by.iter().any(|(_, c)| c.as_deref() != Some(public)) {
        Err(Refusal::NotTheirCredential)
    } else {
        Ok(())
    })
}

/// Whether the vote takes ballots only with credentials: it has a
/// credential officer (it opened only with their list in the record).
pub fn credentialed(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    Ok(crate::db::schema::elections::table
        .find(id)
        .select(crate::db::schema::elections::credential_officer_id)
        .first::<Option<i64>>(conn)?
        .is_some())
}

/// True when the member has voted (online or on paper).
pub fn has_voted(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    Ok(participation::table
        .filter(participation::election_id.eq(id))
        .filter(participation::member_id.eq(member_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Whether the member may vote in an election that is (`accepting`) or is
/// not taking ballots: the checks a cast makes before it reads the answers.
pub fn standing(
    conn: &mut DbConnection,
    id: i64,
    accepting: bool,
    member_id: i64,
) -> QueryResult<Result<(), Refusal>> {
    Ok(if !accepting {
        Err(Refusal::NotOpen)
    } else if !on_roll(conn, id, member_id)? {
        Err(Refusal::NotOnRoll)
    } else if has_voted(conn, id, member_id)? && !credentialed(conn, id)? {
        // With credentials a member may vote again: the last ballot counts.
        Err(Refusal::AlreadyVoted)
    } else {
        Ok(())
    })
}

/// Records one ballot and the member's participation together. `answers`
/// pairs each question with the chosen choice. The caller moves the
/// election on first (`lifecycle::advance`) in the same transaction.
pub fn cast(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    answers: &[(i64, i64)],
    method: Method,
    credential: Option<&Credential>,
    now: chrono::NaiveDateTime,
) -> QueryResult<Result<String, Refusal>> {
    // Casts take the row for update, one after another on PostgreSQL too:
    // each appends the next line of the record after the one before.
    let row = lock(conn, id)?;
    if let Err(refusal) = standing(conn, id, row.accepting(now), member_id)? {
        return Ok(Err(refusal));
    }
    let questions = questions(conn, id)?;
    let fits = answers.len() == questions.len()
        && questions.iter().all(|q| {
            answers
                .iter()
                .filter(|(qid, _)| *qid == q.id)
                .map(|(_, cid)| q.choices.iter().any(|(c, _)| c == cid))
                .collect::<Vec<_>>()
                == [true]
        });
    if !fits {
        return Ok(Err(Refusal::BadAnswers));
    }
    // The server encrypts for a voter without JavaScript and for paper: the
    // choice exists here only until this function returns, and is stored
    // nowhere but in the ciphertexts.
    let selected: Vec<usize> = questions
        .iter()
        .map(|q| {
            let chosen = answers
                .iter()
                .find(|(qid, _)| *qid == q.id)
                .map(|(_, c)| *c);
            q.choices
                .iter()
                .position(|(c, _)| Some(*c) == chosen)
                .unwrap_or(0)
        })
        .collect();
    let choices: Vec<usize> = questions.iter().map(|q| q.choices.len()).collect();
    let (key, fingerprint) = election_key(conn, id)?;
    let by = match method {
        Method::Online => CastBy::Server,
        Method::Paper => CastBy::Paper,
    };
    // With credentials, the server signs for a member who typed theirs
    // in; the secret is dropped when this function returns.
    let signing = if row.credential_officer_id.is_some() {
        let Some(credential) = credential else {
            return Ok(Err(Refusal::NeedsCredential));
        };
        if let Err(refusal) =
            credential_fits(conn, id, member_id, &hex::encode(credential.public()))?
        {
            return Ok(Err(refusal));
        }
        Some(credential)
    } else {
        None
    };
    let public = signing.map(Credential::public);
    let mut made = ballot::encrypt(&key, &fingerprint, public, by, &choices, &selected);
    if let Some(credential) = signing {
        ballot::sign(&mut made.entry, credential);
    }
    append_ballot(conn, id, member_id, method, made.entry).map(Ok)
}

/// Records a ballot the voter's own device encrypted, after checking its
/// shape, every proof and its tracker, and that no part of it is already
/// in the record. The election moves on first, as for `cast`.
pub fn cast_encrypted(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    entry: BallotEntry,
    now: chrono::NaiveDateTime,
) -> QueryResult<Result<String, Refusal>> {
    let row = lock(conn, id)?;
    if let Err(refusal) = standing(conn, id, row.accepting(now), member_id)? {
        return Ok(Err(refusal));
    }
    if entry.by != CastBy::Voter {
        return Ok(Err(Refusal::BadBallot));
    }
    if row.credential_officer_id.is_some() {
        let Ok(public) = ballot::check_signature(&entry) else {
            return Ok(Err(Refusal::NeedsCredential));
        };
        if let Err(refusal) = credential_fits(conn, id, member_id, &hex::encode(public))? {
            return Ok(Err(refusal));
        }
    } else if entry.credential.is_some() {
        return Ok(Err(Refusal::BadBallot));
    }
    let choices: Vec<usize> = questions(conn, id)?
        .iter()
        .map(|q| q.choices.len())
        .collect();
    let (key, fingerprint) = election_key(conn, id)?;
    if let Err(why) = ballot::check(&entry, &key, &fingerprint, &choices) {
        tracing::warn!(election = id, "refused an encrypted ballot: {why}");
        return Ok(Err(Refusal::BadBallot));
    }
    if already_cast(conn, id, &entry)? {
        return Ok(Err(Refusal::Replayed));
    }
    append_ballot(conn, id, member_id, Method::Online, entry).map(Ok)
}

fn already_cast(conn: &mut DbConnection, id: i64, entry: &BallotEntry) -> QueryResult<bool> {
    let tracker: i64 = ballots::table
        .filter(ballots::election_id.eq(id))
        .filter(ballots::tracking_code.eq(&entry.tracker))
        .count()
        .get_result(conn)?;
    let alphas: Vec<&String> = entry
        .answers
        .iter()
        .flat_map(|a| a.choices.iter().map(|c| &c.alpha))
        .collect();
    let copied: i64 = ballot_alphas::table
        .filter(ballot_alphas::election_id.eq(id))
        .filter(ballot_alphas::alpha.eq_any(alphas))
        .count()
        .get_result(conn)?;
    Ok(tracker > 0 || copied > 0)
}

/// The election key and fingerprint, from the record alone: the key is the
/// sum of the trustees' first commitments there, which their devices and
/// every verifier check, so no other copy of it can be swapped.
pub fn election_key(
    conn: &mut DbConnection,
    id: i64,
) -> QueryResult<(crate::crypto::Point, [u8; 32])> {
    let fingerprint = record::fingerprint(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    let commitments: Option<Vec<Vec<crate::crypto::Point>>> = record::trustee_entries(conn, id)?
        .into_iter()
        .map(|t| {
            t.commitments
                .iter()
                .map(|c| hexcode::key_point(c, "a commitment").ok())
                .collect::<Option<Vec<_>>>()
        })
        .collect();
    let key = commitments
        .filter(|c| !c.is_empty())
        .map(|c| crate::crypto::threshold::election_key(&c))
        .ok_or(diesel::result::Error::NotFound)?;
    Ok((key, fingerprint))
}

/// Records the member's participation and appends their checked ballot,
/// in the caller's transaction. Returns the tracker.
fn append_ballot(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    method: Method,
    entry: BallotEntry,
) -> QueryResult<String> {
    // A re-vote (only with credentials, checked above) keeps the one row:
    // the member is counted once in turnout, by how they voted last.
    let again = entry.credential.is_some() && has_voted(conn, id, member_id)?;
    if again {
        diesel::update(
            participation::table
                .filter(participation::election_id.eq(id))
                .filter(participation::member_id.eq(member_id)),
        )
        .set(participation::method.eq(method))
        .execute(conn)?;
    } else {
        diesel::insert_into(participation::table)
            .values((
                participation::election_id.eq(id),
                participation::member_id.eq(member_id),
                participation::method.eq(method),
                participation::credential.eq(&entry.credential),
            ))
            .execute(conn)?;
    }
    let tracker = entry.tracker.clone();
    // The primary key refuses a tracker already cast.
    diesel::insert_into(ballots::table)
        .values((
            ballots::election_id.eq(id),
            ballots::tracking_code.eq(&tracker),
        ))
        .execute(conn)?;
    for alpha in entry
        .answers
        .iter()
        .flat_map(|a| a.choices.iter().map(|c| &c.alpha))
    {
        diesel::insert_into(ballot_alphas::table)
            .values((
                ballot_alphas::election_id.eq(id),
                ballot_alphas::alpha.eq(alpha),
            ))
            .execute(conn)?;
    }
    record::append(conn, id, Entry::Ballot(entry))?;
    Ok(tracker)
}

/// Turnout while the vote runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turnout {
    pub online: i64,
    pub paper: i64,
    pub eligible: i64,
}

impl Turnout {
    /// Everyone who voted, either way.
    pub fn voted(&self) -> i64 {
        self.online + self.paper
    }
}

/// How many have voted each way, of how many on the roll.
pub fn turnout(conn: &mut DbConnection, id: i64) -> QueryResult<Turnout> {
    let methods: Vec<Method> = participation::table
        .filter(participation::election_id.eq(id))
        .select(participation::method)
        .load(conn)?;
    let online = methods.iter().filter(|m| **m == Method::Online).count();
    let eligible: i64 = re::table
        .filter(re::election_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(Turnout {
        online: i64::try_from(online).unwrap_or(0),
        paper: i64::try_from(methods.len() - online).unwrap_or(0),
        eligible,
    })
}

/// Who has voted, for officers: "Last, First", number, method.
pub fn voters(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<(String, String, Method)>> {
    Ok(participation::table
        .inner_join(members::table)
        .filter(participation::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            members::first_name,
            members::last_name,
            members::employee_number,
            participation::method,
        ))
        .load::<(String, String, String, Method)>(conn)?
        .into_iter()
        .map(|(f, l, n, m)| (format!("{l}, {f}"), n, m))
        .collect())
}

/// Who on the roll has not voted yet, for reminders: "Last, First", number.
pub fn not_voted(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<(String, String)>> {
    let voted: std::collections::HashSet<i64> = participation::table
        .filter(participation::election_id.eq(id))
        .select(participation::member_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    Ok(re::table
        .inner_join(members::table.on(members::id.eq(re::member_id)))
        .filter(re::election_id.eq(id))
        .order((members::last_name.asc(), members::first_name.asc()))
        .select((
            re::member_id,
            members::first_name,
            members::last_name,
            re::employee_number,
        ))
        .load::<(i64, String, String, String)>(conn)?
        .into_iter()
        .filter(|(member, ..)| !voted.contains(member))
        .map(|(_, f, l, n)| (format!("{l}, {f}"), n))
        .collect())
}
