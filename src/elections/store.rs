//! Elections in the database: drafts, the roll and its challenges, the
//! opening and the close, casting (online and on paper) and the result.
//! Each function runs inside the caller's transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::rules::{self, PassRule};
use crate::config::Config;
use crate::db::DbConnection;
use crate::db::schema::{
    ballot_answers as ba, ballots, election_choices as ec, election_outcomes as eo,
    election_questions as eq, election_results as er, elections as el, members, participation,
    roll_challenges as rc, roll_entries as re, users,
};
use crate::dues::rules::Rate;
use crate::mail::preferences::{self, NoticeKind};
use crate::money::Cents;

/// An elections row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = el)]
pub struct ElectionRow {
    pub id: i64,
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub cutoff: NaiveDate,
    pub status: String,
    pub roll_fingerprint: Option<String>,
    pub eligible: Option<i32>,
    pub close_reason: String,
    pub closed_at: Option<NaiveDateTime>,
    pub purged_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ElectionRow {
    /// True while ballots may be cast at `now`.
    pub fn accepting(&self, now: NaiveDateTime) -> bool {
        self.status == "open" && now >= self.opens_at && now < self.closes_at
    }
}

/// A question as typed by an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionDraft {
    pub text: String,
    /// "yes_no" or "choice".
    pub kind: String,
    /// For "choice"; "Yes" and "No" for a yes/no question.
    pub choices: Vec<String>,
    pub rule: PassRule,
    /// A dues rate the unit adopts from a date if this question passes.
    pub dues: Option<(Rate, NaiveDate)>,
}

/// An election as typed by an officer.
#[derive(Debug, Clone)]
pub struct ElectionDraft {
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub cutoff: NaiveDate,
    pub questions: Vec<QuestionDraft>,
}

/// A stored question with its choices.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: i64,
    pub position: i32,
    pub text: String,
    pub kind: String,
    pub rule: PassRule,
    pub choices: Vec<(i64, String)>,
    pub dues: Option<(Rate, NaiveDate)>,
}

fn write_questions(
    conn: &mut DbConnection,
    election: i64,
    questions: &[QuestionDraft],
) -> QueryResult<()> {
    for (i, q) in questions.iter().enumerate() {
        let (dues_kind, bp, min, max, flat, effective) = match &q.dues {
            Some((
                Rate::Percent {
                    basis_points,
                    monthly_min,
                    monthly_max,
                },
                from,
            )) => (
                Some("percent"),
                *basis_points,
                monthly_min.0,
                monthly_max.0,
                0,
                Some(*from),
            ),
            Some((Rate::Flat { monthly }, from)) => (Some("flat"), 0, 0, 0, monthly.0, Some(*from)),
            None => (None, 0, 0, 0, 0, None),
        };
        diesel::insert_into(eq::table)
            .values((
                eq::election_id.eq(election),
                eq::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                eq::text.eq(&q.text),
                eq::kind.eq(&q.kind),
                eq::pass_num.eq(i32::try_from(q.rule.num).unwrap_or(1)),
                eq::pass_den.eq(i32::try_from(q.rule.den).unwrap_or(2)),
                eq::pass_at_least.eq(q.rule.at_least),
                eq::min_turnout_bp.eq(i32::try_from(q.rule.min_turnout_bp).unwrap_or(0)),
                (
                    eq::dues_kind.eq(dues_kind),
                    eq::dues_basis_points.eq(i32::try_from(bp).unwrap_or(0)),
                    eq::dues_min_cents.eq(min),
                    eq::dues_max_cents.eq(max),
                    eq::dues_flat_cents.eq(flat),
                    eq::dues_effective.eq(effective),
                ),
            ))
            .execute(conn)?;
        let question = crate::db::last_insert_id(conn)?;
        for (j, label) in q.choices.iter().enumerate() {
            diesel::insert_into(ec::table)
                .values((
                    ec::question_id.eq(question),
                    ec::position.eq(i32::try_from(j + 1).unwrap_or(i32::MAX)),
                    ec::label.eq(label),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Creates a draft; returns its id.
pub fn create(
    conn: &mut DbConnection,
    draft: &ElectionDraft,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(el::table)
        .values((
            el::unit_id.eq(draft.unit_id),
            el::title.eq(&draft.title),
            el::description.eq(&draft.description),
            el::opens_at.eq(draft.opens_at),
            el::closes_at.eq(draft.closes_at),
            el::cutoff.eq(draft.cutoff),
            el::status.eq("draft"),
            el::created_at.eq(now),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn)?;
    write_questions(conn, id, &draft.questions)?;
    Ok(id)
}

/// Replaces a draft's fields and questions. Only drafts change.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    draft: &ElectionDraft,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(el::table.find(id).filter(el::status.eq("draft")))
        .set((
            el::unit_id.eq(draft.unit_id),
            el::title.eq(&draft.title),
            el::description.eq(&draft.description),
            el::opens_at.eq(draft.opens_at),
            el::closes_at.eq(draft.closes_at),
            el::cutoff.eq(draft.cutoff),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    let old: Vec<i64> = eq::table
        .filter(eq::election_id.eq(id))
        .select(eq::id)
        .load(conn)?;
    diesel::delete(ec::table.filter(ec::question_id.eq_any(&old))).execute(conn)?;
    diesel::delete(eq::table.filter(eq::election_id.eq(id))).execute(conn)?;
    write_questions(conn, id, &draft.questions)?;
    Ok(true)
}

/// One election.
pub fn election(conn: &mut DbConnection, id: i64) -> QueryResult<ElectionRow> {
    el::table
        .find(id)
        .select(ElectionRow::as_select())
        .first(conn)
}

/// The election, locked for the rest of the transaction on PostgreSQL.
pub fn lock(conn: &mut DbConnection, id: i64) -> QueryResult<ElectionRow> {
    match conn {
        DbConnection::Postgres(pg) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .for_update()
            .first(pg),
        DbConnection::Sqlite(lite) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .first(lite),
    }
}

/// The election, share-locked on PostgreSQL: casts run side by side, and
/// the close (which takes the row for update) waits for them to finish.
pub fn lock_shared(conn: &mut DbConnection, id: i64) -> QueryResult<ElectionRow> {
    match conn {
        DbConnection::Postgres(pg) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .for_share()
            .first(pg),
        DbConnection::Sqlite(lite) => el::table
            .find(id)
            .select(ElectionRow::as_select())
            .first(lite),
    }
}

/// An election's questions and choices, in order.
pub fn questions(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<Question>> {
    type Raw = (
        i64,
        i32,
        String,
        String,
        i32,
        i32,
        bool,
        i32,
        Option<String>,
        i32,
        i64,
        i64,
        i64,
        Option<NaiveDate>,
    );
    let rows: Vec<Raw> = eq::table
        .filter(eq::election_id.eq(id))
        .order(eq::position.asc())
        .select((
            eq::id,
            eq::position,
            eq::text,
            eq::kind,
            eq::pass_num,
            eq::pass_den,
            eq::pass_at_least,
            eq::min_turnout_bp,
            eq::dues_kind,
            eq::dues_basis_points,
            eq::dues_min_cents,
            eq::dues_max_cents,
            eq::dues_flat_cents,
            eq::dues_effective,
        ))
        .load(conn)?;
    let mut out = Vec::new();
    for (qid, position, text, kind, num, den, at_least, turnout, dk, bp, min, max, flat, eff) in
        rows
    {
        let choices = ec::table
            .filter(ec::question_id.eq(qid))
            .order(ec::position.asc())
            .select((ec::id, ec::label))
            .load(conn)?;
        let dues = match (dk.as_deref(), eff) {
            (Some("percent"), Some(from)) => Some((
                Rate::Percent {
                    basis_points: i64::from(bp),
                    monthly_min: Cents(min),
                    monthly_max: Cents(max),
                },
                from,
            )),
            (Some("flat"), Some(from)) => Some((
                Rate::Flat {
                    monthly: Cents(flat),
                },
                from,
            )),
            _ => None,
        };
        out.push(Question {
            id: qid,
            position,
            text,
            kind,
            rule: PassRule {
                num: i64::from(num),
                den: i64::from(den),
                at_least,
                min_turnout_bp: i64::from(turnout),
            },
            choices,
            dues,
        });
    }
    Ok(out)
}

/// Publishes a draft: the roll is drawn from the dues roll (members in
/// good standing on the cut-off) and opened to challenges.
pub fn publish(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<Option<usize>> {
    let row = lock(conn, id)?;
    // Standing on a day still to come would be a guess, frozen into the roll.
    if row.status != "draft" || row.cutoff > now.date() {
        return Ok(None);
    }
    let standings = crate::dues::ledger::standings_on(conn, row.cutoff)?;
    let people: Vec<(i64, String)> = members::table
        .filter(members::unit_id.eq(row.unit_id))
        .select((members::id, members::employee_number))
        .load(conn)?;
    let mut count = 0;
    for (member_id, number) in people {
        if standings.get(&member_id).is_some_and(|(s, _)| s.good) {
            diesel::insert_into(re::table)
                .values((
                    re::election_id.eq(id),
                    re::member_id.eq(member_id),
                    re::employee_number.eq(number),
                ))
                .execute(conn)?;
            count += 1;
        }
    }
    diesel::update(el::table.find(id))
        .set((el::status.eq("published"), el::updated_at.eq(now)))
        .execute(conn)?;
    Ok(Some(count))
}

/// True when the member is on the election's roll.
pub fn on_roll(conn: &mut DbConnection, id: i64, member_id: i64) -> QueryResult<bool> {
    Ok(re::table
        .filter(re::election_id.eq(id))
        .filter(re::member_id.eq(member_id))
        .count()
        .get_result::<i64>(conn)?
        > 0)
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

/// The roll's employee numbers.
pub fn roll_numbers(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    re::table
        .filter(re::election_id.eq(id))
        .select(re::employee_number)
        .load(conn)
}

/// Users whose roster entry is on the roll, with their emails.
pub fn roll_accounts(
    conn: &mut DbConnection,
    id: i64,
    only_not_voted: bool,
) -> QueryResult<Vec<(i64, i64, String, String)>> {
    let entries: Vec<(i64, Option<String>)> = re::table
        .inner_join(members::table)
        .filter(re::election_id.eq(id))
        .select((members::id, members::email))
        .load(conn)?;
    let mut out = Vec::new();
    for (member_id, email) in entries {
        let Some(email) = email else { continue };
        if only_not_voted && has_voted(conn, id, member_id)? {
            continue;
        }
        let account: Option<(i64, String, bool)> = users::table
            .filter(users::email.eq(&email))
            .select((users::id, users::display_name, users::active))
            .first(conn)
            .optional()?;
        if let Some((user_id, name, true)) = account {
            out.push((user_id, member_id, email, name));
        }
    }
    Ok(out)
}

/// Sends `notice` to each roll account that wants `kind`.
pub fn mail_roll(
    conn: &mut DbConnection,
    config: &Config,
    id: i64,
    kind: NoticeKind,
    only_not_voted: bool,
    make: &dyn Fn(&str) -> super::notices::ElectionNotice,
) -> QueryResult<usize> {
    use crate::mail::Notice;
    let mut sent = 0;
    for (user_id, _, email, name) in roll_accounts(conn, id, only_not_voted)? {
        if !preferences::wants(conn, user_id, kind)? {
            continue;
        }
        let message = make(&name)
            .to(&email)
            .map_err(|e| diesel::result::Error::QueryBuilderError(Box::new(e)))?;
        crate::mail::outbox::enqueue(conn, &message, &config.mail_domain())?;
        sent += 1;
    }
    Ok(sent)
}

/// Freezes the roll and opens the vote: the fingerprint is fixed and the
/// eligible members are told. Returns false when it was not published.
pub fn open(
    conn: &mut DbConnection,
    config: &Config,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != "published" {
        return Ok(false);
    }
    let numbers = roll_numbers(conn, id)?;
    let print = rules::fingerprint(&numbers);
    let opens_at = row.opens_at.min(now);
    diesel::update(el::table.find(id))
        .set((
            el::status.eq("open"),
            el::roll_fingerprint.eq(&print),
            el::eligible.eq(i32::try_from(numbers.len()).unwrap_or(i32::MAX)),
            el::opens_at.eq(opens_at),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    // Challenges still open at the freeze can no longer change the roll.
    diesel::update(
        rc::table
            .filter(rc::election_id.eq(id))
            .filter(rc::status.eq("open")),
    )
    .set((
        rc::status.eq("rejected"),
        rc::resolution.eq("Not resolved before the roll was frozen at opening."),
        rc::resolved_at.eq(now),
    ))
    .execute(conn)?;
    let link = config.link(&format!("/elections/{id}"));
    let closes = super::local_time(config, row.closes_at);
    mail_roll(conn, config, id, NoticeKind::Election, false, &|name| {
        super::notices::ElectionNotice {
            local_name: config.local_name.clone(),
            name: name.to_owned(),
            subject: format!("vote now: {}", row.title),
            lines: vec![
                format!("Voting in \"{}\" is open until {closes}.", row.title),
                format!("The roll's fingerprint is {print}."),
            ],
            link: link.clone(),
        }
    })?;
    Ok(true)
}

/// Why a ballot was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such election, or none this member may see: answered as a 404.
    Hidden,
    NotOpen,
    NotOnRoll,
    AlreadyVoted,
    BadAnswers,
}

impl Refusal {
    /// For the audit log (never the choice).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Hidden => "no such election for this member",
            Self::NotOpen => "not open",
            Self::NotOnRoll => "not on the roll",
            Self::AlreadyVoted => "already voted",
            Self::BadAnswers => "answers that are not on the ballot",
        }
    }
}

/// Records one ballot and the member's participation together. `answers`
/// pairs each question with the chosen choice.
pub fn cast(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    answers: &[(i64, i64)],
    method: &str,
    now: NaiveDateTime,
) -> QueryResult<Result<String, Refusal>> {
    let row = lock_shared(conn, id)?;
    if !row.accepting(now) {
        return Ok(Err(Refusal::NotOpen));
    }
    if !on_roll(conn, id, member_id)? {
        return Ok(Err(Refusal::NotOnRoll));
    }
    if has_voted(conn, id, member_id)? {
        return Ok(Err(Refusal::AlreadyVoted));
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
    diesel::insert_into(participation::table)
        .values((
            participation::election_id.eq(id),
            participation::member_id.eq(member_id),
            participation::method.eq(method),
        ))
        .execute(conn)?;
    let code = rules::tracking_code();
    diesel::insert_into(ballots::table)
        .values((
            ballots::election_id.eq(id),
            ballots::tracking_code.eq(&code),
        ))
        .execute(conn)?;
    for (question, choice) in answers {
        diesel::insert_into(ba::table)
            .values((
                ba::election_id.eq(id),
                ba::tracking_code.eq(&code),
                ba::question_id.eq(question),
                ba::choice_id.eq(choice),
            ))
            .execute(conn)?;
    }
    Ok(Ok(code))
}

/// Turnout while the vote runs: (online, paper, eligible).
pub fn turnout(conn: &mut DbConnection, id: i64) -> QueryResult<(i64, i64, i64)> {
    let methods: Vec<String> = participation::table
        .filter(participation::election_id.eq(id))
        .select(participation::method)
        .load(conn)?;
    let online = methods.iter().filter(|m| *m == "online").count();
    let eligible: i64 = re::table
        .filter(re::election_id.eq(id))
        .count()
        .get_result(conn)?;
    Ok((
        i64::try_from(online).unwrap_or(0),
        i64::try_from(methods.len() - online).unwrap_or(0),
        eligible,
    ))
}

/// Closes the vote: counts every question, decides it by its rule,
/// stores the certified result, adopts a dues rate whose question passed,
/// and tells the roll. Returns false when it was not open.
pub fn close(
    conn: &mut DbConnection,
    config: &Config,
    id: i64,
    now: NaiveDateTime,
    reason: &str,
) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != "open" {
        return Ok(false);
    }
    let closed_at = if reason.is_empty() {
        row.closes_at.min(now)
    } else {
        now
    };
    diesel::update(el::table.find(id))
        .set((
            el::status.eq("closed"),
            el::closed_at.eq(closed_at),
            el::close_reason.eq(reason),
            el::updated_at.eq(now),
        ))
        .execute(conn)?;
    let (online, paper, _) = turnout(conn, id)?;
    let eligible = i64::from(row.eligible.unwrap_or(0));
    let mut summary = Vec::new();
    for q in questions(conn, id)? {
        let mut counts = Vec::new();
        for (choice, _) in &q.choices {
            let votes: i64 = ba::table
                .filter(ba::election_id.eq(id))
                .filter(ba::question_id.eq(q.id))
                .filter(ba::choice_id.eq(choice))
                .count()
                .get_result(conn)?;
            diesel::insert_into(er::table)
                .values((
                    er::question_id.eq(q.id),
                    er::choice_id.eq(choice),
                    er::votes.eq(i32::try_from(votes).unwrap_or(i32::MAX)),
                ))
                .execute(conn)?;
            counts.push(votes);
        }
        let verdict = rules::decide(&counts, &q.rule, online + paper, eligible);
        let outcome = match (q.kind.as_str(), verdict.leader) {
            ("yes_no", Some(0)) if verdict.passed => "passed".to_owned(),
            ("yes_no", _) => "did not pass".to_owned(),
            (_, Some(i)) if verdict.passed => format!("won by {}", q.choices[i].1),
            _ => "no choice won".to_owned(),
        };
        if let (true, Some(0), Some((rate, from))) = (verdict.passed, verdict.leader, q.dues) {
            crate::dues::ledger::set_rate(conn, row.unit_id, from, rate, now)?;
        }
        summary.push(format!("{}: {outcome}", q.text));
    }
    diesel::insert_into(eo::table)
        .values((
            eo::election_id.eq(id),
            eo::participated_online.eq(i32::try_from(online).unwrap_or(0)),
            eo::participated_paper.eq(i32::try_from(paper).unwrap_or(0)),
            eo::summary.eq(summary.join("; ")),
        ))
        .execute(conn)?;
    rewrite_ballots(conn, id)?;
    let link = config.link(&format!("/elections/{id}"));
    let lines = vec![
        format!("Voting in \"{}\" has closed.", row.title),
        summary.join(" "),
    ];
    mail_roll(conn, config, id, NoticeKind::Election, false, &|name| {
        super::notices::ElectionNotice {
            local_name: config.local_name.clone(),
            name: name.to_owned(),
            subject: format!("result: {}", row.title),
            lines: lines.clone(),
            link: link.clone(),
        }
    })?;
    Ok(true)
}

/// True when the clock has passed a time at which the election moves on.
pub fn due(row: &ElectionRow, now: NaiveDateTime) -> bool {
    (row.status == "published" && now >= row.opens_at)
        || (row.status == "open" && now >= row.closes_at)
}

/// On PostgreSQL, every row keeps the id of the transaction that wrote it
/// (`xmin`) and sits where it was written (`ctid`): a cast's participation
/// and ballot rows would share one and sit in casting order. At the close
/// this election's rows are taken out and written back in key order inside
/// the close's transaction, so all share its id and the order of the random
/// codes. (SQLite keeps no such column; its WITHOUT ROWID tables are stored
/// in key order.) `vacuum_ballot_tables` then clears the old row versions.
fn rewrite_ballots(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let DbConnection::Postgres(pg) = conn else {
        return Ok(());
    };
    use diesel::connection::SimpleConnection;
    pg.batch_execute(&format!(
        "CREATE TEMP TABLE rewrite_answers ON COMMIT DROP AS SELECT * FROM ballot_answers WHERE election_id = {id};
         CREATE TEMP TABLE rewrite_ballots ON COMMIT DROP AS SELECT * FROM ballots WHERE election_id = {id};
         CREATE TEMP TABLE rewrite_participation ON COMMIT DROP AS SELECT * FROM participation WHERE election_id = {id};
         DELETE FROM ballot_answers WHERE election_id = {id};
         DELETE FROM ballots WHERE election_id = {id};
         DELETE FROM participation WHERE election_id = {id};
         INSERT INTO ballots SELECT * FROM rewrite_ballots ORDER BY tracking_code;
         INSERT INTO ballot_answers SELECT * FROM rewrite_answers ORDER BY tracking_code, question_id;
         INSERT INTO participation SELECT * FROM rewrite_participation ORDER BY member_id;"
    ))
}

/// Clears the row versions a close left behind (PostgreSQL only; it cannot
/// run inside a transaction, so callers run it after the close commits).
pub fn vacuum_ballot_tables(conn: &mut DbConnection) {
    if let DbConnection::Postgres(pg) = conn {
        use diesel::connection::SimpleConnection;
        if let Err(e) = pg.batch_execute("VACUUM ballots, ballot_answers, participation") {
            tracing::warn!(error = %e, "vacuum after an election's close");
        }
    }
}

/// Moves an election along by the clock: opens a published election at
/// its opening time and closes an open one at its closing time.
pub fn advance(
    conn: &mut DbConnection,
    config: &Config,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let row = election(conn, id)?;
    if row.status == "published" && now >= row.opens_at {
        open(conn, config, id, now)?;
    }
    let row = election(conn, id)?;
    if row.status == "open" && now >= row.closes_at {
        close(conn, config, id, now, "")?;
    }
    Ok(())
}

/// Claims and sends one reminder inside the caller's transaction; 0 when
/// another process claimed it first or the vote is not open.
pub fn send_reminder(
    conn: &mut DbConnection,
    config: &Config,
    reminder: i64,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::election_reminders as er_;
    {
        {
            let claimed = diesel::update(er_::table.find(reminder).filter(er_::sent_at.is_null()))
                .set(er_::sent_at.eq(now))
                .execute(conn)?;
            let row = election(conn, id)?;
            if claimed == 0 || !row.accepting(now) {
                return Ok(0);
            }
            let link = config.link(&format!("/elections/{id}"));
            let closes = super::local_time(config, row.closes_at);
            let sent = mail_roll(
                conn,
                config,
                id,
                NoticeKind::ElectionReminders,
                true,
                &|name| super::notices::ElectionNotice {
                    local_name: config.local_name.clone(),
                    name: name.to_owned(),
                    subject: format!("reminder: vote in {}", row.title),
                    lines: vec![format!(
                        "You have not voted in \"{}\" yet. Voting closes {closes}.",
                        row.title
                    )],
                    link: link.clone(),
                },
            )?;
            diesel::update(er_::table.find(reminder))
                .set(er_::recipients.eq(i32::try_from(sent).unwrap_or(0)))
                .execute(conn)?;
            Ok(sent)
        }
    }
}

/// The certified counts of a closed election: question id → [(choice, votes)].
pub fn results(conn: &mut DbConnection, question: i64) -> QueryResult<Vec<(i64, i64)>> {
    Ok(er::table
        .filter(er::question_id.eq(question))
        .select((er::choice_id, er::votes))
        .load::<(i64, i32)>(conn)?
        .into_iter()
        .map(|(c, v)| (c, i64::from(v)))
        .collect())
}

/// The counted tracking codes, sorted, which reveals nothing of the order.
pub fn tracking_codes(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<String>> {
    ballots::table
        .filter(ballots::election_id.eq(id))
        .order(ballots::tracking_code.asc())
        .select(ballots::tracking_code)
        .load(conn)
}

/// Deletes the roll, participation and ballots a year after the close,
/// keeping the certified result.
pub fn purge(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(ba::table.filter(ba::election_id.eq(id))).execute(conn)?;
    diesel::delete(ballots::table.filter(ballots::election_id.eq(id))).execute(conn)?;
    diesel::delete(participation::table.filter(participation::election_id.eq(id))).execute(conn)?;
    diesel::delete(re::table.filter(re::election_id.eq(id))).execute(conn)?;
    diesel::delete(rc::table.filter(rc::election_id.eq(id))).execute(conn)?;
    diesel::update(el::table.find(id))
        .set((el::purged_at.eq(now), el::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Records a member's challenge to the roll while it is published.
pub fn challenge(
    conn: &mut DbConnection,
    id: i64,
    member_id: i64,
    kind: &str,
    reason: &str,
    raised_by: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    if row.status != "published" {
        return Ok(false);
    }
    diesel::insert_into(rc::table)
        .values((
            rc::election_id.eq(id),
            rc::member_id.eq(member_id),
            rc::kind.eq(kind),
            rc::reason.eq(reason),
            rc::raised_by.eq(raised_by),
            rc::status.eq("open"),
            rc::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// An officer's decision on a challenge; an upheld one changes the roll.
pub fn resolve(
    conn: &mut DbConnection,
    id: i64,
    challenge: i64,
    uphold: bool,
    resolution: &str,
    officer: i64,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let row = lock(conn, id)?;
    let found: Option<(i64, String, String)> = rc::table
        .find(challenge)
        .filter(rc::election_id.eq(id))
        .select((rc::member_id, rc::kind, rc::status))
        .first(conn)
        .optional()?;
    let Some((member_id, kind, status)) = found else {
        return Ok(false);
    };
    if row.status != "published" || status != "open" {
        return Ok(false);
    }
    if uphold {
        if kind == "add" && !on_roll(conn, id, member_id)? {
            let number: String = members::table
                .find(member_id)
                .select(members::employee_number)
                .first(conn)?;
            diesel::insert_into(re::table)
                .values((
                    re::election_id.eq(id),
                    re::member_id.eq(member_id),
                    re::employee_number.eq(number),
                ))
                .execute(conn)?;
        } else if kind == "remove" {
            diesel::delete(
                re::table
                    .filter(re::election_id.eq(id))
                    .filter(re::member_id.eq(member_id)),
            )
            .execute(conn)?;
        }
    }
    diesel::update(rc::table.find(challenge))
        .set((
            rc::status.eq(if uphold { "upheld" } else { "rejected" }),
            rc::resolution.eq(resolution),
            rc::resolved_by.eq(officer),
            rc::resolved_at.eq(now),
        ))
        .execute(conn)?;
    Ok(true)
}

/// A challenge as listed: id, the entry's name and number, kind, reason,
/// status, resolution.
pub type ChallengeLine = (i64, String, String, String, String, String, String);

/// An election's challenges, oldest first.
pub fn challenges(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<ChallengeLine>> {
    Ok(rc::table
        .inner_join(members::table)
        .filter(rc::election_id.eq(id))
        .order(rc::id.asc())
        .select((
            rc::id,
            members::first_name,
            members::last_name,
            members::employee_number,
            rc::kind,
            rc::reason,
            rc::status,
            rc::resolution,
        ))
        .load::<(i64, String, String, String, String, String, String, String)>(conn)?
        .into_iter()
        .map(
            |(cid, first, last, number, kind, reason, status, resolution)| {
                (
                    cid,
                    format!("{first} {last}"),
                    number,
                    kind,
                    reason,
                    status,
                    resolution,
                )
            },
        )
        .collect())
}

/// Who has voted, for officers: name, number, method.
pub fn voters(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<(String, String, String)>> {
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
        .load::<(String, String, String, String)>(conn)?
        .into_iter()
        .map(|(f, l, n, m)| (format!("{l}, {f}"), n, m))
        .collect())
}
