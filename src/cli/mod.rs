//! The command line: `insikt serve` (default), `insikt migrate`, `insikt user …`.

pub mod demo;
pub mod invitations;
pub mod sample;
pub mod stats;

use std::io::BufRead;
use std::net::TcpListener;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{LogFormat, Settings};
use crate::domain::user::{NewPassword, Role};
use crate::use_cases::accounts::{self, NewAccount, NewAccountInput};
use crate::use_cases::questionnaires::{self, ExportFormat};
use crate::use_cases::Actor;
use crate::{startup, storage, telemetry};

/// Insikt: find out what residents and businesses need before building e-services.
///
/// Configuration comes from the environment (or `insikt.toml` in the working directory, or the
/// file named by INSIKT_CONFIG; the environment wins): DATABASE_URL (a SQLite path or
/// sqlite://path, or postgres://… on a build with the `postgres` feature; default
/// sqlite://data/insikt.db), INSIKT_BIND (default 127.0.0.1:8080), INSIKT_DATA_DIR (default
/// ./data), INSIKT_SECRET_KEY (MAC key shared by all instances; generated and kept in the
/// database when unset), INSIKT_LOG_FORMAT (text|json), INSIKT_SECURE_COOKIES (true behind
/// TLS), INSIKT_TRUST_PROXY (true behind your own reverse proxy), INSIKT_WORKERS,
/// INSIKT_METRICS_ALLOW (addresses/networks that may read /metrics; default 127.0.0.1,::1),
/// INSIKT_METRICS_TOKEN (bearer token for /metrics from anywhere else), INSIKT_DEMO (default
/// true: a new embedded database gets the synthetic demo; false = start empty), RUST_LOG.
#[derive(Debug, Parser)]
#[command(name = "insikt", version, verbatim_doc_comment)]
pub struct Cli {
    /// Do not seed the demo into a new database (same as INSIKT_DEMO=false).
    #[arg(long, global = true)]
    no_demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web app (the default): migrates, creates the first admin on an empty database
    /// and prints the URL.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Load, import and export questionnaires.
    #[command(subcommand)]
    Surveys(SurveysCommand),
    /// Design-based survey statistics on a CSV file (the same code as the app's analyses).
    Stats(crate::cli::stats::StatsArgs),
    /// Draw stratified random samples from a sampling frame.
    Sample(crate::cli::sample::SampleArgs),
    /// Invitations: printable letters for the print shop, plain lists.
    Invitations(crate::cli::invitations::InvitationsArgs),
    /// E-mail invitations and reminders: queue them, or send what is due (for cron).
    #[command(subcommand)]
    Mail(MailCommand),
    /// Seed the synthetic demo (surveys, samples, answers, one account per role) into the
    /// database; refuses if it is already there.
    Demo,
}

/// Options of `insikt serve`. The log format is the server's: the other commands print to the
/// console, so the option is not on every command's help.
#[derive(Debug, Default, clap::Args)]
struct ServeArgs {
    /// Log format (overrides INSIKT_LOG_FORMAT).
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
enum SurveysCommand {
    /// Load every instrument in a folder (default: INSIKT_SURVEYS_DIR or ./surveys). New ones are
    /// published; unchanged ones are skipped; a changed file that kept its version is refused.
    Load {
        /// The folder.
        dir: Option<std::path::PathBuf>,
        /// Also apply the demo publication options in DIR/demo/options.toml to new surveys.
        #[arg(long)]
        demo: bool,
    },
    /// Import an XLSForm workbook as a new survey (keyed by its form_id, else the file name, with
    /// a -2, -3 … suffix when taken), or with --into as the next draft of an existing survey.
    Import {
        /// The .xlsx file.
        file: std::path::PathBuf,
        /// Add the workbook as a new draft version of this existing survey.
        #[arg(long)]
        into: Option<String>,
    },
    /// Export a survey version as XLSForm or TOML.
    Export {
        /// Survey key.
        key: String,
        /// Version number (default: the newest).
        #[arg(long)]
        version: Option<u32>,
        /// xlsx or toml.
        #[arg(long, value_parser = ["xlsx", "toml"], default_value = "toml")]
        format: String,
        /// Output file (default: standard output for TOML, KEY-vN.xlsx for XLSForm).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// List surveys and their versions.
    List,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. Without --password-stdin a strong password is generated and printed once.
    Add {
        /// Login name (a–z, digits, '.', '-', '_').
        username: String,
        /// admin, researcher, analyst, manager or interviewer.
        #[arg(long)]
        role: String,
        /// Display name (defaults to the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Change an account's role.
    SetRole {
        /// Login name.
        username: String,
        /// The new role.
        role: String,
    },
    /// Disable an account and end its sessions.
    Disable {
        /// Login name.
        username: String,
    },
    /// Re-enable a disabled account.
    Enable {
        /// Login name.
        username: String,
    },
    /// Set a new password (generated unless --password-stdin) and end the account's sessions.
    ResetPassword {
        /// Login name.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Parse the command line and run it.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load()?;
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if let Command::Serve(ServeArgs {
        log_format: Some(format),
    }) = &command
    {
        settings.log_format = *format;
    }
    if cli.no_demo {
        settings.demo = false;
        settings.load_shipped_surveys = false;
    }
    telemetry::init(settings.log_format);
    match command {
        Command::Serve(_) => serve(settings),
        Command::Migrate => {
            let db = startup::open_db(&settings)?;
            let applied = storage::migrate::run_pending(&mut *db.get()?)?;
            println!("{} migration(s) applied", applied.len());
            Ok(())
        }
        Command::User(cmd) => user(settings, cmd),
        Command::Surveys(cmd) => surveys(settings, cmd),
        Command::Stats(args) => crate::cli::stats::run(args),
        Command::Sample(args) => crate::cli::sample::run(args),
        Command::Invitations(args) => crate::cli::invitations::run(settings, args),
        Command::Mail(cmd) => mail(settings, cmd),
        Command::Demo => crate::cli::demo::run(settings),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("INSIKT_BIND: cannot listen on {}", settings.bind))?;
    let db = startup::open_db(&settings)?;
    let (boot, secret) = startup::bootstrap(&db, &settings)?;
    let addr = listener.local_addr()?;
    let shown = if addr.ip().is_unspecified() {
        format!("http://localhost:{}/", addr.port())
    } else {
        format!("http://{addr}/")
    };
    // Console output, not the log: the admin password must never reach a log file.
    println!(
        "Insikt is running at {shown}  (database: {})",
        db.backend().name()
    );
    if !boot.migrations.is_empty() {
        println!("Applied {} database migration(s).", boot.migrations.len());
    }
    if boot.demo.is_some() {
        println!("New database: seeded the synthetic demo data (turn off with --no-demo or INSIKT_DEMO=false).");
    } else if !boot.shipped_surveys.is_empty() {
        println!(
            "Published the shipped questionnaires as open demo surveys: {}",
            boot.shipped_surveys.join(", ")
        );
    }
    if let Some(pw) = &boot.first_admin_password {
        println!("First start: an administrator account was created.");
        println!("  Log in at {shown}login  username: admin  password: {pw}");
        println!(
            "  This password is shown only now. Change it with `insikt user reset-password admin`."
        );
    }
    if let Some(report) = &boot.demo {
        crate::cli::demo::print_report(report, Some(&format!("{shown}login")));
    }
    let state = startup::state(db.clone(), settings, secret)?;
    actix_web::rt::System::new().block_on(async move {
        startup::spawn_session_sweeper(db);
        startup::serve(listener, state)?.await?;
        Ok(())
    })
}

fn read_password(from_stdin: bool) -> anyhow::Result<(NewPassword, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = NewPassword::parse(line.trim_end_matches(['\r', '\n']))
            .map_err(|e| anyhow::anyhow!("password: {e}"))?;
        Ok((pw, false))
    } else {
        let pw = NewPassword::parse(&crate::auth::password::generate_password())
            .map_err(|e| anyhow::anyhow!("generated password: {e}"))?;
        Ok((pw, true))
    }
}

fn user(settings: Settings, cmd: UserCommand) -> anyhow::Result<()> {
    let db = startup::open_db(&settings)?;
    storage::migrate::run_pending(&mut *db.get()?)?;
    let conn = &mut *db.get()?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            name,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            let input = NewAccountInput {
                username: &username,
                display_name: name.as_deref().unwrap_or(""),
                role: &role,
                password: Some(password.expose()),
            };
            let account = NewAccount::parse(&input).map_err(|errors| {
                anyhow::anyhow!(errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "))
            })?;
            let user = accounts::create(conn, settings.argon2, Actor::CLI, &account)?;
            println!("created {} ({})", user.username, user.role);
            if generated {
                println!("password: {}", password.expose());
            }
        }
        UserCommand::List => {
            println!("{:<24} {:<12} {:<8} name", "username", "role", "status");
            for u in storage::users::list_users(conn)? {
                let status = if u.disabled { "disabled" } else { "active" };
                println!(
                    "{:<24} {:<12} {:<8} {}",
                    u.username, u.role, status, u.display_name
                );
            }
        }
        UserCommand::SetRole { username, role } => {
            let role = Role::parse(&role)?;
            let user = accounts::find_by_username(conn, &username)?;
            accounts::change_role(conn, Actor::CLI, &user.id, role)?;
            println!("{username} is now {role}");
        }
        UserCommand::Disable { username } => {
            let user = accounts::find_by_username(conn, &username)?;
            accounts::set_disabled(conn, Actor::CLI, &user.id, true)?;
            println!("{username} is disabled and logged out everywhere");
        }
        UserCommand::Enable { username } => {
            let user = accounts::find_by_username(conn, &username)?;
            accounts::set_disabled(conn, Actor::CLI, &user.id, false)?;
            println!("{username} is enabled");
        }
        UserCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            let user = accounts::find_by_username(conn, &username)?;
            accounts::reset_password(conn, settings.argon2, Actor::CLI, &user.id, &password)?;
            println!("password of {username} changed; its sessions have ended");
            if generated {
                println!("password: {}", password.expose());
            }
        }
    }
    Ok(())
}

fn surveys(settings: Settings, cmd: SurveysCommand) -> anyhow::Result<()> {
    let db = startup::open_db(&settings)?;
    storage::migrate::run_pending(&mut *db.get()?)?;
    let conn = &mut *db.get()?;
    match cmd {
        SurveysCommand::Load { dir, demo } => {
            let dir = dir.unwrap_or_else(|| settings.surveys_dir.clone());
            let report = match questionnaires::load_dir(conn, Actor::CLI, &dir, demo) {
                Err(questionnaires::QuestionnaireError::ChecksFailed(findings)) => {
                    for f in &findings {
                        eprintln!("{f}");
                    }
                    anyhow::bail!(
                        "{}: nothing was loaded; fix the errors above (a survey that keeps personal data needs a privacy notice and a controller: give them with --demo or in the options)",
                        dir.display()
                    );
                }
                other => other?,
            };
            for s in &report.added {
                println!("published {s}");
            }
            for s in &report.unchanged {
                println!("unchanged {s}");
            }
        }
        SurveysCommand::Import { file, into } => {
            // One byte over the import limit is enough for the importer to refuse the file, so a
            // huge file is never read into memory whole.
            let mut bytes = Vec::new();
            std::fs::File::open(&file)
                .and_then(|f| {
                    std::io::Read::read_to_end(
                        &mut std::io::Read::take(
                            f,
                            crate::formats::xlsform::MAX_INPUT_BYTES as u64 + 1,
                        ),
                        &mut bytes,
                    )
                })
                .with_context(|| format!("{}: cannot read", file.display()))?;
            let (stored, warnings) = questionnaires::import_xlsform(
                conn,
                Actor::CLI,
                &bytes,
                file.file_name().and_then(|n| n.to_str()),
                into.as_deref(),
            )
            .with_context(|| file.display().to_string())?;
            println!(
                "imported {} as version {} (draft)",
                stored.survey.key, stored.survey.version
            );
            for w in warnings {
                println!("warning: {w}");
            }
        }
        SurveysCommand::Export {
            key,
            version,
            format,
            out,
        } => {
            let fmt = if format == "xlsx" {
                ExportFormat::Xlsx
            } else {
                ExportFormat::Toml
            };
            let bytes = questionnaires::export(conn, &key, version, fmt)?;
            match (out, fmt) {
                (Some(path), _) => std::fs::write(&path, &bytes)
                    .with_context(|| format!("{}: cannot write", path.display()))?,
                (None, ExportFormat::Toml) => {
                    std::io::Write::write_all(&mut std::io::stdout(), &bytes)?
                }
                (None, ExportFormat::Xlsx) => {
                    let path = format!("{key}.xlsx");
                    std::fs::write(&path, &bytes)
                        .with_context(|| format!("{path}: cannot write"))?;
                    println!("wrote {path}");
                }
            }
        }
        SurveysCommand::List => {
            // Every version on its own line: a live v1 must not hide behind a newer v2 draft.
            for line in questionnaires::list_for_designer(conn)? {
                for v in &line.versions {
                    println!(
                        "{:<24} v{:<3} {:<10} {:>6} response(s)  {}{}",
                        line.key,
                        v.survey.version,
                        format!("{:?}", v.survey.status).to_lowercase(),
                        line.responses,
                        v.survey.title.get_or("sv", "en"),
                        if line.archived { "  (archived)" } else { "" }
                    );
                }
            }
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Queue invitations or a reminder for a survey's invitations (the same rules as the staff
    /// page: reminders only to people who were sent the previous message and have not answered,
    /// opted out or bounced).
    Queue {
        /// Survey key.
        #[arg(long)]
        survey: String,
        /// invitation, reminder1 or reminder2.
        #[arg(long, value_parser = ["invitation", "reminder1", "reminder2"], default_value = "invitation")]
        kind: String,
    },
    /// Send every message that is due now, then exit (for cron, or a host without the web app).
    /// Needs INSIKT_SMTP_URL.
    SendDue {
        /// Only this survey's messages.
        #[arg(long)]
        survey: Option<String>,
    },
}

fn mail(settings: Settings, cmd: MailCommand) -> anyhow::Result<()> {
    use crate::storage::deliveries::DeliveryKind;
    let db = startup::open_db(&settings)?;
    storage::migrate::run_pending(&mut *db.get()?)?;
    match cmd {
        MailCommand::Queue { survey, kind } => {
            let kind = DeliveryKind::parse(&kind).context("--kind")?;
            let n = crate::use_cases::mail::queue(&mut *db.get()?, Actor::CLI, &survey, kind)?;
            println!("queued {n} {} message(s) for {survey}", kind.as_str());
            Ok(())
        }
        MailCommand::SendDue { survey } => {
            // The opt-out links are MACs under the same key the web app uses.
            let secret = match &settings.secret_key {
                Some(k) => k.clone(),
                None => storage::meta::get_or_insert_with(
                    &mut *db.get()?,
                    "secret_key",
                    crate::auth::session::random_token,
                )?,
            };
            actix_web::rt::System::new().block_on(async move {
                let sender = crate::use_cases::mail::Sender::new(&settings.mail, secret.as_bytes())?
                    .context("INSIKT_SMTP_URL is not set: there is no server to send to")?;
                let started = std::time::Instant::now();
                let s = crate::use_cases::mail::send_due(&db, &sender, survey.as_deref()).await?;
                let secs = started.elapsed().as_secs_f64();
                println!(
                    "sent {} retried {} failed {} bounced {} skipped {} in {secs:.2} s ({:.0} messages/s)",
                    s.sent,
                    s.retried,
                    s.failed,
                    s.bounced,
                    s.skipped,
                    s.total() as f64 / secs.max(1e-9)
                );
                Ok(())
            })
        }
    }
}
