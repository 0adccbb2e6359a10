//! The demo local's elections: a strike vote that has closed, with its
//! certified result, and one open now.

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
    store::publish(conn, closed_id, opened - Duration::days(14))?;
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
            opened + Duration::hours(i64::try_from(i).unwrap_or(0)),
        )?;
    }
    store::close(conn, &at(now), closed_id, "")?;

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
    store::publish(conn, open_id, now - Duration::days(9))?;
    store::open(conn, &at(now), open_id)?;
    // The demo's people are fictional: none of its notices should leave.
    diesel::delete(
        outbox::table.filter(outbox::template.eq_any(["election", super::RECEIPT_TEMPLATE])),
    )
    .execute(conn)?;
    Ok(())
}
