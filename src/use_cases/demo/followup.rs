//! The demo's benefits follow-up: the launched preschool area gets a frozen prediction (85 % of
//! applications online, 78–92 %) and one follow-up of its first year, with about 90 % online as
//! the city reported (`shared/context/CONTEXT.md`). The status history dates the launch to the day
//! the demo was seeded, so the follow-up's year is the twelve months before that day: it stands
//! for the first year after launch.

use crate::domain::backlog_followup::{FollowUp, Interval};
use crate::storage::{self, DbConnection};
use crate::use_cases::backlog::followup::{self, FollowupError};
use crate::use_cases::Actor;

/// The launched demo area.
const AREA: &str = "preschool";

/// Freeze the prediction and record the follow-up (the caller holds the transaction and has
/// seeded the areas).
pub fn seed(conn: &mut DbConnection, actor: Actor<'_>) -> Result<(), FollowupError> {
    followup::freeze_prediction(
        conn,
        actor,
        AREA,
        Interval {
            point: 0.85,
            low: 0.78,
            high: 0.92,
        },
    )?;
    let today = i64::from(storage::now().date().to_julian_day()) - UNIX_JULIAN_DAY;
    let f = FollowUp {
        measured_on: today,
        period_from: today - 365,
        period_to: today - 1,
        // 33 000 applications, 90 % online: a little more than the 32 000 a year before launch.
        volumes: [1_650, 330, 990, 330, 29_700],
        note: "Demo: Utbildningsförvaltningens ärendestatistik, första året efter lansering."
            .into(),
    };
    followup::record(conn, actor, AREA, &f)
}

/// The Julian day number of 1970-01-01 (the domain's dates count days from it).
const UNIX_JULIAN_DAY: i64 = 2_440_588;
