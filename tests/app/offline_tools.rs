//! The two commands that need no server: the verifier anyone runs on a
//! downloaded record, and the trustee's device without a browser. Both are
//! run here as a trustee or an observer would run them.

use std::path::Path;
use std::process::{Command, Output};

use unionhall::record::sample;
use unionhall::trustees::packet::{Ask, FORMAT, Packet};
use unionhall::trustees::protocol::{self, Message, Setup};

fn unionhall(args: &[&str], passphrase: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unionhall"));
    command
        .args(args)
        .env_remove("UNIONHALL_TRUSTEE_PASSPHRASE");
    if let Some(p) = passphrase {
        command.env("UNIONHALL_TRUSTEE_PASSPHRASE", p);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn since_says_whether_a_record_only_grew() {
    let dir = tempfile::tempdir().unwrap();
    let casts = [(0, vec![0]), (1, vec![1]), (0, vec![1])];
    let (record, _) = sample::with_credentials(&[2], 3, &casts, &[], &[1, 2]);
    let lines: Vec<&str> = record.lines().collect();
    // A voter's copy from while the vote ran: up to the first ballot.
    let first_ballot = lines
        .iter()
        .position(|l| l.contains("\"type\":\"ballot\""))
        .unwrap();
    let kept: String = lines[..=first_ballot]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let old = dir.path().join("kept.jsonl");
    std::fs::write(&old, kept).unwrap();
    let new = dir.path().join("record.jsonl");
    std::fs::write(&new, &record).unwrap();
    let grew = unionhall(
        &[
            "verify",
            new.to_str().unwrap(),
            "--since",
            old.to_str().unwrap(),
        ],
        None,
    );
    assert!(grew.status.success(), "{}", text(&grew));
    assert!(
        text(&grew).contains("ok   since: every line of"),
        "{}",
        text(&grew)
    );
    assert!(
        text(&grew).contains("2 counted, the last of each of 2 credentials"),
        "{}",
        text(&grew)
    );

    // The server rewrites history: the kept ballot is gone from the new copy.
    let rewritten = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != first_ballot)
        .map(|(_, l)| format!("{l}\n"))
        .collect::<String>();
    std::fs::write(&new, rewritten).unwrap();
    let shrunk = unionhall(
        &[
            "verify",
            new.to_str().unwrap(),
            "--since",
            old.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(shrunk.status.code(), Some(1));
    assert!(
        text(&shrunk).contains("FAIL since: line"),
        "{}",
        text(&shrunk)
    );
}

#[test]
fn the_credential_officer_makes_credentials_from_the_roll_without_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let roll = dir.path().join("roll.csv");
    std::fs::write(
        &roll,
        "number,name,email\nE1,Ana Ruiz,ana@example.org\nE2,Ben Cole,\nE3,Cy Diaz,cy@example.org\n",
    )
    .unwrap();
    let out = dir.path().join("credentials");
    let made = unionhall(
        &[
            "credentials",
            "--roll",
            roll.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert!(made.status.success(), "{}", text(&made));
    assert!(
        text(&made).contains("3 credentials made."),
        "{}",
        text(&made)
    );
    let public = std::fs::read_to_string(out.join("public.txt")).unwrap();
    let keys: Vec<&str> = public.lines().collect();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.is_sorted(),
        "sorted, so the order says nothing of the roll"
    );
    // Each member's words give back one of the public halves.
    let mut reader = csv::Reader::from_path(out.join("hand-out.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][1], "Ana Ruiz");
    for row in &rows {
        let credential = unionhall::crypto::credential::Credential::from_words(&row[3]).unwrap();
        let key = hex::encode(credential.public());
        assert_eq!(key, &row[4]);
        assert!(keys.contains(&key.as_str()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("hand-out.csv"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the secrets are the officer's alone");
    }
    // It never overwrites a hand-out file, so no credential is lost.
    let again = unionhall(
        &[
            "credentials",
            "--roll",
            roll.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again).contains("exists already"), "{}", text(&again));
    let one = dir.path().join("one");
    let replacement = unionhall(
        &[
            "credentials",
            "--count",
            "1",
            "--out",
            one.to_str().unwrap(),
        ],
        None,
    );
    assert!(replacement.status.success(), "{}", text(&replacement));
    assert_eq!(
        std::fs::read_to_string(one.join("public.txt"))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn the_verifier_passes_a_good_record_and_says_in_words_what_is_wrong_with_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("record.jsonl");
    let record = sample::complete(&[2], &[vec![0], vec![0], vec![1]], &[1, 2]);
    std::fs::write(&good, &record).unwrap();
    let tracker = record
        .lines()
        .find(|l| l.contains("\"type\":\"ballot\""))
        .and_then(|l| l.split("\"tracker\":\"").nth(1))
        .map(|rest| rest[..64].to_owned())
        .unwrap();
    let path = good.to_str().unwrap();
    let passed = unionhall(&["verify", path, "--tracker", &tracker], None);
    assert!(passed.status.success(), "{}", text(&passed));
    let out = text(&passed);
    assert!(out.contains("ok   ballots: 3 ballots"), "{out}");
    assert!(out.contains("tracker: found on line 6"), "{out}");
    assert!(out.contains("The record verifies."), "{out}");

    // One ballot line dropped, as a server hiding a vote would.
    let dropped: String = record
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 6)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let bad = dir.path().join("dropped.jsonl");
    std::fs::write(&bad, dropped).unwrap();
    let failed = unionhall(&["verify", bad.to_str().unwrap()], None);
    assert_eq!(failed.status.code(), Some(1));
    let out = text(&failed);
    assert!(
        out.contains("line 7: says it is entry 7 but is entry 6"),
        "{out}"
    );
    assert!(out.contains("The record does NOT verify."), "{out}");

    let missing = unionhall(&["verify", &format!("{path}.nothing")], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).contains("cannot read"), "{}", text(&missing));
}

fn packet(setup: &Setup, trustee: u32, ask: Ask) -> Packet {
    Packet {
        format: FORMAT.into(),
        election: hex::encode(setup.fingerprint),
        title: "Strike authorization".into(),
        trustee,
        trustees: setup.trustees,
        threshold: setup.threshold,
        ask,
        transports: vec![],
        deals: vec![],
        record: None,
    }
}

fn save(dir: &Path, name: &str, packet: &Packet) -> String {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string(packet).unwrap()).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_trustee_without_a_browser_makes_a_key_file_and_answers_each_step() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let setup = Setup {
        fingerprint: [6; 32],
        trustees: 2,
        threshold: 2,
    };
    let key_file = dir.path().join("trustee-1.key");
    let key = key_file.to_str().unwrap();
    let passphrase = "a long and private phrase";

    let first = save(dir.path(), "p1.json", &packet(&setup, 1, Ask::Transport));
    let made = unionhall(&["trustee", &first, "--key-file", key], Some(passphrase));
    assert!(made.status.success(), "{}", text(&made));
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the key file is the trustee's alone");
    let Message::Transport(mine) = serde_json::from_slice(&made.stdout).unwrap() else {
        panic!("not a transport key: {}", text(&made))
    };
    protocol::check_transport(&setup, &mine).unwrap();

    // The other trustee's transport key, made in-process.
    let Message::Transport(theirs) = protocol::transport(&setup, &[9; 32], 2) else {
        unreachable!()
    };
    let mut deal = packet(&setup, 1, Ask::Deal);
    deal.transports = vec![mine, theirs];
    let deal_path = save(dir.path(), "p2.json", &deal);
    let wrong = unionhall(
        &["trustee", &deal_path, "--key-file", key],
        Some("not the phrase at all"),
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        text(&wrong).contains("The passphrase does not open this key file."),
        "{}",
        text(&wrong)
    );

    let dealt = unionhall(
        &["trustee", &deal_path, "--key-file", key],
        Some(passphrase),
    );
    assert!(dealt.status.success(), "{}", text(&dealt));
    let Message::Deal(my_deal) = serde_json::from_slice(&dealt.stdout).unwrap() else {
        panic!("not a deal: {}", text(&dealt))
    };
    protocol::check_deal(&setup, &my_deal).unwrap();

    let other = packet(
        &Setup {
            fingerprint: [7; 32],
            ..setup
        },
        1,
        Ask::Deal,
    );
    let other_path = save(dir.path(), "p3.json", &other);
    let refused = unionhall(
        &["trustee", &other_path, "--key-file", key],
        Some(passphrase),
    );
    assert!(
        text(&refused).contains("This key file is for another election."),
        "{}",
        text(&refused)
    );
}

#[tokio::test]
async fn the_demo_votes_records_verify_and_its_trustees_key_files_open() {
    use unionhall::elections::store;
    let app = crate::helpers::TestApp::spawn().await;
    unionhall::demo::run(&app.config, true).unwrap();
    let ids: Vec<(i64, String)> = store::all_with_units(&mut app.db())
        .unwrap()
        .into_iter()
        .map(|(row, _)| (row.id, row.title))
        .collect();
    assert_eq!(ids.len(), 2);
    for (id, title) in &ids {
        let text = store::record::text(&mut app.db(), *id).unwrap();
        let report = unionhall::record::verify::verify(&text, None);
        assert!(report.passed(), "{title}: {}", report.to_text());
        let (stage, ballots) = if title.contains("spring") {
            ("complete", report.ballots)
        } else {
            ("voting", 0)
        };
        assert_eq!(report.stage, stage, "{title}");
        assert_eq!(report.ballots, ballots);
    }
    let (open, _) = ids.iter().find(|(_, t)| t.contains("autumn")).unwrap();
    let fingerprint = store::record::fingerprint(&mut app.db(), *open)
        .unwrap()
        .unwrap();
    for position in 1..=3u32 {
        let path = app
            .config
            .data_dir
            .join("demo-trustees")
            .join(format!("election-{open}-trustee-{position}.key"));
        let file: unionhall::trustees::keyfile::KeyFile =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        file.open(unionhall::demo::DEMO_PASSWORD, &fingerprint, position)
            .unwrap();
    }
}
