//! Account administration and the audit log (admins only).

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::user::Role;
use crate::use_cases::accounts::{self, AccountError, NewAccount, NewAccountInput};
use crate::web::access::{AdminOnly, Authorized};
use crate::web::error::AppError;
use crate::web::forms::{CsrfForm, PageCtx, Who};
use crate::web::i18n::Lang;
use crate::web::views::admin::{self as view, Flash, NewUserDraft};
use crate::web::AppState;

/// Body of `POST /admin/users`.
#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
    #[serde(default)]
    password: String,
}

/// Body of `POST /admin/users/{id}/role`.
#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// Query of `GET /admin/audit`.
#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
}

impl NewUserForm {
    fn input(&self) -> NewAccountInput<'_> {
        NewAccountInput {
            username: &self.username,
            display_name: &self.display_name,
            role: &self.role,
            password: Some(self.password.as_str()),
        }
    }

    /// What the form held, to show again beside its errors (never the password).
    fn draft(self) -> NewUserDraft {
        NewUserDraft {
            username: self.username,
            display_name: self.display_name,
            role: self.role,
        }
    }
}

/// `GET /admin/users`
pub async fn list_users(
    _auth: Authorized<AdminOnly>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    users_page(&state, &ctx, &NewUserDraft::default(), None, &Flash::None).await
}

/// `POST /admin/users`
pub async fn create_user(
    auth: Authorized<AdminOnly>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    let (who, params) = (Who::of(&auth, &req), state.settings.argon2);
    let created = match NewAccount::parse(&form.input()) {
        Ok(account) => state
            .db
            .run(move |c| Ok(accounts::create_new(c, params, who.actor(), account)))
            .await?
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match created {
        Ok(created) => {
            let flash = Flash::from(created);
            users_page(&state, &ctx, &NewUserDraft::default(), None, &flash).await
        }
        Err(errors) => users_page(&state, &ctx, &form.draft(), Some(errors), &Flash::None).await,
    }
}

/// The user list with the add form: 200, or 422 when the form is shown again with its errors.
async fn users_page(
    state: &AppState,
    ctx: &PageCtx,
    draft: &NewUserDraft,
    errors: Option<Vec<AccountError>>,
    flash: &Flash,
) -> Result<HttpResponse, AppError> {
    let users = state.run(accounts::list).await?;
    let Some(errors) = errors else {
        return Ok(html(view::users(ctx, &users, draft, &[], flash)));
    };
    let messages = field_messages(ctx.lang, errors)?;
    Ok(HttpResponse::UnprocessableEntity()
        .content_type("text/html; charset=utf-8")
        .body(view::users(ctx, &users, draft, &messages, flash).into_string()))
}

/// `POST /admin/users/{id}/role`
pub async fn change_role(
    auth: Authorized<AdminOnly>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let role = Role::parse(&form.role).map_err(|e| AppError::BadRequest(e.message()))?;
    let (id, who) = (path.into_inner(), Who::of(&auth, &req));
    state
        .run(move |c| accounts::change_role(c, who.actor(), &id, role))
        .await?;
    Ok(back_to_users())
}

/// `POST /admin/users/{id}/disable` and `/enable`
pub async fn set_disabled(
    auth: Authorized<AdminOnly>,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    _form: CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, AppError> {
    let (id, verb) = path.into_inner();
    let disabled = match verb.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::NotFound),
    };
    let who = Who::of(&auth, &req);
    state
        .run(move |c| accounts::set_disabled(c, who.actor(), &id, disabled))
        .await?;
    Ok(back_to_users())
}

/// `GET /admin/audit`
pub async fn show_audit(
    _auth: Authorized<AdminOnly>,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    const PAGE: i64 = 100;
    let before = query.before;
    let page = state
        .run(move |c| accounts::audit_log(c, before, PAGE))
        .await?;
    Ok(html(view::audit(&ctx, &page.events, page.older)))
}

fn back_to_users() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/users"))
        .finish()
}

/// Form errors as (field, message) pairs in the page language; anything that is not a form
/// error is a real failure.
fn field_messages(
    lang: Lang,
    errors: Vec<AccountError>,
) -> Result<Vec<(&'static str, String)>, AppError> {
    errors
        .into_iter()
        .map(|e| match (&e, e.message()) {
            (AccountError::Invalid { field, .. }, Some(m)) => Ok((*field, m.get(lang).to_owned())),
            (AccountError::Taken(_), Some(m)) => Ok(("username", m.get(lang).to_owned())),
            _ => Err(AppError::from(e)),
        })
        .collect()
}
