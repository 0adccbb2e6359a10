//! The demo local's elections: a strike vote that has closed, with its
//! certified result decrypted by two of its three trustees, and one open
//! now. The trustees' devices are played here; their key files are written
//! to `data/demo-trustees/` (passphrase: the demo password) so a visitor
//! signed in as a trustee can decrypt the open vote after it closes.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::rules::PassRule;
use super::states::{Method, QuestionKind};
use super::store::{self, ElectionDraft, QuestionDraft};
use crate::config::Config;
use crate::context::Context;
use crate::db::DbConnection;
use crate::db::schema::{outbox, units};

fn strike_question() -> QuestionDraft {
    QuestionDraft {
        text: "Do you authorize the bargaining committee to call a strike?".into(),
        kind: QuestionKind::YesNo,
        choices: vec!["Yes".into(), "No".into()],
        rule: PassRule {
            num: 2,
            den: 3,
            at_least: true,
            min_turnout_bp: 5000,
        },
        dues: None,
    }
}

/// The demo trustees, in order: the chief steward, the steward and a member.
const TRUSTEES: [&str; 3] = [
    "chief@example.org",
    "steward@example.org",
    "priya.raman@example.org",
];

/// Names the demo trustees of draft `id`, publishes it at `published`, and
/// plays their devices through the key generation. Returns their seeds.
fn publish_with_trustees(
    conn: &mut DbConnection,
    ctx: &Context,
    id: i64,
) -> QueryResult<Vec<[u8; 32]>> {
    let published = ctx.now;
    use crate::db::schema::users;
    let people: Vec<i64> = TRUSTEES
        .iter()
        .map(|email| {
            users::table
                .filter(users::email.eq(email))
                .select(users::id)
                .first(conn)
        })
        .collect::<QueryResult<_>>()?;
    let _ = store::trustees::name(conn, id, &people, 2)?;
    store::publish(conn, id, published)?;
    let seeds: Vec<[u8; 32]> = (0..TRUSTEES.len()).map(|_| rand::random()).collect();
    for _step in 0..3 {
        for (i, seed) in seeds.iter().enumerate() {
            let _ = store::trustees::play_device(conn, ctx, id, i as u32 + 1, seed)?;
        }
    }
    Ok(seeds)
}

/// Writes each demo trustee's key file for election `id` where a visitor
/// can find it.
fn write_key_files(
    config: &Config,
    conn: &mut DbConnection,
    id: i64,
    seeds: &[[u8; 32]],
) -> QueryResult<()> {
    let Some(fingerprint) = store::record::fingerprint(conn, id)? else {
        return Ok(());
    };
    let dir = config.data_dir.join("demo-trustees");
    if crate::files::private_dir(&dir).is_err() {
        return Ok(());
    }
    for (i, seed) in seeds.iter().enumerate() {
        let position = i as u32 + 1;
        let Ok(file) = crate::trustees::keyfile::KeyFile::seal(
            seed,
            &fingerprint,
            position,
            crate::demo::DEMO_PASSWORD,
        ) else {
            continue;
        };
        let path = dir.join(format!("election-{id}-trustee-{position}.key"));
        if let Ok(mut out) = crate::files::create_private(&path) {
            let text = serde_json::to_string_pretty(&file).unwrap_or_default();
            let _ = std::io::Write::write_all(&mut out, text.as_bytes());
        }
    }
    Ok(())
}

/// Writes both elections.
pub fn fill(conn: &mut DbConnection, config: &Config, now: NaiveDateTime) -> QueryResult<()> {
    let at = |when: NaiveDateTime| Context {
        now: when,
        ..Context::command_line(config)
    };
    let unit: i64 = units::table
        .filter(units::name.eq("Guild Staff"))
        .select(units::id)
        .first(conn)?;
    let opened = now - Duration::days(40);
    let closed_id = store::create(
        conn,
        &ElectionDraft {
            unit_id: unit,
            title: "Strike authorization, spring".into(),
            description: "The first strike authorization vote of this contract campaign.".into(),
            opens_at: opened,
            closes_at: now - Duration::days(33),
            cutoff: (opened - Duration::days(14)).date(),
            questions: vec![strike_question()],
        },
        opened - Duration::days(20),
    )?;
    let seeds = publish_with_trustees(conn, &at(opened - Duration::days(14)), closed_id)?;
    store::open(conn, &at(opened), closed_id)?;
    let question = store::questions(conn, closed_id)?;
    let (qid, choices) = question
        .first()
        .map(|q| (q.id, q.choices.iter().map(|(c, _)| *c).collect::<Vec<_>>()))
        .unwrap_or_default();
    let roll: Vec<i64> = crate::db::schema::roll_entries::table
        .filter(crate::db::schema::roll_entries::election_id.eq(closed_id))
        .order(crate::db::schema::roll_entries::employee_number.asc())
        .select(crate::db::schema::roll_entries::member_id)
        .load(conn)?;
    // All but one of the roll vote; one in five says no.
    for (i, member) in roll.iter().enumerate().skip(1) {
        let choice = choices
            .get(usize::from(i % 5 == 0))
            .copied()
            .unwrap_or_default();
        let _ = store::cast(
            conn,
            closed_id,
            *member,
            &[(qid, choice)],
            Method::Online,
            None,
            opened + Duration::hours(i64::try_from(i).unwrap_or(0)),
        )?;
    }
    store::close(conn, &at(now), closed_id, "")?;
    // Two of the three trustees decrypt; the third's file is not needed.
    for (i, seed) in seeds.iter().enumerate().take(2) {
        let _ = store::trustees::play_device(conn, &at(now), closed_id, i as u32 + 1, seed)?;
    }

    let open_id = store::create(
        conn,
        &ElectionDraft {
            unit_id: unit,
            title: "Strike authorization, autumn".into(),
            description: "Management's last offer leaves most of us behind after premiums. Vote."
                .into(),
            opens_at: now - Duration::hours(2),
            closes_at: now + Duration::days(7),
            cutoff: (now - Duration::days(7)).date(),
            questions: vec![strike_question()],
        },
        now - Duration::days(10),
    )?;
    // Published on its cut-off day: the roll is as the members stood then.
    let seeds = publish_with_trustees(conn, &at(now - Duration::days(7)), open_id)?;
    store::open(conn, &at(now), open_id)?;
    write_key_files(config, conn, open_id, &seeds)?;
    // The demo's people are fictional: none of its notices should leave.
    diesel::delete(
        outbox::table.filter(outbox::template.eq_any(["election", super::RECEIPT_TEMPLATE])),
    )
    .execute(conn)?;
    Ok(())
}
