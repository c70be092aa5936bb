//! The one error type of the crate: every failure is a value a caller can match on and show to a user.

/// Errors from the analysis crate. Messages are written for the person who supplied the data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// Too few observations for the requested statistic.
    #[error("need at least {needed} observations, got {got}")]
    InsufficientData {
        /// Minimum number required.
        needed: usize,
        /// Number available.
        got: usize,
    },
    /// Two inputs that must have the same length do not.
    #[error("length mismatch: {what} has {got} values, expected {expected}")]
    LengthMismatch {
        /// Which input.
        what: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A stratum has a single PSU, so its variance cannot be estimated (R survey `lonely.psu = "fail"`).
    #[error("stratum {stratum} has only one PSU at stage {stage}; variance cannot be estimated")]
    LonelyPsu {
        /// Stratum index (order of first appearance).
        stratum: usize,
        /// Sampling stage (1 or 2).
        stage: usize,
    },
    /// Weights sum to zero (or the domain has no weight).
    #[error("weights sum to zero{context}")]
    ZeroWeightSum {
        /// Where it happened, e.g. " in the domain".
        context: String,
    },
    /// A value that must be finite and non-negative is not.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// Finite-population correction is inconsistent with the sample.
    #[error("invalid finite-population correction: {0}")]
    InvalidFpc(String),
    /// Margin totals for raking disagree with each other.
    #[error("margin totals disagree: margin {first} sums to {first_total}, margin {other} sums to {other_total}")]
    InconsistentMargins {
        /// First margin index.
        first: usize,
        /// Its total.
        first_total: f64,
        /// Disagreeing margin index.
        other: usize,
        /// Its total.
        other_total: f64,
    },
    /// A population category has no sample weight, so it cannot be reached by reweighting.
    #[error("margin {margin}, category {category}: population total {target} but no sample units")]
    EmptySampleCell {
        /// Margin index.
        margin: usize,
        /// Category code.
        category: usize,
        /// Population target.
        target: f64,
    },
    /// The sample has a category the population margins do not list.
    #[error("margin {margin}: sample category {category} is missing from the population totals")]
    UnknownCategory {
        /// Margin index.
        margin: usize,
        /// Category code.
        category: usize,
    },
    /// An iterative procedure stopped before meeting its tolerance.
    #[error("{what} did not converge in {iterations} iterations (max error {max_error:e})")]
    NoConvergence {
        /// Which procedure.
        what: String,
        /// Iterations run.
        iterations: usize,
        /// Remaining error.
        max_error: f64,
    },
    /// A linear system was singular (e.g. collinear calibration variables).
    #[error("singular matrix in {0}")]
    Singular(String),
    /// Invalid argument combination.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Shares that must add up to one (a channel mix) do not, within the tolerance.
    #[error("{what} sum to {sum}, not 1 (tolerance {tolerance})")]
    SharesDoNotSumToOne {
        /// Which shares.
        what: String,
        /// Their sum.
        sum: f64,
        /// Allowed distance from 1.
        tolerance: f64,
    },
    /// A pairwise comparison matrix is not reciprocal: a_ji should be 1 / a_ij (Saaty's AHP).
    #[error("comparison matrix is not reciprocal: entry ({row}, {col}) is {value} but ({col}, {row}) is {mirror}, expected {expected}")]
    NotReciprocal {
        /// Row of the entry (0-based).
        row: usize,
        /// Column of the entry (0-based).
        col: usize,
        /// a_ij.
        value: f64,
        /// a_ji as given.
        mirror: f64,
        /// 1 / a_ij.
        expected: f64,
    },
}

/// Result alias for the crate.
pub type Result<T> = std::result::Result<T, AnalysisError>;
