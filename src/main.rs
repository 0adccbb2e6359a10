//! The command line. It only wires: each command calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use unionhall::app::Application;
use unionhall::config::Config;
use unionhall::mail::Notice;
use unionhall::mail::messages::TestMessage;
use unionhall::{db, mail};

/// Prints one line of a command's output. When the reader has gone (the
/// output piped into `head`, say), the command ends there, quietly and
/// successfully, as the tools it is piped with do; `println!` would panic.
macro_rules! say {
    ($($arg:tt)*) => {
        say_line(format_args!($($arg)*))
    };
}

fn say_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(line)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "unionhall: cannot write the output: {e}");
            std::process::exit(1);
        }
    }
}

/// unionhall: the dues roll, grievances, salary floors and strike votes of a union local.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default). Settings come from the environment and .env.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Copy the SQLite database to FILE while the server keeps running.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
    /// Mail commands.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Fill an empty database with a fictional local to try the app with.
    Demo {
        /// Leave the demo officer without two-factor sign-in (never for real use).
        #[arg(long)]
        demo_insecure: bool,
    },
    /// Dues: rates, monthly charges, reconciliation.
    Dues {
        #[command(subcommand)]
        command: DuesCommand,
    },
    /// Import files: a roster or an employer check-off.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Administration commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// A trustee's device without a browser: answer the packet saved from
    /// the trustee page (the key file is made at the first step), and paste
    /// the answer into the page's form.
    Trustee {
        /// The packet saved from the trustee page.
        packet: PathBuf,
        /// The trustee's key file: made at the first step, kept safe after.
        #[arg(long)]
        key_file: PathBuf,
        /// At the close: the record's head hash as members see it on the
        /// election's page; no share is made for any other record.
        #[arg(long)]
        head: Option<String>,
    },
    /// For a vote's credential officer, on their own computer: make one
    /// voting credential per member of the roll downloaded from their page
    /// (or --count new ones), writing hand-out.csv (the secret words, by
    /// member) and public.txt (the public halves, to paste into the page).
    Credentials {
        /// The roll file from the credential officer's page.
        #[arg(long, conflicts_with = "count")]
        roll: Option<PathBuf>,
        /// Instead of a roll: how many credentials (one to replace a lost one).
        #[arg(long)]
        count: Option<usize>,
        /// The folder to write into; it must not hold the files already.
        #[arg(long, default_value = "credentials")]
        out: PathBuf,
    },
    /// Check an election record (downloaded from its election page) offline:
    /// every proof, the sums and the result. Exits 0 only if all of it holds.
    Verify {
        /// The record file.
        record: PathBuf,
        /// A ballot's tracker (from its receipt) to look for in the record.
        #[arg(long)]
        tracker: Option<String>,
        /// An earlier copy of the same record: every line of it must stand
        /// unchanged at the start of this one (the record only grows).
        #[arg(long)]
        since: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DuesCommand {
    /// Set a unit's dues rate from a date: --basis-points with --min and
    /// --max (monthly, in dollars), or --flat (monthly, in dollars).
    Rate {
        /// The unit's name.
        #[arg(long)]
        unit: String,
        /// The first day the rate applies (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// A share of annual base salary in basis points (150 = 1.5%).
        #[arg(long)]
        basis_points: Option<i64>,
        /// The least a month costs, in dollars.
        #[arg(long, default_value = "0")]
        min: String,
        /// The most a month costs, in dollars.
        #[arg(long)]
        max: Option<String>,
        /// A flat monthly amount in dollars instead of a share.
        #[arg(long)]
        flat: Option<String>,
        /// For an increase: the id of the passed ballot question that
        /// adopted this rate (an increase needs a secret ballot).
        #[arg(long)]
        ballot_question: Option<i64>,
    },
    /// Post the monthly dues charges for YYYY-MM; posting a month twice changes nothing.
    Post {
        /// The month, YYYY-MM.
        month: String,
    },
    /// Expected dues against check-off deductions for a unit's month.
    Reconcile {
        /// The unit's name.
        #[arg(long)]
        unit: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Compare a roster CSV with the roster and show what would change;
    /// write it with --commit (all of it in one transaction, or nothing).
    Roster {
        /// The CSV file (the columns of samples/roster.csv).
        file: PathBuf,
        /// Write the import instead of only showing it.
        #[arg(long)]
        commit: bool,
    },
    /// Check an employer check-off file against a unit's roster and show
    /// it; write it with --commit (all of it, once).
    Checkoff {
        /// The CSV file (the columns of samples/checkoff.csv).
        file: PathBuf,
        /// The unit the file is for.
        #[arg(long)]
        unit: String,
        /// Write the import instead of only showing it.
        #[arg(long)]
        commit: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an officer account. The password comes from
    /// UNIONHALL_ADMIN_PASSWORD, or is asked for at a terminal.
    Create {
        /// The officer's email address (their sign-in name).
        #[arg(long)]
        email: String,
        /// The officer's name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Queue a test message to ADDRESS; the running server's worker sends it.
    Test {
        /// Who should receive it.
        address: String,
    },
}

fn main() -> ExitCode {
    unionhall::files::restrict_umask();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let command = cli.command.unwrap_or(Command::Serve);
    // The verifier needs no settings, database or server: only the file.
    if let Command::Verify {
        record,
        tracker,
        since,
    } = &command
    {
        return verify_record(record, tracker.as_deref(), since.as_deref());
    }
    // Nor does the credential officer's: the secrets stay on it.
    if let Command::Credentials { roll, count, out } = &command {
        return match unionhall::elections::credential_cli::generate(roll.as_deref(), *count, out) {
            Ok(said) => {
                say!("{said}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("unionhall: {message}");
                ExitCode::FAILURE
            }
        };
    }
    // Nor does a trustee's device: it may be a machine kept offline.
    if let Command::Trustee {
        packet,
        key_file,
        head,
    } = &command
    {
        return match unionhall::trustees::cli::answer(packet, key_file, head.as_deref()) {
            Ok(answer) => {
                say!("{answer}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("unionhall: {message}");
                ExitCode::FAILURE
            }
        };
    }
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("unionhall: {message}");
            ExitCode::FAILURE
        }
    }
}

fn verify_record(
    file: &std::path::Path,
    tracker: Option<&str>,
    since: Option<&std::path::Path>,
) -> ExitCode {
    let read = |file: &std::path::Path| {
        std::fs::read_to_string(file).map_err(|e| {
            eprintln!("unionhall: cannot read {}: {e}", file.display());
        })
    };
    let Ok(text) = read(file) else {
        return ExitCode::FAILURE;
    };
    let report = unionhall::record::verify::verify(&text, tracker);
    say!("{}", report.to_text().trim_end());
    let mut grew = true;
    if let Some(older) = since {
        let Ok(old) = read(older) else {
            return ExitCode::FAILURE;
        };
        match unionhall::record::verify::grows_from(&old, &text) {
            Ok(added) => say!(
                "ok   since: every line of {} is unchanged here; {added} lines added since",
                older.display()
            ),
            Err(e) => {
                grew = false;
                say!("FAIL since: {e}");
                say!("The record does NOT only grow.");
            }
        }
    }
    if report.passed() && grew {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The demo local's zone, written to `.env` when no `TIMEZONE` is set, so
/// its pages show times as a local's would, not in UTC.
fn demo_time_zone() -> Result<Option<chrono_tz::Tz>, String> {
    if std::env::var_os("TIMEZONE").is_some_and(|v| !v.is_empty()) {
        return Ok(None);
    }
    let zone = chrono_tz::America::Chicago;
    let mut env = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(".env")
        .map_err(|e| format!("could not write TIMEZONE to .env: {e}"))?;
    std::io::Write::write_all(&mut env, format!("\nTIMEZONE={zone}\n").as_bytes())
        .map_err(|e| format!("could not write TIMEZONE to .env: {e}"))?;
    Ok(Some(zone))
}

fn run(command: Command) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match command {
        Command::Serve => serve(config),
        Command::Migrate => {
            let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
            drop(pool);
            say!("database {} is up to date", config.database.redacted());
            Ok(())
        }
        Command::Backup { file } => {
            db::backup(&config.database, &file)?;
            let note = unionhall::at_rest::write_backup_note(&file, &config)?;
            say!(
                "backed up {} to {}",
                config.database.redacted(),
                file.display()
            );
            say!("{}", unionhall::at_rest::backup_note(&config).trim_end());
            say!("(this note is also in {})", note.display());
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Test { address },
        } => queue_test_mail(&config, &address),
        Command::Import {
            command: ImportCommand::Roster { file, commit },
        } => import_roster(&config, &file, commit),
        Command::Import {
            command: ImportCommand::Checkoff { file, unit, commit },
        } => import_checkoff(&config, &file, &unit, commit),
        Command::Dues { command } => dues_command(&config, command),
        Command::Demo { demo_insecure } => {
            let mut config = config;
            let zone_written = demo_time_zone()?;
            if let Some(zone) = zone_written {
                config.timezone = zone;
            }
            let demo = unionhall::demo::run(&config, demo_insecure)?;
            if let Some(zone) = zone_written {
                say!(
                    "TIMEZONE was not set: the demo local keeps {zone} time (written to .env; change it there)."
                );
            }
            say!(
                "Demo local created. Every account's password is: {}",
                unionhall::demo::DEMO_PASSWORD
            );
            for login in &demo.logins {
                say!("  {:<30} {}", login.email, login.roles);
            }
            match &demo.officer_two_factor_key {
                Some(key) => say!(
                    "The officer signs in with two-factor: add this key to an authenticator app: {key}"
                ),
                None => say!("The officer has no two-factor sign-in (--demo-insecure)."),
            }
            say!(
                "The strike votes' trustees are chief@, steward@ and priya.raman@example.org; their key files for the open vote are in {} (passphrase: the demo password).",
                config.data_dir.join("demo-trustees").display()
            );
            say!(
                "Start the server with `unionhall serve` and sign in at {}",
                config.link("/sign-in")
            );
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            let password = admin_password()?;
            unionhall::auth::cli::create_officer(&config, &email, &name, &password)?;
            say!(
                "created officer {}; they set up two-factor sign-in at their first sign-in",
                email.trim()
            );
            Ok(())
        }
        Command::Verify { .. } | Command::Trustee { .. } | Command::Credentials { .. } => {
            unreachable!("answered before the settings are read")
        }
    }
}

/// The new officer's password: from the environment for scripts, else typed
/// twice at a terminal without echo.
fn admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("UNIONHALL_ADMIN_PASSWORD") {
        return Ok(password);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        return Err(
            "set UNIONHALL_ADMIN_PASSWORD, or run this at a terminal to type the password".into(),
        );
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")
        .map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Password again: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("the two passwords are not the same".into());
    }
    Ok(first)
}

fn serve(config: Config) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config.clone())
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(
            "unionhall listening on http://{} (database {})",
            std::net::SocketAddr::new(config.bind.ip(), app.port()),
            config.database.redacted()
        );
        let pool = app.pool();
        let setup_config = app.config().clone();
        let link = tokio::task::spawn_blocking(move || {
            unionhall::auth::setup::setup_link_if_needed(&pool, &setup_config)
        })
        .await
        .map_err(|e| e.to_string())??;
        if let Some(link) = link {
            print_setup_link(&link);
        }
        app.run_until_signalled().await.map_err(|e| e.to_string())
    })
}

/// Shown on a start with no officer: the way in for the first one.
fn print_setup_link(link: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "No officer account exists yet. Create the first one within an hour at:"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "    {link}");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "(The link works once. Restart the server for a new one, or run `unionhall admin create`.)"
    );
    let _ = writeln!(out);
    let _ = out.flush();
}

fn import_roster(config: &Config, file: &std::path::Path, commit: bool) -> Result<(), String> {
    use unionhall::roster::{self, Change, csv_import};
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let rows = match csv_import::parse(&bytes) {
        Ok(rows) => rows,
        Err(errors) => {
            for error in &errors {
                eprintln!("{}: {error}", file.display());
            }
            return Err(format!(
                "{} has {} problem{}; nothing was written",
                file.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
        }
    };
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let preview = roster::preview(&mut conn, rows.clone()).map_err(|e| e.to_string())?;
    let (new, changed, unchanged) = preview.counts();
    say!(
        "{}: {} people: {new} new, {changed} changed, {unchanged} unchanged",
        file.display(),
        preview.rows.len()
    );
    if !preview.new_units.is_empty() {
        say!("units to create: {}", preview.new_units.join(", "));
    }
    for (row, change) in &preview.rows {
        match change {
            Change::New => say!(
                "  new      line {:>6}  {} {} {} ({}, {})",
                row.line,
                row.person.employee_number,
                row.person.first_name,
                row.person.last_name,
                row.unit,
                row.classification
            ),
            Change::Changed(diffs) => {
                let what: Vec<String> = diffs
                    .iter()
                    .map(|(f, a, b)| format!("{f} {a:?} -> {b:?}"))
                    .collect();
                say!(
                    "  changed  line {:>6}  {}: {}",
                    row.line,
                    row.person.employee_number,
                    what.join(", ")
                );
            }
            Change::Unchanged => {}
        }
    }
    if !commit {
        say!("nothing was written; run again with --commit to import");
        return Ok(());
    }
    let now = config.clock.now();
    let summary = db::write_tx(&mut conn, |conn| {
        roster::commit(
            conn,
            rows,
            &unionhall::audit::Actor::command_line(),
            now,
            config.today(),
        )
    })
    .map_err(|e: diesel::result::Error| format!("the import was not written: {e}"))?;
    say!(
        "imported: {} added, {} changed, {} unchanged, {} units created",
        summary.added,
        summary.changed,
        summary.unchanged,
        summary.units_created
    );
    Ok(())
}

fn import_checkoff(
    config: &Config,
    file: &std::path::Path,
    unit: &str,
    commit: bool,
) -> Result<(), String> {
    use unionhall::dues::checkoff;
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let checked = match checkoff::check(&mut conn, unit, &bytes).map_err(|e| e.to_string())? {
        Ok(checked) => checked,
        Err(checkoff::Refusal::Lines(errors)) => {
            for error in &errors {
                eprintln!("{}: {error}", file.display());
            }
            return Err(format!(
                "{} has {} problem{}; nothing was written",
                file.display(),
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            ));
        }
        Err(other) => return Err(other.to_string()),
    };
    say!(
        "{}: {} to {} for {}: {} deductions, {} in all",
        file.display(),
        checked.period_start,
        checked.period_end,
        checked.unit_name,
        checked.rows.len(),
        checked.total
    );
    if !commit {
        say!("nothing was written; run again with --commit to import");
        return Ok(());
    }
    let now = config.clock.now();
    db::write_tx(&mut conn, |conn| {
        checkoff::commit(
            conn,
            &checked,
            &unionhall::audit::Actor::command_line(),
            now,
        )
    })
    .map_err(|e: diesel::result::Error| format!("the import was not written: {e}"))?;
    say!("imported {} deductions", checked.rows.len());
    Ok(())
}

fn unit_id(conn: &mut db::DbConnection, name: &str) -> Result<i64, String> {
    use diesel::prelude::*;
    use unionhall::db::schema::units;
    units::table
        .filter(units::name.eq(name.trim()))
        .select(units::id)
        .first(conn)
        .optional()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("there is no unit named {:?}", name.trim()))
}

fn dues_command(config: &Config, command: DuesCommand) -> Result<(), String> {
    use unionhall::dues::ledger;
    use unionhall::dues::rules::Rate;
    use unionhall::forms::dues_rate::{self, RateFieldNames};
    // The form's limits, reported against the flag that carries each part.
    const CLI_RATE_FLAGS: RateFieldNames<'static> = RateFieldNames {
        percent: "--basis-points",
        min: "--min",
        max: "--max",
        flat: "--flat",
    };
    use unionhall::money::Cents;
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let now = config.clock.now();
    let actor = unionhall::audit::Actor::command_line();
    let month = |raw: &str| {
        unionhall::forms::parse::month(raw)
            .ok_or_else(|| format!("{raw:?} is not a month like 2026-10"))
    };
    let money =
        |raw: &str, what: &str| Cents::parse(raw, false).map_err(|e| format!("{what}: {e}"));
    match command {
        DuesCommand::Rate {
            unit,
            from,
            basis_points,
            min,
            max,
            flat,
            ballot_question,
        } => {
            let from = chrono::NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d")
                .map_err(|_| format!("--from {from:?} is not a date like 2026-01-01"))?;
            let rate = match (basis_points, flat) {
                (Some(basis_points), None) => Rate::Percent {
                    basis_points,
                    monthly_min: money(&min, "--min")?,
                    // No --max: the share alone decides.
                    monthly_max: match max {
                        Some(max) => money(&max, "--max")?,
                        None => Cents(i64::MAX / 4),
                    },
                },
                (None, Some(flat)) => Rate::Flat {
                    monthly: money(&flat, "--flat")?,
                },
                _ => {
                    return Err(
                        "give either --basis-points (with --min and --max) or --flat".into(),
                    );
                }
            };
            let rate = dues_rate::check_rate(rate, CLI_RATE_FLAGS).map_err(|errors| {
                errors
                    .iter()
                    .map(|(flag, message)| format!("{flag}: {message}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
            let unit_id = unit_id(&mut conn, &unit)?;
            db::write_tx(&mut conn, |conn| {
                let adopted_by = match unionhall::dues::increase::check(
                    conn,
                    unit_id,
                    from,
                    &rate,
                    ballot_question,
                )? {
                    Ok(adopted_by) => adopted_by,
                    Err(refusal) => return Ok(Err(refusal.to_string())),
                };
                ledger::set_rate(conn, unit_id, from, rate, adopted_by, now)?;
                unionhall::audit::record(
                    conn,
                    now,
                    unionhall::audit::Entry {
                        actor: &actor,
                        action: "dues_rate_set",
                        target: &unit,
                        detail: &format!("from {from}: {rate:?}"),
                    },
                )?;
                Ok(Ok(()))
            })
            .map_err(|e: diesel::result::Error| e.to_string())??;
            say!("the dues rate of {unit} from {from} is set");
            Ok(())
        }
        DuesCommand::Post { month: raw } => {
            let first = month(&raw)?;
            if let Some(problem) = ledger::refuse_posting(first, config.today()) {
                return Err(problem);
            }
            let posted = db::write_tx(&mut conn, |conn| {
                ledger::post_month(conn, first, &actor, now)
            })
            .map_err(|e: diesel::result::Error| e.to_string())?;
            say!("posted {posted} charges for {}", first.format("%Y-%m"));
            Ok(())
        }
        DuesCommand::Reconcile { unit, month: raw } => {
            let first = month(&raw)?;
            let unit_id = unit_id(&mut conn, &unit)?;
            let lines = ledger::reconcile(&mut conn, unit_id, first).map_err(|e| e.to_string())?;
            say!(
                "{unit}, {}: expected against deducted",
                first.format("%Y-%m")
            );
            for line in &lines {
                say!(
                    "  {:<10} {:<28} expected {:>10}  deducted {:>10}  {}",
                    line.employee_number,
                    line.name,
                    line.expected.to_string(),
                    line.deducted.to_string(),
                    line.verdict()
                );
            }
            let count = |v: &str| lines.iter().filter(|l| l.verdict() == v).count();
            say!(
                "{} matched, {} under, {} over, {} missing",
                count("matched"),
                count("under"),
                count("over"),
                count("missing")
            );
            Ok(())
        }
    }
}

fn queue_test_mail(config: &Config, address: &str) -> Result<(), String> {
    if address.parse::<lettre::Address>().is_err() {
        return Err(format!("{address:?} is not an email address"));
    }
    let email = TestMessage {
        local_name: config.local_name.clone(),
        site: config.link("/"),
    }
    .to(address)
    .map_err(|e| e.to_string())?;
    let pool = db::connect_and_migrate(&config.database, 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    db::write_tx(&mut conn, |conn| {
        mail::outbox::enqueue(conn, &email, &config.mail_domain())
    })
    .map_err(|e| e.to_string())?;
    say!("queued a test message to {address}; the running server sends it");
    Ok(())
}
