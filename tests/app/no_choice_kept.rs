//! An attacker holding everything the server keeps (every table, the
//! SQLite file and its WAL, the mail folder) while a vote is open, who
//! knows the order members voted in, learns no choice: casting writes no
//! choice's words, and no stored value groups the ballots the way the
//! choices do.

use std::collections::HashMap;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::Text;
use unionhall::config::{DatabaseUrl, MailTransportConfig};
use unionhall::db::schema::outbox;
use unionhall::elections::rules::PassRule;
use unionhall::elections::states::QuestionKind;
use unionhall::elections::store::{self, QuestionDraft};
use unionhall::record::ballot;
use unionhall::record::entry::{CastBy, Entry};

use crate::elections::{accounts, question_choices, roster, voter};
use crate::helpers::{Stage, TestApp};

/// Choice words found nowhere else, so any copy of them is the vote's.
const CHOICES: [&str; 2] = ["Walk out QZXALPHA", "Stay in QZXBRAVO"];

/// Who picks which choice, in the order they vote: no period, 7 to 5 (so a
/// copy written per vote would show in the counts), both choices by both
/// ways of casting.
const PICKS: [usize; 12] = [0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1];

/// Whether voter `i` casts from a device (the booth's script) or through
/// the form the server encrypts: crosses the picks both ways.
fn from_device(i: usize) -> bool {
    i % 3 == 1
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = Text)]
    row: String,
}

fn tables(app: &TestApp) -> Vec<String> {
    let query = if app.env.is_postgres() {
        "SELECT table_name AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    };
    diesel::sql_query(query)
        .load::<Named>(&mut app.db())
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// Every row of `table`, one list of column values each, in the order the
/// database keeps them (the order an attacker reads them in).
fn rows(app: &TestApp, table: &str) -> Vec<Vec<String>> {
    let query = if app.env.is_postgres() {
        format!("SELECT json_build_array(t.*)::text AS row FROM \"{table}\" t ORDER BY ctid")
    } else {
        let columns: Vec<String> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<Named>(&mut app.db())
                .unwrap()
                .into_iter()
                .map(|c| format!("quote(\"{}\")", c.name))
                .collect();
        // A table without rowids is read in its key's order, as a file
        // reader would find it.
        let without_rowid = diesel::sql_query(format!("SELECT rowid FROM \"{table}\" LIMIT 1"))
            .execute(&mut app.db())
            .is_err();
        let order = if without_rowid { "" } else { " ORDER BY rowid" };
        format!(
            "SELECT json_array({}) AS row FROM \"{table}\"{order}",
            columns.join(", ")
        )
    };
    diesel::sql_query(query)
        .load::<RowText>(&mut app.db())
        .unwrap()
        .into_iter()
        .map(|r| {
            let value: serde_json::Value = serde_json::from_str(&r.row).unwrap();
            let values = match value {
                // PostgreSQL wraps the row as one object in the array.
                serde_json::Value::Array(items) if items.len() == 1 && items[0].is_object() => {
                    items[0]
                        .as_object()
                        .unwrap()
                        .values()
                        .cloned()
                        .collect::<Vec<_>>()
                }
                serde_json::Value::Array(items) => items,
                other => vec![other],
            };
            values.into_iter().map(|v| v.to_string()).collect()
        })
        .collect()
}

pub(crate) fn snapshot(app: &TestApp) -> HashMap<String, Vec<Vec<String>>> {
    tables(app)
        .into_iter()
        .map(|t| {
            let r = rows(app, &t);
            (t, r)
        })
        .collect()
}

/// The raw bytes of the database file, its WAL and every mail file.
pub(crate) fn files(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    if let DatabaseUrl::Sqlite(db) = &app.config.database {
        for suffix in ["", "-wal"] {
            let path = format!("{db}{suffix}");
            if let Ok(bytes) = std::fs::read(&path) {
                found.push((path, bytes));
            }
        }
    }
    let mail = app.config.data_dir.join("mail");
    if Path::new(&mail).exists() {
        for entry in std::fs::read_dir(&mail).unwrap() {
            let path = entry.unwrap().path();
            found.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    found
}

fn occurrences(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        .count()
}

fn words_in(found: &[(String, Vec<u8>)]) -> [usize; 2] {
    CHOICES.map(|c| found.iter().map(|(_, b)| occurrences(b, c)).sum())
}

/// Whether a value's classes split the casts the way the choices do: no
/// more classes than choices (so not a one-per-ballot value such as a
/// ciphertext or a time, even if two of those happen to meet), more than
/// one (so not a constant), and every class holds one choice.
fn groups_like_the_choices(values: &[String]) -> bool {
    let mut class: HashMap<&str, usize> = HashMap::new();
    for (value, &pick) in values.iter().zip(PICKS.iter()) {
        if *class.entry(value.as_str()).or_insert(pick) != pick {
            return false;
        }
    }
    class.len() > 1 && class.len() <= CHOICES.len()
}

async fn wait_for_mail(app: &TestApp) {
    for _ in 0..400 {
        let waiting: i64 = outbox::table
            .filter(outbox::status.ne("sent"))
            .count()
            .get_result(&mut app.db())
            .unwrap();
        if waiting == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("mail was not all sent");
}

#[tokio::test]
async fn holding_every_table_the_database_files_and_the_mail_recovers_no_choice() {
    let app = TestApp::spawn_with(|config| {
        config.data_dir = config.data_dir.join("data");
        config.mail_transport = MailTransportConfig::Files(config.data_dir.join("mail"));
    })
    .await;
    let unit = roster(&app, PICKS.len());
    accounts(&app, PICKS.len());
    let question = QuestionDraft {
        text: "Do we walk out?".into(),
        kind: QuestionKind::Choice,
        choices: CHOICES.map(String::from).to_vec(),
        rule: PassRule {
            num: 1,
            den: 2,
            at_least: false,
            min_turnout_bp: 0,
        },
        dues: None,
    };
    let id = app.election(unit, vec![question], Stage::Open);
    let (q, choice_ids) = question_choices(&app, id)[0].clone();
    let mut clients = Vec::new();
    for i in 0..PICKS.len() {
        clients.push(voter(&app, i).await);
    }
    wait_for_mail(&app).await;
    let tables_before = snapshot(&app);
    let files_before = files(&app);
    let words_before = words_in(&files_before);

    let (key, fingerprint) = store::casting::election_key(&mut app.db(), id).unwrap();
    for (i, &pick) in PICKS.iter().enumerate() {
        let page = if from_device(i) {
            let made = ballot::encrypt(&key, &fingerprint, None, CastBy::Voter, &[2], &[pick]);
            let text = serde_json::to_string(&made.entry).unwrap();
            clients[i]
                .post(&format!("/elections/{id}/cast"), &[("ballot", &text)])
                .await
        } else {
            clients[i]
                .post(
                    &format!("/elections/{id}/cast"),
                    &[(&format!("q_{q}"), &choice_ids[pick].to_string())],
                )
                .await
        };
        assert_eq!(page.status, 200, "voter {i}: {}", page.body);
        for word in CHOICES {
            assert!(!page.body.contains(word), "the receipt page names a choice");
        }
    }
    wait_for_mail(&app).await;

    // A choice's words are written only with the other's (SQLite copies a
    // whole page, the question's definition with it, into the WAL), never
    // one per vote: a vote would tilt the counts 7 to 5.
    let files_after = files(&app);
    let words_after = words_in(&files_after);
    let added = [0, 1].map(|c| words_after[c] - words_before[c]);
    assert_eq!(
        added[0], added[1],
        "casting wrote one choice's words more than the other's: {added:?}"
    );
    let receipts = files_after.len() - files_before.len();
    assert!(receipts >= PICKS.len(), "{receipts} receipts were mailed");

    // No column of any row the casts wrote, nor its length, groups the
    // voters by choice, read in the order the database keeps the rows.
    let tables_after = snapshot(&app);
    let mut checked = Vec::new();
    for (table, after) in &tables_after {
        let before = &tables_before[table];
        let new: Vec<&Vec<String>> = after.iter().filter(|r| !before.contains(r)).collect();
        if new.len() != PICKS.len() {
            continue;
        }
        for column in 0..new[0].len() {
            let values: Vec<String> = new.iter().map(|r| r[column].clone()).collect();
            let lengths: Vec<String> = values.iter().map(|v| v.len().to_string()).collect();
            assert!(
                !groups_like_the_choices(&values),
                "{table} column {column} groups voters by choice: {values:?}"
            );
            assert!(
                !groups_like_the_choices(&lengths),
                "{table} column {column}'s length groups voters by choice"
            );
        }
        checked.push(table.as_str());
    }
    checked.sort_unstable();
    for kept in ["election_record", "participation", "outbox"] {
        assert!(checked.contains(&kept), "{kept} not read: {checked:?}");
    }
    // The check above finds a leak when there is one.
    let leaked: Vec<String> = PICKS.iter().map(|p| CHOICES[*p].to_owned()).collect();
    assert!(groups_like_the_choices(&leaked));

    // The count, from the trustees' shares, is the picks'.
    app.close_election(id);
    let counts = store::record::entries(&mut app.db(), id)
        .unwrap()
        .into_iter()
        .find_map(|entry| match entry {
            Entry::Result(result) => Some(result.questions[0].counts.clone()),
            _ => None,
        })
        .expect("a result line");
    let walk_out = PICKS.iter().filter(|p| **p == 0).count() as u64;
    assert_eq!(counts, vec![walk_out, PICKS.len() as u64 - walk_out]);
}
