//! Survey statistics: design-based estimation, weighting, tables and tests, prioritisation methods.
//!
//! Pure crate: it takes slices and plain structs and knows nothing of the web app, the database or files.
//! See `README.md` for the list of methods and the references each one follows.

// House rule: every pub item says which method and reference it follows.
#![warn(missing_docs)]
// Numeric kernels index several parallel arrays (weights, codes, PSU sums) by the same subscript; zipped
// iterators would hide the formulas they implement.
#![expect(
    clippy::needless_range_loop,
    reason = "parallel-array numeric kernels read closer to the formulas"
)]

pub mod agreement;
pub mod backlog;
pub mod bootstrap;
pub mod ci;
pub mod data;
pub mod design;
pub mod disclosure;
pub mod dist;
pub mod error;
pub mod estimate;
mod grouped;
pub mod hypothesis;
pub mod linalg;
pub mod priority;
pub mod qualitative;
pub mod sampling;
pub mod tables;
pub mod waves;
pub mod weighting;

pub use data::{
    AnswerState, Categorical, Column, MultiSelect, Numeric, SurveyData, DONT_KNOW, MISSING,
};
pub use design::{Design, DesignBuilder, Fpc, LonelyPsu};
pub use error::{AnalysisError, Result};
pub use estimate::{Estimate, FrequencyTable, QuantileEstimate};
pub use weighting::{Margin, RakeOptions, RakeReport, TrimBounds};
