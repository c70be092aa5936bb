//! `insikt invitations …`: the print shop's letters (`letters`) and plain invitation lists
//! (`import`) from the command line, through the same use cases as the web pages.

use std::path::PathBuf;

use anyhow::Context;

use crate::config::Settings;
use crate::domain::lang::Lang;
use crate::formats::letters;
use crate::use_cases::fieldwork::{self, ContactColumns, MAX_FRAME_ROWS};
use crate::use_cases::Actor;
use crate::{startup, storage};

/// The stylesheet written next to the letters (the same one the app serves).
const APP_CSS: &str = include_str!("../web/assets/app.css");

/// `insikt invitations …`
#[derive(Debug, clap::Args)]
pub struct InvitationsArgs {
    #[command(subcommand)]
    command: InvitationsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum InvitationsCommand {
    /// Write the printable letters (one A4 page each) as an HTML file, with the stylesheet
    /// beside it as insikt-letters.css.
    Letters {
        /// Survey key.
        #[arg(long)]
        survey: String,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
        /// The site's public address, printed in the letters and in the QR codes.
        #[arg(
            long,
            env = "INSIKT_PUBLIC_URL",
            default_value = "http://localhost:8080"
        )]
        base_url: String,
        /// Only this sample's letters.
        #[arg(long)]
        sample: Option<String>,
        /// Language of the text around the letters (each letter is in its own language).
        #[arg(long, default_value = "sv")]
        lang: String,
    },
    /// Create invitations from a CSV list (columns id, email, phone, name, address, language;
    /// at least one of id, email or address per row). No sampling, no weights.
    Import {
        /// Survey key.
        #[arg(long)]
        survey: String,
        /// The list.
        #[arg(long)]
        list: PathBuf,
    },
}

/// Run an `invitations` command.
pub fn run(settings: Settings, args: InvitationsArgs) -> anyhow::Result<()> {
    let db = startup::open_db(&settings)?;
    storage::migrate::run_pending(&mut *db.get()?)?;
    let conn = &mut *db.get()?;
    match args.command {
        InvitationsCommand::Letters {
            survey,
            out,
            base_url,
            sample,
            lang,
        } => {
            let batch = fieldwork::letters(
                conn,
                &survey,
                sample.as_deref(),
                &base_url,
                settings.timezone.clone(),
            )?;
            let css = out.with_file_name("insikt-letters.css");
            std::fs::write(&css, APP_CSS)
                .with_context(|| format!("{}: cannot write", css.display()))?;
            let lang = Lang::from_code(&lang).unwrap_or_default();
            let page = letters::document(lang, &batch, "insikt-letters.css", None);
            std::fs::write(&out, page.into_string())
                .with_context(|| format!("{}: cannot write", out.display()))?;
            println!("wrote {} letters to {}", batch.letters.len(), out.display());
        }
        InvitationsCommand::Import { survey, list } => {
            let name = list
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| list.display().to_string());
            let bytes = std::fs::read(&list).with_context(|| format!("{name}: cannot read"))?;
            let contacts =
                fieldwork::parse_list(&name, &bytes, &ContactColumns::default(), MAX_FRAME_ROWS)?;
            let stored = fieldwork::store_list(conn, Actor::CLI, &survey, &name, contacts)?;
            println!("created {} invitations for {survey}", stored.invitations);
        }
    }
    Ok(())
}
