//! Results pages of a survey version (`/results/{key}/{version}/…`), one module per page.

pub mod crosstab;
pub mod dataset;
pub mod responses;
pub mod text;
pub mod trend;
