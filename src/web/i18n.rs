//! The language of a request (`?lang=`, then the cookie, then Swedish). The languages and
//! the translation mechanism itself live in `domain::lang`.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

/// Query parameter that switches the language.
pub const QUERY_PARAM: &str = "lang";
/// Cookie that remembers the choice (a preference, not server state).
pub const COOKIE: &str = "insikt_lang";

pub use crate::domain::lang::Lang;

/// The request side of [`Lang`].
impl Lang {
    /// The language of a request: `?lang=` first, then the cookie, then Swedish.
    pub fn of(req: &HttpRequest) -> Lang {
        if let Some(lang) = req.extensions().get::<Lang>() {
            return *lang;
        }
        let from_query = req.query_string().split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == QUERY_PARAM).then(|| Lang::from_code(v)).flatten()
        });
        from_query
            .or_else(|| req.cookie(COOKIE).and_then(|c| Lang::from_code(c.value())))
            .unwrap_or_default()
    }
}

impl FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = Ready<Result<Lang, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of(req)))
    }
}
