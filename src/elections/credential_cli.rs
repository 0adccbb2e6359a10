//! `unionhall credentials`: the credential officer's credentials
//! made on their own computer, from the roll file their page gives, with
//! no server, database or settings.

use std::path::Path;

use crate::crypto::credential::Credential;

/// Makes the credentials and writes `hand-out.csv` and `public.txt` into
/// `out`; says what it wrote.
pub fn generate(roll: Option<&Path>, count: Option<usize>, out: &Path) -> Result<String, String> {
    let people: Vec<[String; 3]> = match (roll, count) {
        (Some(file), _) => read_roll(file)?,
        (None, Some(n)) if n > 0 => (1..=n)
            .map(|i| [i.to_string(), String::new(), String::new()])
            .collect(),
        _ => return Err("give --roll FILE (the roll from your page) or --count N".into()),
    };
    std::fs::create_dir_all(out).map_err(|e| format!("cannot make {}: {e}", out.display()))?;
    let hand_out = out.join("hand-out.csv");
    let public = out.join("public.txt");
    for file in [&hand_out, &public] {
        if file.exists() {
            return Err(format!(
                "{} exists already: move it away first, so no credential is lost",
                file.display()
            ));
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| format!("cannot write the hand-out file: {e}");
    writer
        .write_record(["number", "name", "email", "credential", "public"])
        .map_err(failed)?;
    let mut keys = Vec::with_capacity(people.len());
    for [number, name, email] in &people {
        let credential = Credential::generate();
        let key = hex::encode(credential.public());
        writer
            .write_record([
                number.as_str(),
                &crate::web::csv::neutralise(name),
                email,
                &credential.words(),
                &key,
            ])
            .map_err(failed)?;
        keys.push(key);
    }
    keys.sort();
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    write_private(&hand_out, &bytes)?;
    write_private(&public, (keys.join("\n") + "\n").as_bytes())?;
    Ok(format!(
        "{} credentials made.\n{} holds each member's secret words: send or print them, then keep it safe or delete it.\n{} holds the public halves: paste it into your page for the vote.",
        people.len(),
        hand_out.display(),
        public.display()
    ))
}

fn read_roll(file: &Path) -> Result<Vec<[String; 3]>, String> {
    let mut reader =
        csv::Reader::from_path(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let mut people = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("{} line {}: {e}", file.display(), i + 2))?;
        let cell = |k: usize| row.get(k).unwrap_or("").trim().to_owned();
        if cell(0).is_empty() {
            return Err(format!(
                "{} line {}: no employee number",
                file.display(),
                i + 2
            ));
        }
        people.push([cell(0), cell(1), cell(2)]);
    }
    if people.is_empty() {
        return Err(format!(
            "{} holds nobody: download the roll from your page again",
            file.display()
        ));
    }
    Ok(people)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
