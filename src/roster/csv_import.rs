//! Reading a roster CSV (the format of samples/roster.csv) into checked
//! rows, or every problem with its line number. Nothing here touches the
//! database.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::person::{Arrangement, Person};
use crate::dues::rules::Status;
use crate::forms::text::{self, Limit};
use crate::money::Cents;

/// The columns a roster file must have, in the sample's order.
pub const COLUMNS: [&str; 12] = [
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "unit",
    "classification",
    "department",
    "hire_date",
    "annual_salary",
    "work_arrangement",
    "status",
    "join_date",
];

/// The largest roster file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// One person, as the file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// The file line it came from (the header is line 1).
    pub line: u64,
    /// Bargaining unit name.
    pub unit: String,
    /// Classification name within the unit.
    pub classification: String,
    /// Who they are.
    pub person: Person,
}

/// A problem with the file, on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The file line (1 is the header).
    pub line: u64,
    /// What is wrong, in words.
    pub message: String,
}

impl LineError {
    /// A problem with the file as a whole, not one of its lines.
    pub fn whole(message: impl Into<String>) -> Self {
        Self {
            line: 0,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn date(raw: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what} {:?} is not a date like 2026-11-22", raw.trim()))
}

/// Reads the whole file; returns the rows, or every problem found.
pub fn parse(bytes: &[u8]) -> Result<Vec<RosterRow>, Vec<LineError>> {
    let fail = |line, message: String| Err(vec![LineError { line, message }]);
    if bytes.len() > MAX_BYTES {
        return fail(
            0,
            format!(
                "the file is {} MB; a roster file may be at most {} MB",
                bytes.len() / 1_048_576,
                MAX_BYTES / 1_048_576
            ),
        );
    }
    let (mut reader, index) = match open(bytes, &COLUMNS, "a roster file") {
        Ok(opened) => opened,
        Err(error) => return Err(vec![error]),
    };
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(LineError {
                    line,
                    message: describe_csv_error(&e),
                });
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| record.get(index[name]).unwrap_or("").trim().to_owned();
        let mut problems: Vec<String> = Vec::new();
        let employee_number = get("employee_number");
        // A number that cannot be stored is named by check_fields, once.
        let readable = !employee_number.is_empty()
            && text::check(&employee_number, Limit::line(FIELD_LIMITS[0].2)).is_ok();
        if let Some(first) = seen.get(&employee_number).filter(|_| readable) {
            problems.push(format!(
                "employee number {employee_number} is repeated (first on line {first})"
            ));
        } else if readable {
            seen.insert(employee_number.clone(), line);
        }
        match check_fields(&get) {
            Ok(mut row) if problems.is_empty() => {
                row.line = line;
                rows.push(row);
            }
            Ok(_) => errors.push(LineError {
                line,
                message: problems.join("; "),
            }),
            Err(field_problems) => {
                problems.splice(0..0, field_problems.into_iter().map(|(_, p)| p));
                errors.push(LineError {
                    line,
                    message: problems.join("; "),
                });
            }
        }
    }
    if errors.is_empty() && rows.is_empty() {
        return fail(2, "the file has a header but no people".into());
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Each column with how a problem names it and the most characters a
/// cell of it may hold: every cell of a file has a limit, so no line can
/// make the roster pages (or the database) carry megabytes.
pub const FIELD_LIMITS: [(&str, &str, usize); 12] = [
    ("employee_number", "employee number", 40),
    ("first_name", "first name", 100),
    ("last_name", "last name", 100),
    ("email", "email", 254),
    ("unit", "unit", 100),
    ("classification", "classification", 100),
    ("department", "department", 100),
    ("hire_date", "hire date", 40),
    ("annual_salary", "annual salary", 40),
    ("work_arrangement", "work arrangement", 40),
    ("status", "status", 40),
    ("join_date", "join date", 40),
];

/// The characters of every field of one person at their limits.
pub const ALL_FIELDS_CHARS: usize = {
    let mut total = 0;
    let mut i = 0;
    while i < FIELD_LIMITS.len() {
        total += FIELD_LIMITS[i].2;
        i += 1;
    }
    total
};

/// Checks one person's fields, read by name (a CSV row or a form): the row,
/// or each problem with the field it belongs to. Uniqueness of the employee
/// number is for the caller, who knows the file or the roster.
pub fn check_fields(
    get: &dyn Fn(&str) -> String,
) -> Result<RosterRow, Vec<(&'static str, String)>> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    // A cell too long or holding a control character is named for that
    // alone, and read no further (its value is not repeated back).
    let mut unreadable: Vec<&str> = Vec::new();
    for (field, label, chars) in FIELD_LIMITS {
        if let Err(problem) = text::check(&get(field), Limit::line(chars)) {
            problems.push((field, problem.about(&format!("the {label}"))));
            unreadable.push(field);
        }
    }
    let cell = |name: &str| (!unreadable.contains(&name)).then(|| get(name));
    let employee_number = get("employee_number");
    if employee_number.is_empty() {
        problems.push(("employee_number", "the employee number is empty".into()));
    }
    for (field, label) in [
        ("first_name", "first name"),
        ("last_name", "last name"),
        ("unit", "unit"),
        ("classification", "classification"),
        ("department", "department"),
    ] {
        if get(field).is_empty() {
            problems.push((field, format!("the {label} is empty")));
        }
    }
    let email = match cell("email") {
        None => None,
        Some(e) if e.is_empty() => None,
        Some(e) => match crate::users::normalize_email(&e) {
            Ok(email) => Some(email),
            Err(_) => {
                problems.push(("email", format!("the email {e:?} is not an email address")));
                None
            }
        },
    };
    let hire_date = cell("hire_date").and_then(|raw| {
        date(&raw, "the hire date")
            .map_err(|e| problems.push(("hire_date", e)))
            .ok()
    });
    let join_date = match cell("join_date") {
        None => None,
        Some(j) if j.is_empty() => None,
        Some(j) => date(&j, "the join date")
            .map_err(|e| problems.push(("join_date", e)))
            .ok(),
    };
    let annual_salary = cell("annual_salary").and_then(|raw| {
        Cents::parse(&raw, false)
            .map_err(|e| problems.push(("annual_salary", format!("the annual salary: {e}"))))
            .ok()
    });
    let arrangement = cell("work_arrangement").and_then(|raw| {
        let parsed = Arrangement::parse(&raw);
        if parsed.is_none() {
            problems.push((
                "work_arrangement",
                format!("the work arrangement {raw:?} is not one of on-site, hybrid, remote"),
            ));
        }
        parsed
    });
    let status = cell("status").and_then(|raw| {
        let parsed = Status::parse(&raw);
        if parsed.is_none() {
            problems.push((
                "status",
                format!(
                    "the status {raw:?} is not one of member, non-member, on-leave, resigned, retired"
                ),
            ));
        }
        parsed
    });
    match (
        problems.is_empty(),
        hire_date,
        annual_salary,
        arrangement,
        status,
    ) {
        (true, Some(hire_date), Some(annual_salary), Some(work_arrangement), Some(status)) => {
            Ok(RosterRow {
                line: 0,
                unit: get("unit"),
                classification: get("classification"),
                person: Person {
                    employee_number,
                    first_name: get("first_name"),
                    last_name: get("last_name"),
                    email,
                    department: get("department"),
                    hire_date,
                    annual_salary,
                    work_arrangement,
                    status,
                    join_date,
                },
            })
        }
        _ => Err(problems),
    }
}

/// A CSV reader past its header, with each column's index by name.
pub type OpenedCsv<'a> = (csv::Reader<&'a [u8]>, HashMap<String, usize>);

/// Opens a CSV file (a UTF-8 byte-order mark is allowed) and checks its
/// header has every column of `columns`; returns the reader, positioned
/// after the header, and each column's index by lower-cased name.
pub fn open<'a>(bytes: &'a [u8], columns: &[&str], what: &str) -> Result<OpenedCsv<'a>, LineError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LineError {
            line: 0,
            message: "the file is empty".into(),
        });
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| LineError {
            line: 1,
            message: describe_csv_error(&e),
        })?
        .clone();
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !index.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        return Err(LineError {
            line: 1,
            message: format!(
                "the header lacks the column{} {}; {what} has the columns {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                columns.join(",")
            ),
        });
    }
    Ok((reader, index))
}

fn describe_csv_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "the text is not UTF-8; save the file as \"CSV UTF-8\"".into()
        }
        csv::ErrorKind::UnequalLengths { .. } => {
            "the line has a different number of fields than the header".into()
        }
        _ => format!("this is not a readable CSV line ({error})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Vec<u8> {
        std::fs::read(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn the_sample_roster_reads_whole() {
        let rows = parse(&sample("roster.csv")).unwrap();
        assert_eq!(rows.len(), 12);
        assert_eq!(rows[0].person.employee_number, "E1001");
        assert_eq!(rows[0].person.annual_salary, Cents(5_825_000));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].person.status, Status::Member);
    }

    #[test]
    fn a_missing_column_is_named_on_line_1() {
        let errors = parse(&sample("bad/roster-missing-column.csv")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
        assert!(
            errors[0].message.contains("department"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let file = "employee_number,first_name,last_name,email,unit,classification,department,hire_date,annual_salary,work_arrangement,status,join_date\n\
E1,Ana,Perez,ana@example.org,Guild,Organizer,Org,2020-01-01,50000.00,hybrid,member,\n\
E1,Bo,Li,,Guild,Organizer,Org,2020-13-01,lots,by boat,boss,\n";
        let errors = parse(file.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        for part in [
            "repeated (first on line 2)",
            "hire date",
            "annual salary",
            "work arrangement",
            "status",
        ] {
            assert!(
                errors[0].message.contains(part),
                "{part}: {}",
                errors[0].message
            );
        }
    }

    #[test]
    fn empty_binary_and_headless_files_are_refused_in_words() {
        assert_eq!(parse(b"").unwrap_err()[0].message, "the file is empty");
        let binary = parse(&[0xff, 0xfe, 0x00, 0x41, 0x0a, 0x80, 0x81]).unwrap_err();
        assert!(
            binary[0].message.contains("UTF-8") || binary[0].message.contains("header"),
            "{binary:?}"
        );
        let only_header = format!("{}\n", COLUMNS.join(","));
        assert!(
            parse(only_header.as_bytes()).unwrap_err()[0]
                .message
                .contains("no people")
        );
    }

    mod fuzz {
        use proptest::prelude::*;

        use super::super::{COLUMNS, FIELD_LIMITS, parse};

        /// A cell as a spreadsheet might hold it: anything, or close to
        /// what the column expects.
        fn cell() -> impl Strategy<Value = String> {
            prop_oneof![
                any::<String>(),
                "[A-Za-z0-9 .@-]{0,12}",
                "\"[^\"]{0,10}\"",
                Just("2020-01-01".to_owned()),
                Just("50000.00".to_owned()),
                Just("hybrid".to_owned()),
                Just("member".to_owned()),
                Just("Guild Staff".to_owned()),
                "[A-Z]{0,3}".prop_map(|s| s.repeat(60)),
            ]
        }

        fn file() -> impl Strategy<Value = Vec<u8>> {
            let rows = proptest::collection::vec(proptest::collection::vec(cell(), 0..14), 0..6);
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                rows.prop_map(|rows| {
                    let mut file = COLUMNS.join(",");
                    for row in rows {
                        file.push('\n');
                        file.push_str(&row.join(","));
                    }
                    file.into_bytes()
                }),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_file_reads_or_every_refusal_names_its_line_in_words(bytes in file()) {
                match parse(&bytes) {
                    Ok(rows) => {
                        prop_assert!(!rows.is_empty());
                        for row in rows {
                            prop_assert!(row.line >= 2);
                            for text in [&row.person.first_name, &row.person.last_name, &row.unit, &row.person.department] {
                                prop_assert!(text.chars().count() <= 100);
                                prop_assert!(!text.chars().any(char::is_control));
                            }
                        }
                    }
                    Err(errors) => {
                        prop_assert!(!errors.is_empty());
                        for error in errors {
                            prop_assert!(
                                error.line >= 1 || error.message.starts_with("the file"),
                                "no line: {error:?}"
                            );
                            prop_assert!(error.message.chars().filter(|c| c.is_alphabetic()).count() >= 8, "{error:?}");
                            prop_assert!(!error.message.chars().any(char::is_control), "{error:?}");
                            // Cells are short, so a refusal never carries a file back.
                            let longest: usize = FIELD_LIMITS.iter().map(|(_, _, n)| n * 10 + 120).sum();
                            prop_assert!(error.message.len() <= longest, "{} bytes", error.message.len());
                        }
                    }
                }
            }
        }
    }
}
