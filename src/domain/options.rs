//! Operational options of a survey: when and to whom it is open, what respondents are told about
//! privacy and contact, and how long a "continue later" code lives. Unlike the instrument itself
//! these may change while a version is open, so they live beside the versions, not in them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::survey::Text;

/// The legal basis for processing the answers (GDPR art. 6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasis {
    /// A task in the public interest (art. 6.1 e): the usual basis for a city's surveys.
    #[default]
    PublicTask,
    /// Consent (art. 6.1 a): the respondent must agree before the first question.
    Consent,
}

/// The privacy notice shown before the first question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacyNotice {
    /// Why the answers are collected.
    pub purpose: Text,
    /// The legal basis.
    pub legal_basis: LegalBasis,
    /// How long answers are kept.
    pub retention: Text,
    /// Who is responsible and how to reach them (and the data protection officer).
    pub controller: Text,
}

/// How respondents reach the survey.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Anyone with the link.
    #[default]
    Open,
    /// Only with a single-use invitation token or access code.
    Invitation,
}

/// Everything about running a survey that is not the questionnaire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyOptions {
    /// Shown on the public start page.
    pub listed: bool,
    /// Who the survey is for, for the start page.
    pub audience: Text,
    /// About how many minutes answering takes.
    pub minutes: Option<u32>,
    /// Not open before this moment.
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    /// Closed from this moment.
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    /// Stop accepting responses after this many.
    pub max_responses: Option<u32>,
    /// The privacy notice.
    pub privacy: PrivacyNotice,
    /// Other ways to answer or get help (phone, letter, visit), shown in every page footer.
    pub contact: Text,
    /// When and where results will be published, shown on the receipt.
    pub results: Text,
    /// Days a "continue later" code stays valid.
    pub resume_days: u32,
    /// Open link or invitation only.
    pub access: Access,
    /// Never store which invitation a response came from.
    pub anonymous: bool,
    /// Cells that stop accepting responses when full.
    pub quotas: Vec<crate::domain::quota::Quota>,
}

impl Default for SurveyOptions {
    fn default() -> Self {
        SurveyOptions {
            listed: false,
            audience: Text::default(),
            minutes: None,
            opens_at: None,
            closes_at: None,
            max_responses: None,
            privacy: PrivacyNotice::default(),
            contact: Text::default(),
            results: Text::default(),
            resume_days: 14,
            access: Access::Open,
            anonymous: false,
            quotas: Vec::new(),
        }
    }
}

/// Whether a survey accepts answers at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Openness {
    /// Accepting answers.
    Open,
    /// Not yet open; opens at the given time.
    NotYet(OffsetDateTime),
    /// Closed at the given time (or when its version was closed, if no date).
    Closed(Option<OffsetDateTime>),
}

impl SurveyOptions {
    /// Whether answers are accepted at `now` by the dates (the version status is checked elsewhere).
    pub fn openness(&self, now: OffsetDateTime) -> Openness {
        if let Some(open) = self.opens_at.filter(|t| now < *t) {
            return Openness::NotYet(open);
        }
        if let Some(close) = self.closes_at.filter(|t| now >= *t) {
            return Openness::Closed(Some(close));
        }
        Openness::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_survey_is_open_between_its_dates_only() {
        let o = SurveyOptions {
            opens_at: Some(datetime!(2026-01-01 0:00 UTC)),
            closes_at: Some(datetime!(2026-02-01 0:00 UTC)),
            ..SurveyOptions::default()
        };
        assert!(matches!(
            o.openness(datetime!(2025-12-31 23:59 UTC)),
            Openness::NotYet(_)
        ));
        assert_eq!(o.openness(datetime!(2026-01-15 12:00 UTC)), Openness::Open);
        assert!(matches!(
            o.openness(datetime!(2026-02-01 0:00 UTC)),
            Openness::Closed(Some(_))
        ));
    }

    #[test]
    fn options_round_trip_through_json_with_defaults_for_missing_fields() {
        let o: SurveyOptions = serde_json::from_str(r#"{"listed":true}"#).unwrap();
        assert!(o.listed);
        assert_eq!(o.resume_days, 14);
        let back: SurveyOptions =
            serde_json::from_str(&serde_json::to_string(&o).unwrap()).unwrap();
        assert_eq!(back, o);
    }
}
