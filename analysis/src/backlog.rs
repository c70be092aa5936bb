//! The decision core of the prioritised e-service backlog (issue 14): the benefit calculation
//! (nyttokalkyl), the weighted ranking of candidate areas, AHP criteria weights, rank uncertainty by a
//! design-based bootstrap, and the sensitivity of the ranking to the criteria weights.
//!
//! Everything here is plain data in, result structs out; the app supplies the survey measures (as
//! weighted sums over respondents) and the catalogue figures (volumes, costs) and stores the results.

pub mod ahp;
pub mod benefit;
pub mod rank_uncertainty;
pub mod ranking;
pub mod sensitivity;

pub use ahp::{ahp_weights, reciprocal_matrix, saaty_random_index, AhpResult, CR_THRESHOLD};
pub use benefit::{
    benefit, BenefitInput, BenefitResult, Channel, ChannelShift, Channels, ExplanationStep, Figure,
    HandlingTime, Payback, PaybackRange, ShareInterval, StepKind, ThreeWay, MIX_TOLERANCE,
};
pub use rank_uncertainty::{
    rank_uncertainty, AreaRankUncertainty, Combine, CriterionSource, RankUncertainty,
    RankUncertaintyOptions, Ratio, SurveyMeasure, WeightedSum,
};
pub use ranking::{rank_areas, Criterion, Direction, Ranking};
pub use sensitivity::{sensitivity, Sensitivity, WeightVariation, DEFAULT_FACTORS};
