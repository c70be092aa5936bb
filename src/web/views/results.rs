//! Results pages of a survey version, one module per page.

pub mod crosstab;
pub mod responses;
pub mod text;
pub mod trend;
