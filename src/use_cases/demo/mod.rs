//! The realistic demo a newcomer sees at once: the shipped questionnaires published, a synthetic
//! Stockholm population and frame, stratified samples with invitations, two yearly waves of the
//! IT-habits survey (2025 closed, 2026 open), one wave of the residents' needs survey, some
//! business answers, and one account per role.
//!
//! Everything is drawn from one fixed seed, so the demo is the same on every machine (response
//! ids and receipts are random, as in real use; the answers are not). All of it is written in one
//! transaction, with the responses stored through the writer's batch path
//! ([`storage::responses::store_batch`]) so they carry their invitation's stratum and design
//! weight exactly as real submissions do, and 10,000 responses take seconds. A meta flag records
//! that the instance holds the demo: the web pages show a banner, and seeding twice is refused.

pub mod answers;
pub mod backlog;
pub mod followup;
pub mod population;
pub mod presets;

use std::collections::HashMap;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

use self::answers::Wave;
use self::population::Person;
use crate::config::Argon2Params;
use crate::domain::lang::Msg;
use crate::domain::response::{self, Mode};
use crate::storage::responses::{InvitationClaim, NewResponse, SubmitOutcome};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::accounts::{self, AccountError, NewAccount, NewAccountInput};
use crate::use_cases::fieldwork::{
    self, AllocationSpec, ContactColumns, DrawSpec, FieldworkError, Upload, MAX_FRAME_ROWS,
};
use crate::use_cases::questionnaires::{self, QuestionnaireError};
use crate::use_cases::Actor;

/// The seed of everything random in the demo.
pub const SEED: u64 = 2026;
/// The `app_meta` key that marks an instance holding the demo (its value: the seeding date).
pub const SEEDED_KEY: &str = "demo_seeded";

/// Invitations per IT-habits wave and for the needs survey; with the response model about 44%
/// answer, so the demo holds roughly 10,000 responses.
const IT_HABITS_SAMPLE: usize = 9_000;
const NEEDS_SAMPLE: usize = 4_000;
const BUSINESS_RESPONSES: usize = 300;

/// A demo account with its generated password (shown once).
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Login name.
    pub username: String,
    /// Role name.
    pub role: &'static str,
    /// The generated password.
    pub password: String,
}

/// What seeding did, for the console.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    /// Questionnaires published now (`key vN`).
    pub published: Vec<String>,
    /// Invitations created.
    pub invitations: usize,
    /// Responses stored, per survey version (`key vN`, count).
    pub responses: Vec<(String, usize)>,
    /// Accounts created now (an existing username is left alone).
    pub accounts: Vec<DemoAccount>,
    /// Candidate e-service areas of the backlog created.
    pub areas: usize,
}

impl DemoReport {
    /// All responses stored.
    pub fn total_responses(&self) -> usize {
        self.responses.iter().map(|(_, n)| n).sum()
    }
}

/// Why the demo could not be seeded. Nothing is written then.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database already holds the demo.
    #[error("the demo data has already been seeded into this database")]
    AlreadySeeded,
    /// A shipped questionnaire is missing or does not load.
    #[error(transparent)]
    Questionnaire(#[from] QuestionnaireError),
    /// The sample draw failed.
    #[error(transparent)]
    Fieldwork(#[from] FieldworkError),
    /// An account could not be created.
    #[error(transparent)]
    Accounts(#[from] AccountError),
    /// A submission was refused by the writer (a bug in the generator).
    #[error("a demo response to {0} was refused: {1:?}")]
    Refused(String, SubmitOutcome),
    /// The shipped population table did not load (a bug in the shipped file).
    #[error(transparent)]
    Population(#[from] crate::use_cases::results::population::PopulationError),
    /// A demo backlog area did not store (a bug in the shipped areas).
    #[error(transparent)]
    Backlog(#[from] crate::use_cases::backlog::BacklogError),
    /// The demo follow-up did not store (a bug in the shipped figures).
    #[error(transparent)]
    Followup(#[from] crate::use_cases::backlog::followup::FollowupError),
    /// The demo backlog could not be ranked and published (a bug in the shipped data).
    #[error(transparent)]
    Ranking(#[from] crate::use_cases::backlog::ranking::RankingError),
    /// The demo presets did not store or publish (a bug in the shipped presets).
    #[error(transparent)]
    Preset(#[from] crate::use_cases::backlog::presets::PresetError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl DemoError {
    /// What the operator reads.
    pub fn message(&self) -> Msg {
        match self {
            DemoError::AlreadySeeded => Msg::new(
                "Demodata finns redan i den här databasen; inget har ändrats.",
                "This database already holds the demo data; nothing was changed.",
            ),
            DemoError::Questionnaire(_) => Msg::new(
                "De medföljande enkäterna kunde inte läsas in (se INSIKT_SURVEYS_DIR).",
                "The shipped questionnaires could not be loaded (see INSIKT_SURVEYS_DIR).",
            ),
            _ => Msg::new(
                "Demodata kunde inte skapas; inget har sparats.",
                "The demo data could not be created; nothing was stored.",
            ),
        }
    }
}

/// Whether this database holds the demo.
pub fn is_seeded(conn: &mut DbConnection) -> Result<bool, StorageError> {
    Ok(storage::meta::get(conn, SEEDED_KEY)?.is_some())
}

fn day(year: i32, month: Month, d: u8) -> PrimitiveDateTime {
    let date = Date::from_calendar_date(year, month, d).unwrap_or(Date::MIN);
    PrimitiveDateTime::new(date, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT))
}

/// Seed the demo into `conn`: the shipped questionnaires from `surveys_dir` (published with the
/// demo options), samples, invitations, responses and accounts. All or nothing.
pub fn seed(
    conn: &mut DbConnection,
    argon2: Argon2Params,
    actor: Actor<'_>,
    surveys_dir: &Path,
) -> Result<DemoReport, DemoError> {
    storage::transaction(conn, |c| {
        if is_seeded(c)? {
            return Err(DemoError::AlreadySeeded);
        }
        let mut report = DemoReport {
            published: questionnaires::load_dir(c, actor, surveys_dir, true)?.added,
            ..DemoReport::default()
        };
        let cells = population::cells();
        let frame = Upload {
            name: "stockholm-demo-frame.csv".into(),
            bytes: population::frame_csv(&cells).into_bytes(),
        };

        // IT-habits 2025 (version 1), then version 2 for 2026, which closes version 1.
        let v1 = questionnaires::get_version(c, "it-habits", 1)?;
        let wave1 = Fieldwork {
            key: "it-habits",
            sample: IT_HABITS_SAMPLE,
            wave: Wave::ItHabits2025,
            start: day(2025, Month::March, 3),
        };
        wave1.run(c, actor, &frame, &cells, &v1, &mut report)?;
        let draft = questionnaires::new_draft(c, actor, "it-habits", 1)?;
        questionnaires::publish(c, actor, "it-habits", draft.survey.version)?;
        let v2 = questionnaires::get_version(c, "it-habits", draft.survey.version)?;
        let wave2 = Fieldwork {
            wave: Wave::ItHabits2026,
            start: day(2026, Month::March, 2),
            ..wave1
        };
        wave2.run(c, actor, &frame, &cells, &v2, &mut report)?;

        let needs = questionnaires::get_version(c, "eservice-needs", 1)?;
        Fieldwork {
            key: "eservice-needs",
            sample: NEEDS_SAMPLE,
            wave: Wave::EserviceNeeds,
            start: day(2026, Month::April, 13),
        }
        .run(c, actor, &frame, &cells, &needs, &mut report)?;

        let business = questionnaires::get_version(c, "business-needs", 1)?;
        open_link_responses(c, &business, &mut report)?;

        // The population the demo's answers were drawn from, ready for post-stratification and
        // raking on the results pages.
        crate::use_cases::results::population::save_table(
            c,
            &actor,
            population::TABLE_NAME,
            population::POPULATION_CSV,
        )?;
        report.areas = backlog::seed(c, actor)?;
        followup::seed(c, actor)?;
        presets::seed(c, actor)?;
        // One published ranking with the default preset: a manager who logs in sees it at once.
        crate::use_cases::backlog::presets::publish(
            c,
            &crate::use_cases::results::cache::ResultsCache::new(),
            actor,
            None,
            None,
        )?;
        report.accounts = demo_accounts(c, argon2, actor)?;
        let today = storage::now().date().to_string();
        storage::meta::get_or_insert_with(c, SEEDED_KEY, || today)?;
        Ok(report)
    })
}

/// One sample-based fieldwork: draw, invite, and store who answered.
#[derive(Debug, Clone, Copy)]
struct Fieldwork {
    key: &'static str,
    sample: usize,
    wave: Wave,
    start: PrimitiveDateTime,
}

impl Fieldwork {
    fn run(
        &self,
        c: &mut DbConnection,
        actor: Actor<'_>,
        frame: &Upload,
        cells: &[population::PopulationCell],
        version: &storage::surveys::StoredVersion,
        report: &mut DemoReport,
    ) -> Result<(), DemoError> {
        let spec = DrawSpec {
            strata: vec!["district".into(), "age_group".into()],
            allocation: AllocationSpec::Proportional(self.sample),
            id_column: Some("id".into()),
            seed: SEED + self.wave.stream(),
            max_rows: MAX_FRAME_ROWS,
        };
        let drawn = fieldwork::draw_and_store(
            c,
            actor,
            self.key,
            frame,
            &spec,
            &ContactColumns::default(),
        )?;
        let sample_id = drawn.stored.sample_id.unwrap_or_default();
        report.invitations += drawn.stored.invitations;
        let mut invited: Vec<(Person, String)> =
            storage::invitations::for_survey(c, &version.survey_id)?
                .into_iter()
                .filter(|i| i.sample_id.as_deref() == Some(sample_id.as_str()))
                .filter_map(|i| {
                    let p = population::person(cells, i.unit_ref.as_deref()?)?;
                    Some((p, i.code))
                })
                .collect();
        // Stored order is not the frame's; sort so the random stream meets people in one order.
        invited.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let anonymous = questionnaires::options(c, self.key)?.anonymous;
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        rng.set_stream(self.wave.stream());
        let answering: Vec<bool> = invited
            .iter()
            .map(|(person, _)| rng.gen::<f64>() < answers::response_probability(person))
            .collect();
        let answering = at_least_two_per_stratum(&invited, answering);
        let mut batch = Vec::new();
        for (i, (person, code)) in invited.iter().enumerate() {
            if !answering[i] {
                continue;
            }
            let mut r = respondent(version, Some(person), self.wave, self.start, &mut rng);
            r.idempotency_key = format!("demo-{}-{i}", self.wave.stream());
            r.invitation = Some(InvitationClaim {
                code: code.clone(),
                anonymous,
            });
            batch.push(r);
        }
        store(c, version, batch, report)
    }
}

/// Who answers, after the follow-up that fieldwork does in the smallest strata: a stratum
/// (district × age group) with fewer than two respondents gets its first non-respondents added
/// until it has two (as interviewers phone people in a cell that would otherwise stand alone).
/// Without it a stratum with one response has no variance estimate, and the default lonely-PSU
/// policy (R's "fail") would refuse the demo's weighted results.
fn at_least_two_per_stratum(invited: &[(Person, String)], mut answering: Vec<bool>) -> Vec<bool> {
    let mut count: HashMap<(&str, &str), usize> = HashMap::new();
    for ((p, _), &a) in invited.iter().zip(&answering) {
        *count.entry((&p.district, &p.age_group)).or_default() += usize::from(a);
    }
    for (i, (p, _)) in invited.iter().enumerate() {
        let n = count.entry((&p.district, &p.age_group)).or_default();
        if *n < 2 && !answering[i] {
            answering[i] = true;
            *n += 1;
        }
    }
    answering
}

/// One generated response (without invitation) to `version`.
fn respondent(
    version: &storage::surveys::StoredVersion,
    person: Option<&Person>,
    wave: Wave,
    start: PrimitiveDateTime,
    rng: &mut ChaCha8Rng,
) -> NewResponse {
    let mode = answers::mode(person, rng);
    let language = if mode == Mode::Web && rng.gen::<f64>() < 0.05 {
        "en"
    } else {
        "sv"
    };
    let started_at = start + Duration::minutes(rng.gen_range(0..28 * 24 * 60));
    let today = started_at.date().to_string();
    let seed = i64::from(rng.gen::<u32>());
    let answers = answers::answers(&version.survey, person, wave, &today, rng);
    NewResponse {
        survey_id: version.survey_id.clone(),
        version_id: version.id.clone(),
        idempotency_key: String::new(),
        mode,
        language: language.into(),
        seed,
        started_at,
        cells: response::cells(&version.survey, &answers),
        max_responses: None,
        draft_id: None,
        invitation: None,
        quotas: Vec::new(),
    }
}

/// Business answers come through the open link: no sample, weight 1.
fn open_link_responses(
    c: &mut DbConnection,
    version: &storage::surveys::StoredVersion,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    rng.set_stream(Wave::BusinessNeeds.stream());
    let start = day(2026, Month::May, 4);
    let batch = (0..BUSINESS_RESPONSES)
        .map(|i| {
            let mut r = respondent(version, None, Wave::BusinessNeeds, start, &mut rng);
            r.idempotency_key = format!("demo-{}-{i}", Wave::BusinessNeeds.stream());
            r
        })
        .collect();
    store(c, version, batch, report)
}

/// Store responses through the writer's batch path (the caller holds the transaction).
fn store(
    c: &mut DbConnection,
    version: &storage::surveys::StoredVersion,
    batch: Vec<NewResponse>,
    report: &mut DemoReport,
) -> Result<(), DemoError> {
    let label = format!("{} v{}", version.survey.key, version.survey.version);
    for chunk in batch.chunks(1000) {
        let refs: Vec<&NewResponse> = chunk.iter().collect();
        for outcome in storage::responses::store_batch(c, &refs)? {
            if !matches!(outcome, SubmitOutcome::Stored { .. }) {
                return Err(DemoError::Refused(label, outcome));
            }
        }
    }
    report.responses.push((label, batch.len()));
    Ok(())
}

/// One account per staff role besides the admin, with generated passwords.
fn demo_accounts(
    c: &mut DbConnection,
    argon2: Argon2Params,
    actor: Actor<'_>,
) -> Result<Vec<DemoAccount>, DemoError> {
    let existing: Vec<String> = storage::users::list_users(c)?
        .into_iter()
        .map(|u| u.username.to_string())
        .collect();
    let mut out = Vec::new();
    for (username, display_name, role) in [
        ("researcher", "Demo: forskare", "researcher"),
        ("analyst", "Demo: analytiker", "analyst"),
        ("manager", "Demo: chef", "manager"),
        ("interviewer", "Demo: intervjuare", "interviewer"),
    ] {
        if existing.iter().any(|u| u == username) {
            continue;
        }
        let account = NewAccount::parse(&NewAccountInput {
            username,
            display_name,
            role,
            password: None,
        })
        .map_err(|e| StorageError::Corrupt(format!("demo account {username}: {e:?}")))?;
        accounts::create(c, argon2, actor, &account)?;
        out.push(DemoAccount {
            username: username.into(),
            role,
            password: account.generated_password().unwrap_or_default().to_owned(),
        });
    }
    Ok(out)
}
