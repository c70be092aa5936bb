//! Benefits follow-up (nyttohemtagning): freeze an area's prediction (the expected e-service
//! share with its interval, and the figures it is computed from), record follow-up measurements of
//! a launched area, and compare predicted with realised adoption and yearly saving per area and
//! over all launched areas. Changes are audited in their own transaction.

use std::collections::HashMap;

use analysis::backlog::{benefit, BenefitInput, ChannelShift, Channels, ShareInterval, ThreeWay};
use time::PrimitiveDateTime;

use crate::domain::backlog::{FieldError, Status};
use crate::domain::backlog_followup::{
    realised, shift_for, Basis, FollowUp, Interval, Realised, Verdict,
};
use crate::domain::lang::Msg;
use crate::storage::backlog_followup::{StoredFollowUp, StoredPrediction};
use crate::storage::{self, DbConnection, StorageError};
use crate::use_cases::backlog::StoredArea;
use crate::use_cases::Actor;

/// Why a follow-up change was refused. Nothing is stored then.
#[derive(Debug, thiserror::Error)]
pub enum FollowupError {
    /// No area has this key.
    #[error("no backlog area {0}")]
    NotFound(String),
    /// Fields that do not parse; every one is listed.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// A prediction is frozen only once, and only for an approved, developing or launched area.
    #[error("the prediction cannot be frozen now")]
    PredictionRefused,
    /// A follow-up needs a launched area with a frozen prediction.
    #[error("the area is not launched with a frozen prediction")]
    NotReady,
    /// The benefit calculation refused the frozen figures.
    #[error("benefit calculation: {0}")]
    Calculation(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl FollowupError {
    /// The message for the person who asked (`None`: not theirs to fix).
    pub fn message(&self) -> Option<Msg> {
        Some(match self {
            FollowupError::NotFound(k) => Msg::new(
                format!("Det finns inget område med nyckeln '{k}'."),
                format!("There is no area with the key '{k}'."),
            ),
            FollowupError::Invalid(errors) => Msg::new(
                format!("{} fält behöver rättas; inget sparades.", errors.len()),
                format!("{} field(s) need correcting; nothing was stored.", errors.len()),
            ),
            FollowupError::PredictionRefused => Msg::fixed(
                "Förutsägelsen kan bara frysas en gång, för ett beslutat, pågående eller lanserat område.",
                "The prediction can be frozen only once, for an approved, developing or launched area.",
            ),
            FollowupError::NotReady => Msg::fixed(
                "Uppföljning kan bara registreras för ett lanserat område med en fryst förutsägelse.",
                "A follow-up can be recorded only for a launched area with a frozen prediction.",
            ),
            FollowupError::Calculation(_) | FollowupError::Storage(_) => return None,
        })
    }
}

/// The prediction with what it computes to.
#[derive(Debug, Clone)]
pub struct Predicted {
    /// As frozen.
    pub stored: StoredPrediction,
    /// Yearly saving (point, low, high), in the unit of the basis' costs.
    pub saving: ThreeWay,
}

/// A follow-up with its comparison against the prediction.
#[derive(Debug, Clone)]
pub struct Compared {
    /// As recorded.
    pub stored: StoredFollowUp,
    /// Realised e-service share.
    pub share: f64,
    /// Where the share fell against the predicted interval.
    pub share_verdict: Verdict,
    /// Realised saving, by channel.
    pub realised: Realised,
    /// Where the saving fell against the predicted interval.
    pub saving_verdict: Verdict,
}

/// Everything the follow-up page of an area shows.
#[derive(Debug, Clone)]
pub struct FollowupPage {
    /// The area.
    pub area: StoredArea,
    /// When it was launched (UTC), if it was.
    pub launched_at: Option<PrimitiveDateTime>,
    /// The frozen prediction, if any.
    pub prediction: Option<Predicted>,
    /// Follow-ups, in the order measured.
    pub followups: Vec<Compared>,
}

/// The predicted yearly saving of a frozen prediction, from `analysis::backlog::benefit` with the
/// shift that turns the pre-launch web share into the expected one. Only the contact-cost saving
/// is compared (the basis' costs are relative units; handling time and SEK costs do not mix in),
/// so the development and running costs are left at zero here.
pub fn predicted_saving(share: Interval, basis: &Basis) -> Result<ThreeWay, FollowupError> {
    let before = basis.web_share_before();
    let m = crate::domain::backlog::fractions(basis.mix);
    let mix = Channels {
        phone: m[0],
        email: m[1],
        letter: m[2],
        visit: m[3],
        eservice: m[4],
    };
    let c = basis.costs;
    let input = BenefitInput {
        yearly_volume: basis.yearly_volume as f64,
        channel_mix: mix,
        shift: ChannelShift::uniform(ShareInterval {
            point: shift_for(before, share.point),
            low: shift_for(before, share.low),
            high: shift_for(before, share.high),
        }),
        cost_per_contact: Channels {
            phone: c[0],
            email: c[1],
            letter: c[2],
            visit: c[3],
            eservice: c[4],
        },
        handling: None,
        development_cost: 0.0,
        yearly_running_cost: 0.0,
        horizon_years: 1,
        discount_rate: 0.0,
    };
    benefit(&input)
        .map(|r| r.yearly_saving)
        .map_err(|e| FollowupError::Calculation(e.to_string()))
}

/// Compare one follow-up with the prediction.
pub fn compare(p: &Predicted, f: StoredFollowUp) -> Compared {
    let share = f.followup.eservice_share();
    let r = realised(&p.stored.basis, &f.followup);
    let s = p.stored.share;
    Compared {
        share,
        share_verdict: Verdict::of(share, s.low, s.high),
        saving_verdict: Verdict::of(r.saving, p.saving.low, p.saving.high),
        realised: r,
        stored: f,
    }
}

fn find(conn: &mut DbConnection, key: &str) -> Result<StoredArea, FollowupError> {
    storage::backlog::find_area(conn, key)?.ok_or_else(|| FollowupError::NotFound(key.to_owned()))
}

fn page_of(
    area: StoredArea,
    launched: &HashMap<String, PrimitiveDateTime>,
    predictions: &mut HashMap<String, StoredPrediction>,
    followups: &mut HashMap<String, Vec<StoredFollowUp>>,
) -> Result<FollowupPage, FollowupError> {
    let prediction = match predictions.remove(&area.id) {
        Some(stored) => Some(Predicted {
            saving: predicted_saving(stored.share, &stored.basis)?,
            stored,
        }),
        None => None,
    };
    let list = followups.remove(&area.id).unwrap_or_default();
    let followups = match &prediction {
        Some(p) => list.into_iter().map(|f| compare(p, f)).collect(),
        None => Vec::new(),
    };
    Ok(FollowupPage {
        launched_at: launched.get(&area.id).copied(),
        area,
        prediction,
        followups,
    })
}

/// The follow-up page of the area with `key`.
pub fn show(conn: &mut DbConnection, key: &str) -> Result<FollowupPage, FollowupError> {
    let area = find(conn, key)?;
    let launched = storage::backlog_followup::launch_dates(conn)?;
    let mut predictions = storage::backlog_followup::predictions(conn)?;
    let mut followups = storage::backlog_followup::followups(conn)?;
    page_of(area, &launched, &mut predictions, &mut followups)
}

/// Every launched area's follow-up (the yearly report's table), by key.
pub fn summary(conn: &mut DbConnection) -> Result<Vec<FollowupPage>, FollowupError> {
    let launched = storage::backlog_followup::launch_dates(conn)?;
    let mut predictions = storage::backlog_followup::predictions(conn)?;
    let mut followups = storage::backlog_followup::followups(conn)?;
    storage::backlog::list_areas(conn)?
        .into_iter()
        .filter(|a| a.status == Status::Launched)
        .map(|a| page_of(a, &launched, &mut predictions, &mut followups))
        .collect()
}

/// Freeze the prediction of the area with `key` from its figures now: once, for an approved,
/// developing or launched area.
pub fn freeze_prediction(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    share: Interval,
) -> Result<(), FollowupError> {
    storage::transaction(conn, |c| {
        let area = find(c, key)?;
        let allowed = matches!(
            area.status,
            Status::Approved | Status::InDevelopment | Status::Launched
        );
        if !allowed || storage::backlog_followup::predictions(c)?.contains_key(&area.id) {
            return Err(FollowupError::PredictionRefused);
        }
        let basis = Basis::of(area.area.yearly_volume, &area.area.channel_mix);
        // Computed once here so a prediction the calculation refuses is never stored.
        predicted_saving(share, &basis)?;
        storage::backlog_followup::insert_prediction(c, &area.id, share, &basis, actor.name)
            .map_err(|e| match e {
                StorageError::Conflict(_) => FollowupError::PredictionRefused,
                other => other.into(),
            })?;
        actor.record(
            c,
            "backlog.prediction_frozen",
            key,
            &format!(
                "e-service share {:.3} ({:.3}–{:.3})",
                share.point, share.low, share.high
            ),
        )?;
        Ok(())
    })
}

/// Record a follow-up of the launched area with `key` (which must have a frozen prediction).
pub fn record(
    conn: &mut DbConnection,
    actor: Actor<'_>,
    key: &str,
    f: &FollowUp,
) -> Result<(), FollowupError> {
    storage::transaction(conn, |c| {
        let area = find(c, key)?;
        if area.status != Status::Launched
            || !storage::backlog_followup::predictions(c)?.contains_key(&area.id)
        {
            return Err(FollowupError::NotReady);
        }
        let id = storage::backlog_followup::insert_followup(c, &area.id, f, actor.name)?;
        actor.record(
            c,
            "backlog.followup_recorded",
            key,
            &format!(
                "{id}: {}–{}, contacts {:?}",
                FollowUp::iso(f.period_from),
                FollowUp::iso(f.period_to),
                f.volumes
            ),
        )?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backlog_followup::CITY_RELATIVE_COSTS;

    fn basis() -> Basis {
        Basis {
            yearly_volume: 10_000,
            mix: [70.0, 20.0, 5.0, 5.0, 0.0],
            costs: CITY_RELATIVE_COSTS,
        }
    }

    #[test]
    fn the_predicted_saving_is_the_benefit_of_the_shift_to_the_expected_share() {
        let s = predicted_saving(
            Interval {
                point: 0.5,
                low: 0.4,
                high: 0.6,
            },
            &basis(),
        )
        .unwrap();
        // 10 000 × (0.70·49 + 0.20·69 + 0.05·89 + 0.05·109) = 580 000 per full shift.
        assert!((s.point - 290_000.0).abs() < 1e-6, "{s:?}");
        assert!((s.low - 232_000.0).abs() < 1e-6);
        assert!((s.high - 348_000.0).abs() < 1e-6);
    }

    #[test]
    fn a_realised_share_above_the_interval_is_said_to_be_above() {
        let share = Interval {
            point: 0.5,
            low: 0.4,
            high: 0.6,
        };
        let p = Predicted {
            saving: predicted_saving(share, &basis()).unwrap(),
            stored: StoredPrediction {
                share,
                basis: basis(),
                recorded_by: "r".into(),
                recorded_at: storage::now(),
            },
        };
        let f = StoredFollowUp {
            id: "f".into(),
            followup: FollowUp {
                measured_on: 0,
                period_from: 0,
                period_to: 364,
                volumes: [1000, 500, 0, 0, 8500],
                note: String::new(),
            },
            recorded_by: "r".into(),
            recorded_at: storage::now(),
        };
        let c = compare(&p, f);
        assert_eq!(c.share_verdict, Verdict::Above);
        assert_eq!(c.saving_verdict, Verdict::Above);
    }
}
