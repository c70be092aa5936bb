//! The ranked backlog for management (issue 14 items 3–6): `/backlog`, an area's evidence page and
//! the printable report; published snapshots (publish, show, compare, export). Managers, researchers, analysts and admins (`ResultReaders`) read them;
//! interviewers get 403 and visitors the login page.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::lang::Msg;
use crate::use_cases::backlog::catalogue::Kind;
use crate::use_cases::backlog::ranking::{self, RankedBacklog, RankingSettings};
use crate::use_cases::backlog::snapshots;
use crate::web::access::{Authorized, Designers, Policy, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::backlog_rank as view;
use crate::web::AppState;

async fn ranked(state: &web::Data<AppState>) -> Result<RankedBacklog, AppError> {
    let cache = state.results.clone();
    state
        .run(move |c| ranking::rank(c, &cache, &RankingSettings::default()))
        .await
}

/// `GET /backlog`.
pub async fn show(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    Ok(html(view::ranked(
        &ctx,
        &r,
        Designers::allows(auth.user.role),
    )))
}

/// `GET /backlog/report`.
pub async fn report(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    Ok(html(view::report(&ctx, &r)))
}

/// `GET /backlog/areas/{key}/evidence`.
pub async fn evidence(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let r = ranked(&state).await?;
    let area = r
        .areas
        .iter()
        .find(|a| a.key == *key)
        .ok_or(AppError::NotFound)?;
    Ok(html(view::evidence(&ctx, &r, area)))
}

/// The publish form: criteria weights and the SEK per e-service contact; an empty field keeps the
/// default.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    /// Weight of need.
    pub w_need: String,
    /// Weight of reach.
    pub w_reach: String,
    /// Weight of benefit.
    pub w_benefit: String,
    /// Weight of cost.
    pub w_cost: String,
    /// Weight of feasibility.
    pub w_feasibility: String,
    /// Weight of equity.
    pub w_equity: String,
    /// SEK per e-service contact.
    pub sek_per_eservice_contact: String,
}

fn number(field: &str, raw: &str, default: f64) -> Result<f64, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    raw.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or_else(|| {
            AppError::BadRequest(Msg::new(
                format!("{field}: '{raw}' är inget icke-negativt tal."),
                format!("{field}: '{raw}' is not a non-negative number."),
            ))
        })
}

impl PublishForm {
    fn settings(&self) -> Result<RankingSettings, AppError> {
        let d = RankingSettings::default();
        let fields = [
            &self.w_need,
            &self.w_reach,
            &self.w_benefit,
            &self.w_cost,
            &self.w_feasibility,
            &self.w_equity,
        ];
        let mut weights = d.weights;
        for (i, raw) in fields.iter().enumerate() {
            weights[i] = number(ranking::CRITERIA[i].0, raw, d.weights[i])?;
        }
        Ok(RankingSettings {
            weights,
            sek_per_eservice_contact: number(
                "sek_per_eservice_contact",
                &self.sek_per_eservice_contact,
                d.sek_per_eservice_contact,
            )?,
            ..d
        })
    }
}

/// `POST /backlog/publish`: freeze the ranking as a snapshot (researchers and admins).
pub async fn publish(
    auth: Authorized<Designers>,
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<HttpResponse, AppError> {
    let settings = form.settings()?;
    let who = Who::of(&auth, &req);
    let cache = state.results.clone();
    let id = state
        .run(move |c| snapshots::publish(c, &cache, who.actor(), &settings))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/backlog/snapshots/{id}")))
        .finish())
}

/// `GET /backlog/snapshots`: the published snapshots, the compare form and the publish form.
pub async fn list_snapshots(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let list = state.run(snapshots::list).await?;
    Ok(html(view::snapshots(
        &ctx,
        &list,
        Designers::allows(auth.user.role),
    )))
}

/// `GET /backlog/snapshots/{id}`.
pub async fn show_snapshot(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let snap = state
        .run(move |c| snapshots::get(c, &id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(html(view::snapshot(&ctx, &snap)))
}

/// The two snapshots to compare.
#[derive(Debug, Deserialize)]
pub struct ComparePair {
    /// The older.
    pub a: String,
    /// The newer.
    pub b: String,
}

/// `GET /backlog/snapshots/compare?a=…&b=…`.
pub async fn compare_snapshots(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    pair: web::Query<ComparePair>,
) -> Result<HttpResponse, AppError> {
    let ComparePair { a, b } = pair.into_inner();
    let (old, new) = state
        .run(move |c| {
            Ok::<_, ranking::RankingError>((snapshots::get(c, &a)?, snapshots::get(c, &b)?))
        })
        .await?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(AppError::NotFound);
    };
    let cmp = snapshots::compare(&old.ranked, &new.ranked);
    Ok(html(view::comparison(&ctx, &old, &new, &cmp)))
}

/// `GET /backlog/snapshots/{id}/export/{csv|xlsx}`, audited.
pub async fn export_snapshot(
    auth: Authorized<ResultReaders>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, ext) = path.into_inner();
    let kind = Kind::of(&ext).ok_or(AppError::NotFound)?;
    let who = Who::of(&auth, &req);
    let bytes = state
        .run(move |c| snapshots::export(c, who.actor(), &id, kind))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(kind.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"backlog-snapshot.{}\"", kind.ext()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
