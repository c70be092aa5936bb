//! The ranked backlog for management (issue 14 items 3–6): `/backlog`, an area's evidence page and
//! the printable report; published snapshots (publish, show, compare, export). Managers, researchers, analysts and admins (`ResultReaders`) read them;
//! interviewers get 403 and visitors the login page.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::lang::Msg;
use crate::use_cases::backlog::catalogue::Kind;
use crate::use_cases::backlog::presets::{self, BacklogIndex, Opening};
use crate::use_cases::backlog::ranking::{self, RankingSettings};
use crate::use_cases::backlog::snapshots;
use crate::web::access::{Authorized, Designers, Policy, ResultReaders};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::views::backlog_presets as preset_view;
use crate::web::views::backlog_rank as view;
use crate::web::AppState;

/// What `/backlog`, its report and evidence pages were asked for: `?preset=<id>` (or `?live=1`
/// for the default preset) ranks now; without either the latest published snapshot is shown.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenQuery {
    /// Preset id (empty: the default).
    pub preset: String,
    /// Any value: a live ranking.
    pub live: String,
}

impl OpenQuery {
    fn opening(&self) -> Opening {
        let preset = Some(self.preset.trim().to_owned()).filter(|p| !p.is_empty());
        Opening {
            live: preset.is_some() || !self.live.is_empty(),
            preset,
        }
    }
}

async fn opened(state: &web::Data<AppState>, q: &OpenQuery) -> Result<BacklogIndex, AppError> {
    let cache = state.results.clone();
    let opening = q.opening();
    state.run(move |c| presets::open(c, &cache, &opening)).await
}

/// `GET /backlog`: the latest published snapshot as stored, or a live ranking with a preset.
pub async fn show(
    auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<OpenQuery>,
) -> Result<HttpResponse, AppError> {
    let index = opened(&state, &q).await?;
    let bottom = if Designers::allows(auth.user.role) {
        preset_view::publish_form(&ctx, &index)
    } else {
        maud::html! {}
    };
    let top = preset_view::index_header(&ctx, &index);
    Ok(html(view::ranked(&ctx, index.shown.ranked(), top, bottom)))
}

/// `GET /backlog/report`: the same ranking as `/backlog` on one printable page.
pub async fn report(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    q: web::Query<OpenQuery>,
) -> Result<HttpResponse, AppError> {
    let index = opened(&state, &q).await?;
    Ok(html(view::report(&ctx, index.shown.ranked())))
}

/// `GET /backlog/areas/{key}/evidence`: an area of the ranking `/backlog` shows.
pub async fn evidence(
    _auth: Authorized<ResultReaders>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    key: web::Path<String>,
    q: web::Query<OpenQuery>,
) -> Result<HttpResponse, AppError> {
    let index = opened(&state, &q).await?;
    let r = index.shown.ranked();
    let area = r
        .areas
        .iter()
        .find(|a| a.key == *key)
        .ok_or(AppError::NotFound)?;
    Ok(html(view::evidence(&ctx, r, area)))
}

/// The publish form: a preset (empty: the default) and the SEK per e-service contact; an empty
/// field keeps the default. Typed criteria weights (`w_need` …, no preset) are still accepted from
/// scripts and publish with no preset name.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    /// Preset id.
    pub preset: String,
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
    fn typed_weights(&self) -> bool {
        [
            &self.w_need,
            &self.w_reach,
            &self.w_benefit,
            &self.w_cost,
            &self.w_feasibility,
            &self.w_equity,
        ]
        .iter()
        .any(|w| !w.trim().is_empty())
    }

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
    let who = Who::of(&auth, &req);
    let cache = state.results.clone();
    let id = if form.preset.trim().is_empty() && form.typed_weights() {
        let settings = form.settings()?;
        state
            .run(move |c| snapshots::publish(c, &cache, who.actor(), &settings))
            .await?
    } else {
        let d = RankingSettings::default().sek_per_eservice_contact;
        let sek = number(
            "sek_per_eservice_contact",
            &form.sek_per_eservice_contact,
            d,
        )?;
        let preset = Some(form.preset.trim().to_owned()).filter(|p| !p.is_empty());
        state
            .run(move |c| presets::publish(c, &cache, who.actor(), preset.as_deref(), Some(sek)))
            .await?
    };
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
