//! Who is asking, and may they? One extractor, [`Authorized`], decides access for every staff
//! page from a policy type, so there are no role `if`s scattered through handlers.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};

use crate::auth::session;
use crate::domain::user::{Role, User};
use crate::web::{error::AppError, AppState};

/// Which roles a page admits.
pub trait Policy: 'static {
    /// Whether `role` may pass.
    fn allows(role: Role) -> bool;
}

/// Account administration and the audit log.
pub struct AdminOnly;
impl Policy for AdminOnly {
    fn allows(role: Role) -> bool {
        role == Role::Admin
    }
}

/// Any logged-in staff member.
pub struct AnyStaff;
impl Policy for AnyStaff {
    fn allows(_: Role) -> bool {
        true
    }
}

/// Designing questionnaires, samples and fieldwork.
pub struct Designers;
impl Policy for Designers {
    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Researcher)
    }
}

/// Reading results and analyses.
pub struct ResultReaders;
impl Policy for ResultReaders {
    fn allows(role: Role) -> bool {
        matches!(
            role,
            Role::Admin | Role::Researcher | Role::Analyst | Role::Manager
        )
    }
}

/// Entering phone and paper answers.
pub struct Interviewers;
impl Policy for Interviewers {
    fn allows(role: Role) -> bool {
        matches!(role, Role::Admin | Role::Researcher | Role::Interviewer)
    }
}

/// A logged-in user whose role passes `P`. Anonymous visitors are sent to the login page;
/// logged-in users without the role get 403.
pub struct Authorized<P: Policy> {
    /// The account.
    pub user: User,
    _policy: PhantomData<P>,
}

/// The logged-in user, if any (public pages that greet staff differently).
pub struct MaybeUser(pub Option<User>);

/// Cached per request so that several extractors cost one lookup.
#[derive(Clone)]
struct Resolved(Option<User>);

/// Look up (once per request) the user behind the session cookie.
pub async fn current_user(req: &HttpRequest) -> Result<Option<User>, AppError> {
    if let Some(Resolved(user)) = req.extensions().get::<Resolved>() {
        return Ok(user.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::unexpected("application state missing"))?;
    let user = match req.cookie(state.cookies.session) {
        Some(cookie) if !cookie.value().is_empty() => {
            let id = cookie.value().to_owned();
            state.db.run(move |c| session::find_user(c, &id)).await?
        }
        _ => None,
    };
    req.extensions_mut().insert(Resolved(user.clone()));
    Ok(user)
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl<P: Policy> FromRequest for Authorized<P> {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match current_user(&req).await? {
                None => Err(AppError::LoginRequired {
                    next: req
                        .uri()
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "/".into()),
                }),
                Some(user) if !P::allows(user.role) => Err(AppError::Forbidden),
                Some(user) => Ok(Authorized {
                    user,
                    _policy: PhantomData,
                }),
            }
        })
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalFuture<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(current_user(&req).await?)) })
    }
}
