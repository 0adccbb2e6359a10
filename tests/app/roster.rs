//! The roster import, from the command line.

use std::process::Command;

use crate::helpers::sample_path as sample;

pub(crate) fn run(args: &[&str], dir: &std::path::Path) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_unionhall"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn member_count(dir: &std::path::Path) -> i64 {
    use diesel::prelude::*;
    let url = unionhall::config::DatabaseUrl::Sqlite(
        dir.join("unionhall.db").to_string_lossy().into_owned(),
    );
    let pool = unionhall::db::connect_and_migrate(&url, 1).unwrap();
    unionhall::db::schema::members::table
        .count()
        .get_result(&mut pool.get().unwrap())
        .unwrap()
}

#[test]
fn a_roster_import_is_previewed_then_committed_once() {
    let dir = tempfile::tempdir().unwrap();
    let roster = sample("roster.csv");
    let (ok, out, err) = run(&["import", "roster", &roster], dir.path());
    assert!(ok, "{err}");
    assert!(
        out.contains("12 people: 12 new, 0 changed, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("units to create: Guild Staff"), "{out}");
    assert!(out.contains("nothing was written"), "{out}");
    assert_eq!(member_count(dir.path()), 0, "a preview writes nothing");

    let (ok, out, err) = run(&["import", "roster", &roster, "--commit"], dir.path());
    assert!(ok, "{err}");
    assert!(
        out.contains("imported: 12 added, 0 changed, 0 unchanged"),
        "{out}"
    );
    assert_eq!(member_count(dir.path()), 12);

    let (ok, out, _) = run(&["import", "roster", &roster, "--commit"], dir.path());
    assert!(ok);
    assert!(
        out.contains("imported: 0 added, 0 changed, 12 unchanged"),
        "the same file twice changes nothing: {out}"
    );
    assert_eq!(member_count(dir.path()), 12);

    // A raise for one person shows as a change of that field, and is audited.
    let changed = std::fs::read_to_string(&roster)
        .unwrap()
        .replace("58250.00", "61000.00");
    let file = dir.path().join("raised.csv");
    std::fs::write(&file, changed).unwrap();
    let (ok, out, _) = run(
        &["import", "roster", file.to_str().unwrap(), "--commit"],
        dir.path(),
    );
    assert!(ok);
    assert!(
        out.contains("E1001: annual_salary \"$58,250.00\" -> \"$61,000.00\""),
        "{out}"
    );
    assert!(
        out.contains("imported: 0 added, 1 changed, 11 unchanged"),
        "{out}"
    );
}

#[test]
fn a_roster_file_missing_a_column_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(
        &[
            "import",
            "roster",
            &sample("bad/roster-missing-column.csv"),
            "--commit",
        ],
        dir.path(),
    );
    assert!(!ok);
    assert!(
        err.contains("line 1: the header lacks the columns department"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(member_count(dir.path()), 0);
}
