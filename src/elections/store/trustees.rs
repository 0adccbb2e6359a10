//! The trustees of an election: named by an officer on the draft, they make
//! the election's key on their own devices before the vote opens and
//! decrypt its sums after it closes (`docs/trustees.md`). The server checks
//! and keeps their messages; it never holds a seed or a secret.

use diesel::prelude::*;

use super::{ElectionRow, lock, questions, record, unit_name};
use crate::db::DbConnection;
use crate::db::schema::{election_trustees as et, elections as el, users};
use crate::record::entry::{ElectionSpec, Entry, PassRule, QuestionSpec, ShareEntry, TrusteeKey};
use crate::trustees::packet::{Ask, FORMAT, Packet};
use crate::trustees::protocol::{self, Deal, Message, Setup, Transport};

/// The least and the usual number of trustees, and the usual threshold.
pub const MIN_TRUSTEES: usize = 2;
pub const DEFAULT_TRUSTEES: usize = 3;
pub const DEFAULT_THRESHOLD: usize = 2;
// More would make every close wait on more people than a local has.
pub const MAX_TRUSTEES: usize = 9;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = et)]
pub struct TrusteeRow {
    pub election_id: i64,
    pub position: i32,
    pub user_id: i64,
    pub name: String,
    pub transport: Option<String>,
    pub deal: Option<String>,
    pub confirmation: Option<String>,
}

/// Why trustees could not be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingRefusal {
    #[error("Trustees are named on a draft; once it is published they are fixed.")]
    NotDraft,
    #[error("Name at least {MIN_TRUSTEES} trustees and at most {MAX_TRUSTEES}.")]
    Count,
    #[error("Each trustee is named once.")]
    Twice,
    #[error("A trustee must be a person with an active account.")]
    NoAccount,
    #[error("The threshold is at least 2 and at most the number of trustees.")]
    Threshold,
}

pub fn of_election(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<TrusteeRow>> {
    et::table
        .filter(et::election_id.eq(id))
        .order(et::position.asc())
        .select(TrusteeRow::as_select())
        .load(conn)
}

/// The trustee number `user_id` has in election `id`, if any.
pub fn position_of(conn: &mut DbConnection, id: i64, user_id: i64) -> QueryResult<Option<u32>> {
    Ok(et::table
        .filter(et::election_id.eq(id))
        .filter(et::user_id.eq(user_id))
        .select(et::position)
        .first::<i32>(conn)
        .optional()?
        .map(|p| p as u32))
}

/// Names the trustees of a draft, in order, and the threshold.
pub fn name(
    conn: &mut DbConnection,
    id: i64,
    people: &[i64],
    threshold: usize,
) -> QueryResult<Result<(), NamingRefusal>> {
    let row = lock(conn, id)?;
    if row.status != crate::elections::states::Status::Draft {
        return Ok(Err(NamingRefusal::NotDraft));
    }
    if !(MIN_TRUSTEES..=MAX_TRUSTEES).contains(&people.len()) {
        return Ok(Err(NamingRefusal::Count));
    }
    let distinct: std::collections::HashSet<_> = people.iter().collect();
    if distinct.len() != people.len() {
        return Ok(Err(NamingRefusal::Twice));
    }
    if threshold < 2 || threshold > people.len() {
        return Ok(Err(NamingRefusal::Threshold));
    }
    let mut names = Vec::with_capacity(people.len());
    for person in people {
        let found: Option<String> = users::table
            .find(person)
            .filter(users::active.eq(true))
            .select(users::display_name)
            .first(conn)
            .optional()?;
        match found {
            Some(n) => names.push(n),
            None => return Ok(Err(NamingRefusal::NoAccount)),
        }
    }
    diesel::delete(et::table.filter(et::election_id.eq(id))).execute(conn)?;
    for (i, (person, n)) in people.iter().zip(names).enumerate() {
        diesel::insert_into(et::table)
            .values((
                et::election_id.eq(id),
                et::position.eq(i as i32 + 1),
                et::user_id.eq(person),
                et::name.eq(n),
            ))
            .execute(conn)?;
    }
    diesel::update(el::table.find(id))
        .set(el::threshold.eq(threshold as i32))
        .execute(conn)?;
    Ok(Ok(()))
}

/// The record's first line for a draft being published: the election, its
/// questions and rules, and its trustees' number and threshold.
pub fn election_entry(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Entry> {
    let trustees = of_election(conn, row.id)?;
    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    Ok(Entry::Election(ElectionSpec {
        id: row.id,
        title: row.title.clone(),
        unit: unit_name(conn, row.unit_id)?,
        opens_at: fmt(row.opens_at),
        closes_at: fmt(row.closes_at),
        trustees: trustees.len() as u32,
        threshold: row.threshold as u32,
        questions: questions(conn, row.id)?
            .into_iter()
            .map(|q| QuestionSpec {
                position: q.position as u32,
                text: q.text,
                kind: q.kind.as_str().to_owned(),
                choices: q.choices.into_iter().map(|(_, label)| label).collect(),
                pass: PassRule {
                    num: q.rule.num as u32,
                    den: q.rule.den as u32,
                    at_least: q.rule.at_least,
                },
                min_turnout_bp: q.rule.min_turnout_bp as u32,
            })
            .collect(),
    }))
}

/// What every message of this election is bound to, once published.
pub fn setup(conn: &mut DbConnection, row: &ElectionRow) -> QueryResult<Option<Setup>> {
    let Some(fingerprint) = record::fingerprint(conn, row.id)? else {
        return Ok(None);
    };
    let trustees = of_election(conn, row.id)?.len() as u32;
    Ok(Some(Setup {
        fingerprint,
        trustees,
        threshold: row.threshold as u32,
    }))
}

fn parsed<T: serde::de::DeserializeOwned>(text: &Option<String>) -> Option<T> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

fn transports(rows: &[TrusteeRow]) -> Vec<Transport> {
    rows.iter().filter_map(|r| parsed(&r.transport)).collect()
}

fn deals(rows: &[TrusteeRow]) -> Vec<Deal> {
    rows.iter().filter_map(|r| parsed(&r.deal)).collect()
}

/// Where the key generation stands, as the pages say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub trustees: usize,
    pub transports: usize,
    pub deals: usize,
    pub confirmed: usize,
}

impl Progress {
    pub fn of(rows: &[TrusteeRow]) -> Self {
        Progress {
            trustees: rows.len(),
            transports: rows.iter().filter(|r| r.transport.is_some()).count(),
            deals: rows.iter().filter(|r| r.deal.is_some()).count(),
            confirmed: rows.iter().filter(|r| r.confirmation.is_some()).count(),
        }
    }

    /// The step the key generation is at, in words.
    pub fn in_words(&self) -> String {
        let n = self.trustees;
        if self.confirmed == n && n > 0 {
            "The election key is made: every trustee confirmed it.".into()
        } else if self.transports < n {
            format!(
                "Step 1 of 3: {} of {n} trustees have sent their transport key.",
                self.transports
            )
        } else if self.deals < n {
            format!(
                "Step 2 of 3: {} of {n} trustees have dealt their shares.",
                self.deals
            )
        } else {
            format!(
                "Step 3 of 3: {} of {n} trustees have confirmed the key.",
                self.confirmed
            )
        }
    }
}

/// What the server asks of trustee `position` now.
fn ask(row: &ElectionRow, rows: &[TrusteeRow], position: u32, shares: &[u32]) -> Ask {
    let me = &rows[position as usize - 1];
    let p = Progress::of(rows);
    if row.keyed_at.is_none() {
        if me.transport.is_none() {
            Ask::Transport
        } else if p.transports < p.trustees {
            Ask::Wait
        } else if me.deal.is_none() {
            Ask::Deal
        } else if p.deals < p.trustees || me.confirmation.is_some() {
            Ask::Wait
        } else {
            Ask::Confirm
        }
    } else if row.closed_at.is_some()
        && row.status != crate::elections::states::Status::Closed
        && !shares.contains(&position)
    {
        Ask::Share
    } else {
        Ask::Wait
    }
}

/// The trustees who have published a decryption share.
pub fn shared(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<u32>> {
    Ok(record::entries(conn, id)?
        .into_iter()
        .filter_map(|e| match e {
            Entry::Share(s) => Some(s.trustee),
            _ => None,
        })
        .collect())
}

/// The packet for trustee `position`'s device.
pub fn packet(
    conn: &mut DbConnection,
    row: &ElectionRow,
    position: u32,
) -> QueryResult<Option<Packet>> {
    let Some(setup) = setup(conn, row)? else {
        return Ok(None);
    };
    let rows = of_election(conn, row.id)?;
    let shares = shared(conn, row.id)?;
    let ask = ask(row, &rows, position, &shares);
    let record = match ask {
        Ask::Share => Some(record::text(conn, row.id)?),
        _ => None,
    };
    Ok(Some(Packet {
        format: FORMAT.into(),
        election: hex::encode(setup.fingerprint),
        title: row.title.clone(),
        trustee: position,
        trustees: setup.trustees,
        threshold: setup.threshold,
        ask,
        transports: transports(&rows),
        deals: deals(&rows),
        record,
    }))
}

/// What came of a trustee's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Kept; the words say what happens next.
    Kept(String),
    /// The key is made and in the record.
    Keyed,
    /// A share kept; `Some(n)` when it was the last needed and the sums
    /// can be decrypted.
    Shared { enough: bool },
}

/// Takes trustee `position`'s answer `text` (a message, or at the close a
/// share entry), checked before anything is kept. Err holds the refusal in
/// words. The caller holds the election's row lock.
pub fn take(
    conn: &mut DbConnection,
    row: &ElectionRow,
    position: u32,
    text: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<Result<Taken, String>> {
    let Some(setup) = setup(conn, row)? else {
        return Ok(Err(
            "The election is not published yet, so there is no key to make.".into(),
        ));
    };
    let rows = of_election(conn, row.id)?;
    let shares = shared(conn, row.id)?;
    let asked = ask(row, &rows, position, &shares);
    if asked == Ask::Share {
        return take_share(conn, row, &setup, position, text);
    }
    let message: Message = match serde_json::from_str(text.trim()) {
        Ok(m) => m,
        Err(_) => {
            return Ok(Err(
                "This is not an answer from a trustee's device: paste exactly what the page's script or the unionhall trustee command gave you.".into(),
            ));
        }
    };
    if message.trustee() != position {
        return Ok(Err(format!(
            "This answer is trustee {}'s; you are trustee {position}.",
            message.trustee()
        )));
    }
    let wanted = match asked {
        Ask::Transport => "transport",
        Ask::Deal => "deal",
        Ask::Confirm => "confirm",
        _ => "",
    };
    let fits = message.step() == wanted || (wanted == "confirm" && message.step() == "complain");
    if !fits {
        return Ok(Err(if wanted.is_empty() {
            "Nothing is asked of you now: the page says what the others still have to do.".into()
        } else {
            format!(
                "This answer is a {} step, but the {wanted} step is asked now. Reload the page and answer the packet it gives.",
                message.step()
            )
        }));
    }
    let inner = |m: &Message| match m {
        Message::Transport(t) => serde_json::to_string(t),
        Message::Deal(d) => serde_json::to_string(d),
        Message::Confirm(c) => serde_json::to_string(c),
        Message::Complain(c) => serde_json::to_string(c),
    };
    let me = et::table.find((row.id, position as i32));
    match &message {
        Message::Transport(t) => {
            if let Err(e) = protocol::check_transport(&setup, t) {
                return Ok(Err(capitalised(&e)));
            }
            diesel::update(me)
                .set(et::transport.eq(inner(&message).ok()))
                .execute(conn)?;
            Ok(Ok(Taken::Kept("Your transport key is in.".into())))
        }
        Message::Deal(d) => {
            if let Err(e) = protocol::check_deal(&setup, d) {
                return Ok(Err(capitalised(&e)));
            }
            diesel::update(me)
                .set(et::deal.eq(inner(&message).ok()))
                .execute(conn)?;
            Ok(Ok(Taken::Kept("Your deal is in.".into())))
        }
        Message::Confirm(c) => {
            if let Err(e) = protocol::check_confirm(&setup, c, &deals(&rows)) {
                return Ok(Err(capitalised(&e)));
            }
            diesel::update(me)
                .set(et::confirmation.eq(inner(&message).ok()))
                .execute(conn)?;
            let rows = of_election(conn, row.id)?;
            if Progress::of(&rows).confirmed < rows.len() {
                return Ok(Ok(Taken::Kept("Your confirmation is in.".into())));
            }
            for (r, d) in rows.iter().zip(deals(&rows)) {
                record::append(
                    conn,
                    row.id,
                    Entry::Trustee(TrusteeKey {
                        index: r.position as u32,
                        name: r.name.clone(),
                        commitments: d.commitments,
                        proof: d.proof,
                    }),
                )?;
            }
            diesel::update(el::table.find(row.id))
                .set(el::keyed_at.eq(now))
                .execute(conn)?;
            Ok(Ok(Taken::Keyed))
        }
        Message::Complain(c) => {
            if let Err(e) = protocol::check_complain(&setup, c) {
                return Ok(Err(capitalised(&e)));
            }
            // Every deal is made again: a deal is computed afresh from each
            // seed, so an honest dealer's comes out the same.
            diesel::update(et::table.filter(et::election_id.eq(row.id)))
                .set((
                    et::deal.eq(None::<String>),
                    et::confirmation.eq(None::<String>),
                ))
                .execute(conn)?;
            Ok(Ok(Taken::Kept(format!(
                "Your complaint against trustee {} is in: every trustee deals again.",
                c.against
            ))))
        }
    }
}

/// Tells every trustee of `row` by email what is asked of them now, with
/// a link to their trustee page. Duty mail: sent whatever the trustee's
/// notice preferences.
pub fn tell(
    conn: &mut DbConnection,
    ctx: &crate::context::Context,
    row: &ElectionRow,
    subject: &str,
    line: &str,
) -> QueryResult<()> {
    use crate::mail::Notice;
    let people: Vec<(String, String)> = et::table
        .inner_join(users::table)
        .filter(et::election_id.eq(row.id))
        .order(et::position.asc())
        .select((users::email, users::display_name))
        .load(conn)?;
    for (email, name) in people {
        let notice = crate::elections::notices::ElectionNotice {
            local_name: ctx.config.local_name.clone(),
            name,
            subject: format!("{subject}: {}", row.title),
            lines: vec![
                line.to_owned(),
                "Use your own computer. Your key file and its passphrase never leave it; nobody else, this server included, can do this step for you.".to_owned(),
            ],
            link: ctx.config.link(&format!("/elections/{}/trustee", row.id)),
        }
        .to(&email)
        .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        crate::mail::outbox::enqueue(conn, &notice, &ctx.config.mail_domain())?;
    }
    Ok(())
}

/// A trustee's device played in this process, for the demo, tests and
/// benchmarks (a real trustee's runs on their own computer): answers what
/// is asked of trustee `position` now from `seed`, and when its share is
/// the last one needed, decrypts the result. `Ok(None)` when nothing is
/// asked; the caller holds a write transaction.
pub fn play_device(
    conn: &mut DbConnection,
    ctx: &crate::context::Context,
    id: i64,
    position: u32,
    seed: &[u8; 32],
) -> QueryResult<Result<Option<Taken>, String>> {
    let row = lock(conn, id)?;
    let Some(packet) = packet(conn, &row, position)? else {
        return Ok(Ok(None));
    };
    if packet.ask == Ask::Wait {
        return Ok(Ok(None));
    }
    let answer = match crate::trustees::packet::answer(&packet, seed) {
        Ok(answer) => answer,
        Err(why) => return Ok(Err(why)),
    };
    let taken = take(conn, &row, position, &answer, ctx.now)?;
    if let Ok(Taken::Shared { enough: true }) = &taken {
        super::lifecycle::finish(conn, ctx, id)?;
    }
    Ok(taken.map(Some))
}

fn take_share(
    conn: &mut DbConnection,
    row: &ElectionRow,
    setup: &Setup,
    position: u32,
    text: &str,
) -> QueryResult<Result<Taken, String>> {
    let Ok(share) = serde_json::from_str::<ShareEntry>(text.trim()) else {
        return Ok(Err(
            "This is not a decryption share from a trustee's device: paste exactly what it gave you.".into(),
        ));
    };
    if share.trustee != position {
        return Ok(Err(format!(
            "This share is trustee {}'s; you are trustee {position}.",
            share.trustee
        )));
    }
    let text = record::text(conn, row.id)?;
    let Some(counting) = Counting::of(&text) else {
        return Ok(Err("The sums are not in the record yet.".into()));
    };
    let Some(key) = counting.keys.get(position as usize - 1) else {
        return Ok(Err(format!(
            "Trustee {position} is not a trustee of this election."
        )));
    };
    let sums = &counting.sums;
    if let Err(e) = crate::record::tally::check_share(&setup.fingerprint, &share, key, sums) {
        return Ok(Err(capitalised(&e)));
    }
    record::append(conn, row.id, Entry::Share(share))?;
    let enough = shared(conn, row.id)?.len() >= setup.threshold as usize;
    Ok(Ok(Taken::Shared { enough }))
}

/// What decrypting a record needs from it: its sums, each trustee's
/// verification key, the checked shares so far, and the threshold.
struct Counting {
    sums: Vec<Vec<crate::crypto::Ciphertext>>,
    keys: Vec<crate::crypto::Point>,
    shares: Vec<(u32, Vec<Vec<crate::crypto::Point>>)>,
    threshold: usize,
    ballots: u64,
}

impl Counting {
    /// `None` until the record has its sums.
    fn of(record_text: &str) -> Option<Counting> {
        let parsed = crate::record::Record::parse(record_text).ok()?;
        let entries: Vec<&Entry> = parsed.lines.iter().map(|l| &l.entry).collect();
        let Some(Entry::Election(spec)) = entries.first() else {
            return None;
        };
        let choices: Vec<usize> = spec.questions.iter().map(|q| q.choices.len()).collect();
        let commitments: Vec<Vec<crate::crypto::Point>> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Trustee(t) => tally_points(&t.commitments),
                _ => None,
            })
            .collect();
        let keys = crate::record::tally::verification_keys(&commitments);
        let sums = entries.iter().find_map(|e| match e {
            Entry::Sums(s) => crate::record::tally::decode_sums(s, &choices).ok(),
            _ => None,
        })?;
        let fingerprint = parsed.fingerprint();
        let shares = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Share(s) => {
                    let key = keys.get((s.trustee as usize).checked_sub(1)?)?;
                    crate::record::tally::check_share(&fingerprint, s, key, &sums)
                        .ok()
                        .map(|points| (s.trustee, points))
                }
                _ => None,
            })
            .collect();
        Some(Counting {
            ballots: entries
                .iter()
                .filter(|e| matches!(e, Entry::Ballot(_)))
                .count() as u64,
            threshold: spec.threshold as usize,
            sums,
            keys,
            shares,
        })
    }
}

/// The counts the record's shares decrypt its sums to, once at least the
/// threshold of valid shares is in; `None` before. Every share in the
/// record was checked before it was appended, and is checked again here.
pub fn decrypt(record_text: &str) -> QueryResult<Option<Vec<Vec<u64>>>> {
    Ok(Counting::of(record_text).and_then(|c| {
        crate::record::tally::counts(&c.shares, &c.sums, c.threshold, c.ballots).ok()
    }))
}

fn tally_points(hexes: &[String]) -> Option<Vec<crate::crypto::Point>> {
    hexes
        .iter()
        .map(|h| crate::record::hexcode::key_point(h, "a commitment").ok())
        .collect()
}

fn capitalised(words: &str) -> String {
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str() + ".",
        None => String::new(),
    }
}
