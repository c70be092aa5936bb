//! Static assets compiled into the binary (no CDN, nothing to deploy beside the binary).

use actix_web::{http::header, HttpResponse};

const APP_CSS: &str = include_str!("../assets/app.css");

/// `GET /static/app.css`
pub async fn app_css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(APP_CSS)
}
