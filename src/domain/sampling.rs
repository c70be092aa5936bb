//! Sampling plan types shared by fieldwork (which draws a sample and stores its plan) and
//! results (which weights responses by it).

use serde::{Deserialize, Serialize};

/// One stratum of a drawn sample: the allocation table row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratumPlan {
    /// Stratum key (values of the stratification columns joined by ` / `).
    pub stratum: String,
    /// Units in the frame, N_h.
    pub population: usize,
    /// Units drawn, n_h.
    pub sample: usize,
    /// Inclusion probability n_h / N_h.
    pub probability: f64,
}
