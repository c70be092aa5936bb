//! Languages of the user interface. Swedish is the default; every text exists in both
//! languages at the place it is used (`lang.t("Svenska", "English")`), so a missing
//! translation is a compile error rather than a runtime gap.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, FromRequest, HttpMessage, HttpRequest};

/// Query parameter that switches the language.
pub const QUERY_PARAM: &str = "lang";
/// Cookie that remembers the choice (a preference, not server state).
pub const COOKIE: &str = "insikt_lang";

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Swedish, the default.
    #[default]
    Sv,
    /// English.
    En,
}

impl Lang {
    /// BCP 47 code for the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Parse a code.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Pick the text for this language.
    pub fn t<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }

    /// The language a switch link offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }

    /// The language's name in itself, for the switch link.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::Sv => "Svenska",
            Lang::En => "English",
        }
    }

    /// Whether this is Swedish.
    pub fn is_sv(self) -> bool {
        self == Lang::Sv
    }

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
