//! Liveness/readiness and metrics for operators and load balancers.

use actix_web::{http::header, web, HttpRequest, HttpResponse};

use crate::use_cases::health::ping;
use crate::web::error::AppError;
use crate::web::metrics::access_allowed;
use crate::web::AppState;

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let backend = state.db.backend().name();
    match state.db.run(ping).await {
        Ok(()) => {
            HttpResponse::Ok().json(serde_json::json!({ "status": "ok", "database": backend }))
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({ "status": "unavailable", "database": backend }))
        }
    }
}

/// `GET /metrics`: Prometheus text format, for allowed addresses or with the bearer token
/// (`INSIKT_METRICS_ALLOW`, `INSIKT_METRICS_TOKEN`). Anyone else gets the ordinary 404 page, so
/// the endpoint does not even show that it exists.
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let peer = req.peer_addr().map(|a| a.ip());
    if !access_allowed(&state.settings.metrics, peer, authorization) {
        tracing::debug!("metrics refused: address not allowed and no valid token");
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render()))
}
