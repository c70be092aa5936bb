//! Account administration and the audit log (admins only).

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::home::html;
use crate::domain::user::{Role, User};
use crate::storage;
use crate::use_cases::accounts::{self, AccountError, NewAccount, NewAccountInput};
use crate::use_cases::Actor;
use crate::web::access::{AdminOnly, Authorized};
use crate::web::error::AppError;
use crate::web::forms::{client_ip, CsrfForm, PageCtx};
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

/// `GET /admin/users`
pub async fn list_users(
    _auth: Authorized<AdminOnly>,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let users = state.db.run(storage::users::list_users).await?;
    Ok(html(view::users(
        &ctx,
        &users,
        &NewUserDraft::default(),
        &[],
        &Flash::None,
    )))
}

/// `POST /admin/users`
pub async fn create_user(
    auth: Authorized<AdminOnly>,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<HttpResponse, AppError> {
    let input = NewAccountInput {
        username: &form.username,
        display_name: &form.display_name,
        role: &form.role,
        password: Some(form.password.as_str()),
    };
    let result = match NewAccount::parse(&input) {
        Ok(account) => {
            let (params, ip, actor) = (state.settings.argon2, client_ip(&req), auth.user.clone());
            state
                .db
                .run(move |c| {
                    let actor = actor_of(&actor, &ip);
                    let created = accounts::create(c, params, actor, &account);
                    Ok(created.map(|u| (u, account.generated_password().map(str::to_owned))))
                })
                .await?
                .map_err(|e| vec![e])
        }
        Err(errors) => Err(errors),
    };
    let users = state.db.run(storage::users::list_users).await?;
    match result {
        Ok((user, generated_password)) => {
            let flash = Flash::Created {
                username: user.username,
                generated_password,
            };
            Ok(html(view::users(
                &ctx,
                &users,
                &NewUserDraft::default(),
                &[],
                &flash,
            )))
        }
        Err(errors) => {
            let draft = NewUserDraft {
                username: form.username,
                display_name: form.display_name,
                role: form.role,
            };
            let messages = field_messages(ctx.lang, errors)?;
            let body = view::users(&ctx, &users, &draft, &messages, &Flash::None);
            Ok(HttpResponse::UnprocessableEntity()
                .content_type("text/html; charset=utf-8")
                .body(body.into_string()))
        }
    }
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
    let (id, ip, actor) = (path.into_inner(), client_ip(&req), auth.user);
    state
        .db
        .run(move |c| Ok(accounts::change_role(c, actor_of(&actor, &ip), &id, role)))
        .await?
        .map_err(AppError::from)?;
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
    let (ip, actor) = (client_ip(&req), auth.user);
    state
        .db
        .run(move |c| {
            Ok(accounts::set_disabled(
                c,
                actor_of(&actor, &ip),
                &id,
                disabled,
            ))
        })
        .await?
        .map_err(AppError::from)?;
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
    let events = state
        .db
        .run(move |c| storage::audit::list_events(c, before, PAGE))
        .await?;
    let older = (events.len() as i64 == PAGE)
        .then(|| events.last().map(|e| e.id))
        .flatten();
    Ok(html(view::audit(&ctx, &events, older)))
}

fn actor_of<'a>(user: &'a User, ip: &'a str) -> Actor<'a> {
    Actor {
        id: Some(&user.id),
        name: &user.username,
        ip: Some(ip),
    }
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
