//! Survey statistics.
