//! Answering a survey: the respondent's position and answers (carried in the form, so nothing
//! is stored until they save or submit), navigation with validation, skip logic and the
//! per-respondent layout, and the hand-over to the group-commit writer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::expr::Value;
use crate::domain::options::SurveyOptions;
use crate::domain::quota::Quota;
use crate::domain::response::{self, Mode};
use crate::domain::survey::conditional;
use crate::domain::survey::flow::{self, AnswerError, AnswerMap};
use crate::domain::survey::maxdiff::{self, MaxDiffDesign};
use crate::domain::survey::random::{self, RespondentLayout};
use crate::domain::survey::{Question, QuestionKind, Survey, VersionStatus};
use crate::storage::responses::{Draft, InvitationClaim, NewResponse, ResponseWriter};
use crate::storage::{self, Db, StorageError};

mod admission;
mod lookup;
mod resume;

pub use admission::{
    admit, check_code, start, survey_for_code, Admission, CodeCheck, Invitation, Refusal,
    StartRequest, Started,
};
pub use lookup::{
    entry_survey_keys, erase_response, find_receipt, open_surveys, phone_work_list, record_entry,
    EraseError, ErasureReason, ReceiptLookup, StoredResponse, SurveySummary,
};
pub use resume::{resume, save_draft, Saved};
// The writer's verdict on a submission, for the pages that show it.
pub use crate::storage::responses::SubmitOutcome;

/// What answering can fail with beyond what a respondent is shown as a page.
#[derive(Debug, thiserror::Error)]
pub enum AnsweringError {
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A draft could not be written or read back.
    #[error(transparent)]
    Draft(#[from] DraftError),
}

/// A published (or closed) version ready to serve, with its derived designs.
#[derive(Debug)]
pub struct LoadedSurvey {
    /// The survey row id.
    pub survey_id: String,
    /// The version row id responses point at.
    pub version_id: String,
    /// The instrument.
    pub survey: Survey,
    /// Operational options.
    pub options: SurveyOptions,
    /// MaxDiff designs by question key, generated once per version.
    pub maxdiff: HashMap<String, MaxDiffDesign>,
}

impl LoadedSurvey {
    /// A version ready to serve: derives the MaxDiff designs (also used by the designer's preview).
    pub fn new(
        survey_id: String,
        version_id: String,
        survey: Survey,
        options: SurveyOptions,
    ) -> Self {
        let maxdiff = survey
            .questions()
            .filter_map(|q| match maxdiff::design_for(&survey, q) {
                Some(Ok(design)) => Some((q.key.clone(), design)),
                _ => None,
            })
            .collect();
        LoadedSurvey {
            survey_id,
            version_id,
            survey,
            options,
            maxdiff,
        }
    }

    /// Whether this version accepts answers now (status and dates).
    pub fn is_closed(&self, now: time::OffsetDateTime) -> bool {
        self.survey.status != VersionStatus::Published
            || matches!(
                self.options.openness(now),
                crate::domain::options::Openness::Closed(_)
            )
    }

    /// The language to show: the requested one if the survey has it, else the default.
    pub fn language(&self, requested: Option<&str>) -> String {
        requested
            .filter(|l| self.survey.languages.iter().any(|x| x == l))
            .map(str::to_owned)
            .unwrap_or_else(|| self.survey.default_language.clone())
    }

    /// The items of each MaxDiff task this respondent sees: indices into the item list.
    pub fn maxdiff_tasks(&self, question: &str, seed: u64) -> Vec<Vec<usize>> {
        self.maxdiff
            .get(question)
            .map(|d| d.tasks_for(seed).to_vec())
            .unwrap_or_default()
    }
}

/// Published versions cached per instance for a few seconds: survey pages are the hot path
/// after a city-wide mailing. Local publish/close/option changes invalidate immediately; other
/// instances pick changes up within [`CACHE_TTL`].
#[derive(Default)]
pub struct SurveyCache {
    entries: Mutex<HashMap<String, (Instant, Arc<LoadedSurvey>)>>,
}

/// How long another instance may serve a version after it was closed elsewhere.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

impl SurveyCache {
    /// The respondent version of `key`, from cache or database.
    pub async fn get(&self, db: &Db, key: &str) -> Result<Option<Arc<LoadedSurvey>>, StorageError> {
        if let Ok(entries) = self.entries.lock() {
            if let Some((at, s)) = entries.get(key) {
                if at.elapsed() < CACHE_TTL {
                    return Ok(Some(s.clone()));
                }
            }
        }
        let k = key.to_owned();
        let found = db
            .run(move |c| storage::surveys::find_respondent_version(c, &k))
            .await?;
        let Some((record, version)) = found else {
            return Ok(None);
        };
        let loaded = Arc::new(LoadedSurvey::new(
            record.id,
            version.id,
            version.survey,
            record.options,
        ));
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key.to_owned(), (Instant::now(), loaded.clone()));
        }
        Ok(Some(loaded))
    }

    /// Forget `key` (after a local publish, close or options change).
    pub fn invalidate(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

/// Where a respondent is: carried in hidden fields from page to page.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Idempotency key of this answering attempt.
    pub attempt: String,
    /// Seed of the respondent's layout (question/option order, MaxDiff version).
    pub seed: u64,
    /// The survey language.
    pub lang: String,
    /// The page shown (== number of pages for the review page).
    pub page: usize,
    /// A resumed draft to delete on submit.
    pub draft: Option<String>,
    /// The invitation access code this attempt answers under (carried in the form, never in
    /// the URL after the landing).
    pub invitation: Option<String>,
    /// How the answers reach us: web, or an interviewer's phone or paper entry. Carried in the
    /// form as asked for; the handlers count a non-web mode only from an interviewer's session.
    pub mode: Mode,
    /// When the attempt started (unix seconds).
    pub started: i64,
    /// Answers so far.
    pub answers: AnswerMap,
    /// The share of the survey (per cent) the last page showed as done, so the progress shown
    /// never goes backwards when skip logic adds pages. Display only: not sealed.
    pub progress: u8,
    /// The server's seal over what it vouches for (see [`Attempt::seal_for`]), rendered into
    /// the form and checked on every step. Empty until the handler seals the attempt.
    pub seal: String,
}

impl Attempt {
    /// A fresh attempt with a random seed and key.
    pub fn start(lang: String, hidden: AnswerMap) -> Attempt {
        Attempt {
            // Time-ordered (UUIDv7) like response ids: the key becomes the response's
            // idempotency key, and random keys would scatter the writer's inserts over the whole
            // UNIQUE index (measured: ~15 % fewer submissions a second with v4 keys, BENCHMARKS.md).
            // It says no more than `started_at`, which the response stores anyway.
            attempt: uuid::Uuid::now_v7().simple().to_string(),
            seed: rand::random::<u64>() >> 1,
            lang,
            page: 0,
            draft: None,
            invitation: None,
            mode: Mode::Web,
            started: time::OffsetDateTime::now_utc().unix_timestamp(),
            answers: hidden,
            progress: 0,
            seal: String::new(),
        }
    }

    /// HMAC over everything of the attempt that the server vouches for and the client must not
    /// choose: the attempt key, the layout seed, the start time, the invitation, the mode and the
    /// resumed draft, for one survey version. Only a start (which decides access: code, consent)
    /// or a resume hands out a seal, so a client that skips the start form cannot make one, and
    /// one that edits a sealed field is refused. Page and answers stay the client's to change.
    pub fn seal_for(&self, secret: &[u8], version_id: &str) -> String {
        use hmac::Mac;
        let mut mac = crate::auth::mac::keyed(secret, b"insikt-attempt:");
        let seed = self.seed.to_string();
        let started = self.started.to_string();
        for part in [
            version_id,
            &self.attempt,
            &seed,
            &started,
            self.invitation.as_deref().unwrap_or(""),
            self.mode.as_str(),
            self.draft.as_deref().unwrap_or(""),
        ] {
            // Length-prefixed, so no choice of values can shift a boundary.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            mac.finalize().into_bytes(),
        )
    }

    /// Seal the attempt for `version_id` (before rendering it into a form).
    pub fn sealed(mut self, secret: &[u8], version_id: &str) -> Attempt {
        self.seal = self.seal_for(secret, version_id);
        self
    }

    /// Whether the attempt's seal is the server's (constant time).
    pub fn seal_holds(&self, secret: &[u8], version_id: &str) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.seal_for(secret, version_id);
        !self.seal.is_empty() && bool::from(expected.as_bytes().ct_eq(self.seal.as_bytes()))
    }

    /// The respondent's layout.
    pub fn layout(&self, survey: &Survey) -> RespondentLayout {
        random::layout(survey, self.seed)
    }
}

/// What the respondent asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nav {
    /// Next page (validates this one).
    Next,
    /// Previous page (no validation; answers kept).
    Back,
    /// Jump to a page from the review page.
    Goto(usize),
    /// Save and get a resume code.
    Save,
    /// Submit from the review page.
    Submit,
    /// Show the same page in another language.
    Language(String),
}

impl Nav {
    /// Parse the `nav` button value.
    pub fn parse(s: &str) -> Option<Nav> {
        match s {
            "next" => Some(Nav::Next),
            "back" => Some(Nav::Back),
            "save" => Some(Nav::Save),
            "submit" => Some(Nav::Submit),
            _ => {
                if let Some(n) = s.strip_prefix("goto:") {
                    n.parse().ok().map(Nav::Goto)
                } else {
                    s.strip_prefix("lang:").map(|l| Nav::Language(l.to_owned()))
                }
            }
        }
    }
}

/// Where a step of the page form leads.
#[derive(Debug)]
pub enum Step {
    /// Show page `.0` (the review page when past the last) with errors `.1`.
    Show(usize, Vec<AnswerError>),
    /// Page `from` is complete: show page `to`, unless a quota its answers decide is full
    /// (see [`full_quota`]).
    Advance {
        /// The page just answered.
        from: usize,
        /// The next page that shows something.
        to: usize,
    },
    /// Save a draft and hand out a resume code.
    Save,
    /// Everything validated: hand the response to the writer.
    Submit,
}

/// Apply `nav` to attempt `a` (its language, skip logic and validation); `shown` are the keys
/// of the questions the page showed.
pub fn step(s: &LoadedSurvey, a: &mut Attempt, nav: Nav, shown: &[String]) -> Step {
    let today = today();
    let (here, pages) = (a.page, s.survey.pages.len());
    match nav {
        Nav::Language(l) => {
            a.lang = s.language(Some(&l));
            Step::Show(here, vec![])
        }
        Nav::Back => {
            validate(s, &mut a.answers, None);
            // A MaxDiff question answered a few tasks per screen turns back a screen first.
            let layout = a.layout(&s.survey);
            let on_page = visible_questions(&s.survey, &layout, here, &a.answers, &today);
            if let Some(stay) = maxdiff::turn(&on_page, &mut a.answers, &[], false) {
                return Step::Show(here, stay);
            }
            Step::Show(previous_page(&s.survey, here, &a.answers, &today), vec![])
        }
        Nav::Goto(n) => Step::Show(
            next_page(&s.survey, n.min(pages), &a.answers, &today),
            vec![],
        ),
        Nav::Save => Step::Save,
        Nav::Next => {
            let mut errors = validate(s, &mut a.answers, (here < pages).then_some(here));
            let layout = a.layout(&s.survey);
            // A MaxDiff question with tasks left on a further screen stays on this page.
            let on_page = visible_questions(&s.survey, &layout, here, &a.answers, &today);
            if let Some(stay) = maxdiff::turn(&on_page, &mut a.answers, &errors, true) {
                return Step::Show(here, stay);
            }
            // A question that depends on this page is shown from the start (as conditional), so
            // the page rarely grows; when it does (say through a calculation), the page is shown
            // again with the new question, but never with an error about a question the
            // respondent has not seen yet.
            let grew = visible_questions(&s.survey, &layout, here, &a.answers, &today)
                .iter()
                .any(|q| !shown.contains(&q.key));
            if grew && here < pages {
                errors.retain(|e| {
                    let key = error_question(e);
                    shown.iter().any(|k| {
                        key == k
                            || key
                                .strip_prefix(k.as_str())
                                .is_some_and(|r| r.starts_with('.'))
                    })
                });
                return Step::Show(here, errors);
            }
            if !errors.is_empty() {
                return Step::Show(here, errors);
            }
            let to = next_page(&s.survey, here + 1, &a.answers, &today);
            Step::Advance { from: here, to }
        }
        Nav::Submit => {
            let errors = validate(s, &mut a.answers, None);
            let Some(first) = errors.first() else {
                return Step::Submit;
            };
            let key = error_question(first);
            let page_of = s
                .survey
                .pages
                .iter()
                .position(|p| p.questions.iter().any(|q| response::owns(q, key)))
                .unwrap_or(0);
            Step::Show(page_of, errors)
        }
    }
}

/// What a page says about where the respondent is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// The page's number among the pages shown on the way here ("Sida 3"): no total, because
    /// skip logic decides the total only as the respondent answers.
    pub number: usize,
    /// Roughly how much is done, in per cent: the pages answered over those plus the pages
    /// that may still come, never less than the last page showed (`last`) and below 100 until
    /// the end.
    pub percent: u8,
}

/// The progress shown on page `index`. Pages after it count as still to come unless they are
/// known to be skipped (not shown, and decided only by answers of pages already answered), so
/// the estimate errs low and rises as skip logic removes pages.
pub fn progress(
    survey: &Survey,
    index: usize,
    answers: &AnswerMap,
    today: &str,
    last: u8,
) -> Progress {
    let pages = survey.pages.len();
    let done = (0..index.min(pages))
        .filter(|&i| page_shows(survey, i, answers, today))
        .count();
    let to_come = (index + 1..pages)
        .filter(|&i| !known_skipped(survey, i, index, answers, today))
        .count();
    let share = done * 100 / (done + 1 + to_come);
    let share = u8::try_from(share).unwrap_or(99).min(99);
    Progress {
        number: done + 1,
        percent: share.max(last.min(99)),
    }
}

/// Page `i` shows nothing now, and nothing that can change before it is reached decides that:
/// its conditions name only questions on pages before `here`.
fn known_skipped(survey: &Survey, i: usize, here: usize, answers: &AnswerMap, today: &str) -> bool {
    if page_shows(survey, i, answers, today) {
        return false;
    }
    let Some(page) = survey.pages.get(i) else {
        return true;
    };
    let decided = |e: &crate::domain::expr::Expression| {
        e.ast().map_or(true, |ast| {
            ast.references().iter().all(|(k, _)| {
                survey
                    .pages
                    .iter()
                    .position(|p| p.questions.iter().any(|q| response::owns(q, k)))
                    .is_some_and(|p| p < here)
            })
        })
    };
    page.relevant.as_ref().is_none_or(decided)
        && page
            .questions
            .iter()
            .filter_map(|q| q.relevant.as_ref())
            .all(decided)
}

/// Today's date as expressions see it.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Whether page `i` has anything to show given the answers.
pub fn page_shows(survey: &Survey, i: usize, answers: &AnswerMap, today: &str) -> bool {
    let Some(page) = survey.pages.get(i) else {
        return false;
    };
    conditional::page_visibility(survey, i, answers, today)
        .iter()
        .zip(&page.questions)
        .any(|(rel, q)| {
            *rel && !matches!(
                q.kind,
                QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. }
            )
        })
}

/// The first page at or after `from` that shows something; `pages.len()` means the review page.
pub fn next_page(survey: &Survey, from: usize, answers: &AnswerMap, today: &str) -> usize {
    (from..survey.pages.len())
        .find(|&i| page_shows(survey, i, answers, today))
        .unwrap_or(survey.pages.len())
}

/// The last page before `from` that shows something (or 0).
pub fn previous_page(survey: &Survey, from: usize, answers: &AnswerMap, today: &str) -> usize {
    (0..from.min(survey.pages.len()))
        .rev()
        .find(|&i| page_shows(survey, i, answers, today))
        .unwrap_or(0)
}

/// The questions on page `i` that the respondent sees now, in their layout order: the relevant
/// ones and those shown as conditional on an answer on the same page.
pub fn visible_questions<'a>(
    survey: &'a Survey,
    layout: &RespondentLayout,
    i: usize,
    answers: &AnswerMap,
    today: &str,
) -> Vec<&'a Question> {
    let Some(page) = survey.pages.get(i) else {
        return vec![];
    };
    let relevance = conditional::page_visibility(survey, i, answers, today);
    let order: Vec<usize> = layout
        .pages
        .get(i)
        .map(|p| p.question_order.clone())
        .unwrap_or_else(|| (0..page.questions.len()).collect());
    order
        .into_iter()
        .filter(|&qi| relevance.get(qi).copied().unwrap_or(false))
        .map(|qi| &page.questions[qi])
        .filter(|q| {
            !matches!(
                q.kind,
                QuestionKind::Hidden { .. } | QuestionKind::Calculate { .. }
            )
        })
        .collect()
}

/// All questions on a page (for reading its form fields, relevant or not).
pub fn page_questions(survey: &Survey, i: usize) -> Vec<&Question> {
    survey
        .pages
        .get(i)
        .map(|p| p.questions.iter().collect())
        .unwrap_or_default()
}

/// Errors that belong to the given questions.
pub fn errors_for<'e>(errors: &'e [AnswerError], questions: &[&Question]) -> Vec<&'e AnswerError> {
    errors
        .iter()
        .filter(|e| {
            questions
                .iter()
                .any(|q| response::owns(q, error_question(e)))
        })
        .collect()
}

/// The answer key an error is about.
pub fn error_question(e: &AnswerError) -> &str {
    e.answer_key()
}

/// Extra checks the generic validation does not know: in a MaxDiff task the most and least
/// important item must differ.
pub fn extra_errors(survey: &Survey, answers: &AnswerMap) -> Vec<AnswerError> {
    let mut out = vec![];
    for q in survey.questions() {
        if let QuestionKind::MaxDiff { tasks, .. } = &q.kind {
            for t in 1..=*tasks {
                let best = answers.get(&format!("{}.t{t}.best", q.key));
                let worst = answers.get(&format!("{}.t{t}.worst", q.key));
                if let (Some(b), Some(w)) = (best, worst) {
                    if !b.is_empty() && b == w {
                        out.push(AnswerError::ConstraintFailed {
                            question: format!("{}.t{t}", q.key),
                            message: crate::domain::survey::Text::new([
                                (
                                    "sv",
                                    "Välj olika alternativ som viktigast och minst viktigt.",
                                ),
                                ("en", "Choose different items as most and least important."),
                            ]),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Apply skip logic and validate everything (or, with `only`, the given page).
pub fn validate(
    s: &LoadedSurvey,
    answers: &mut AnswerMap,
    only: Option<usize>,
) -> Vec<AnswerError> {
    let today = today();
    flow::apply(&s.survey, answers, &today);
    let mut errors = flow::validate(&s.survey, answers, &today);
    errors.extend(extra_errors(&s.survey, answers));
    match only {
        Some(page) => {
            let qs = page_questions(&s.survey, page);
            errors_for(&errors, &qs).into_iter().cloned().collect()
        }
        None => errors,
    }
}

/// The early, read-only quota check: a quota whose defining questions were all answered by the
/// end of page `page` (at least one of them on it) and whose cell is already full, so the
/// respondent hears it now rather than after answering everything. The writer still has the
/// final word at submit.
pub async fn full_quota<'s>(
    db: &Db,
    s: &'s LoadedSurvey,
    page: usize,
    answers: &AnswerMap,
) -> Result<Option<&'s Quota>, StorageError> {
    let on_page = page_questions(&s.survey, page);
    let decided: Vec<(&Quota, String)> = s
        .options
        .quotas
        .iter()
        .filter(|q| {
            q.by.iter()
                .any(|key| on_page.iter().any(|question| response::owns(question, key)))
        })
        .filter_map(|q| q.cell(answers).map(|cell| (q, cell)))
        .collect();
    for (quota, cell) in decided {
        let (survey, name, c) = (s.survey_id.clone(), quota.name.clone(), cell.clone());
        let count = db
            .run(move |conn| storage::quotas::count(conn, &survey, &name, &c))
            .await?;
        if count >= i64::from(quota.limit_of(&cell)) {
            return Ok(Some(quota));
        }
    }
    Ok(None)
}

/// Store a complete, validated response through the group-commit writer.
pub async fn submit(
    writer: &ResponseWriter,
    s: &LoadedSurvey,
    attempt: &Attempt,
    mode: Mode,
) -> Result<SubmitOutcome, StorageError> {
    let mut answers = attempt.answers.clone();
    // Record which MaxDiff design version the respondent saw, so the analysis can rebuild tasks.
    for (key, design) in &s.maxdiff {
        answers.insert(
            format!("{key}.version"),
            Value::Number(design.version_for(attempt.seed) as f64),
        );
    }
    let started = time::OffsetDateTime::from_unix_timestamp(attempt.started)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    writer
        .submit(NewResponse {
            survey_id: s.survey_id.clone(),
            version_id: s.version_id.clone(),
            idempotency_key: attempt.attempt.clone(),
            mode,
            language: attempt.lang.clone(),
            seed: i64::try_from(attempt.seed).unwrap_or(i64::MAX),
            started_at: time::PrimitiveDateTime::new(started.date(), started.time()),
            cells: response::cells(&s.survey, &answers),
            max_responses: s.options.max_responses,
            draft_id: attempt.draft.clone(),
            invitation: attempt.invitation.clone().map(|code| InvitationClaim {
                code,
                anonymous: s.options.anonymous,
            }),
            quotas: crate::domain::quota::cells(&s.options.quotas, &answers),
        })
        .await
}

/// What a saved draft restores.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DraftContent {
    /// The attempt key (the response's idempotency key once submitted).
    pub attempt: String,
    /// The layout seed.
    pub seed: u64,
    /// The invitation code the attempt answers under.
    pub invitation: Option<String>,
    /// The answers so far.
    pub answers: AnswerMap,
}

/// A draft that cannot be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The answers could not be encoded or decoded.
    #[error("a draft's answers could not be encoded or decoded: {0}")]
    Json(#[from] serde_json::Error),
    /// A sealed draft did not open with the key of the code it was found by.
    #[error("a sealed draft did not open with its resume code")]
    Sealed,
}

/// Marks a draft whose content is sealed with its resume code.
const SEALED_DRAFT: &str = "sealed1:";

/// The cipher that seals an anonymous survey's draft, keyed from the resume code (which only
/// the respondent holds; the database keeps just its SHA-256) and the instance secret.
fn draft_cipher(secret: &[u8], code: &str) -> chacha20poly1305::ChaCha20Poly1305 {
    use chacha20poly1305::KeyInit;
    use hmac::Mac;
    let mut mac = crate::auth::mac::keyed(secret, b"insikt-draft:");
    mac.update(code.as_bytes());
    chacha20poly1305::ChaCha20Poly1305::new(&mac.finalize().into_bytes())
}

/// The draft's associated data: the sealed content opens only in its own row.
fn draft_aad(version_id: &str, draft_id: &str) -> String {
    format!("{version_id}|{draft_id}")
}

/// `content` sealed: `sealed1:` + base64(nonce ‖ ciphertext).
fn seal_draft(
    secret: &[u8],
    code: &str,
    aad: &str,
    content: &DraftContent,
) -> Result<String, DraftError> {
    use chacha20poly1305::aead::{Aead, Payload};
    let nonce: [u8; 12] = rand::random();
    let plain = serde_json::to_vec(content)?;
    let payload = Payload {
        msg: &plain,
        aad: aad.as_bytes(),
    };
    let sealed = draft_cipher(secret, code)
        .encrypt(&nonce.into(), payload)
        .map_err(|_| DraftError::Sealed)?;
    let bytes = [nonce.as_slice(), &sealed].concat();
    let text = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
    Ok(format!("{SEALED_DRAFT}{text}"))
}

/// The content [`seal_draft`] sealed (the text after the `sealed1:` mark).
fn open_draft(
    secret: &[u8],
    code: &str,
    aad: &str,
    sealed: &str,
) -> Result<DraftContent, DraftError> {
    use chacha20poly1305::aead::{Aead, Payload};
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sealed)
        .map_err(|_| DraftError::Sealed)?;
    if bytes.len() < 12 {
        return Err(DraftError::Sealed);
    }
    let (nonce, body) = bytes.split_at(12);
    let payload = Payload {
        msg: body,
        aad: aad.as_bytes(),
    };
    let plain = draft_cipher(secret, code)
        .decrypt(chacha20poly1305::Nonce::from_slice(nonce), payload)
        .map_err(|_| DraftError::Sealed)?;
    Ok(serde_json::from_slice(&plain)?)
}

/// The draft row for "continue later" under resume code `code`. An anonymous survey's draft
/// keeps the attempt key, the seed, the access code and the answers only sealed
/// (ChaCha20-Poly1305) with a key from the resume code: in the clear they would sit next to the
/// code in the database file, its WAL and backups, and the attempt key, the seed and the answers
/// all reappear in the response, linking the invited person to their answers.
pub fn new_draft(
    s: &LoadedSurvey,
    a: &Attempt,
    secret: &[u8],
    code: &str,
) -> Result<Draft, DraftError> {
    let id = uuid::Uuid::new_v4().to_string();
    let (attempt, seed, answers, invitation_code) = if s.options.anonymous {
        let content = DraftContent {
            attempt: a.attempt.clone(),
            seed: a.seed,
            invitation: a.invitation.clone(),
            answers: a.answers.clone(),
        };
        let aad = draft_aad(&s.version_id, &id);
        (
            String::new(),
            0,
            seal_draft(secret, code, &aad, &content)?,
            None,
        )
    } else {
        (
            a.attempt.clone(),
            i64::try_from(a.seed).unwrap_or(0),
            serde_json::to_string(&a.answers)?,
            a.invitation.clone(),
        )
    };
    Ok(Draft {
        id,
        version_id: s.version_id.clone(),
        language: a.lang.clone(),
        seed,
        attempt,
        page: i32::try_from(a.page).unwrap_or(0),
        answers,
        invitation_code,
    })
}

/// What draft `d`, found by resume code `code`, restores.
pub fn draft_content(secret: &[u8], code: &str, d: &Draft) -> Result<DraftContent, DraftError> {
    match d.answers.strip_prefix(SEALED_DRAFT) {
        Some(sealed) => open_draft(secret, code, &draft_aad(&d.version_id, &d.id), sealed),
        None => Ok(DraftContent {
            attempt: d.attempt.clone(),
            seed: u64::try_from(d.seed).unwrap_or(0),
            invitation: d.invitation_code.clone(),
            answers: serde_json::from_str(&d.answers)?,
        }),
    }
}
