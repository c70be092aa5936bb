//! The one translation mechanism: every user-facing text exists in Swedish (the default) and
//! English at the place it is written, and a [`Lang`] picks one. Views write
//! `lang.t("Svenska", "English")`; use cases and domain errors return a [`Msg`] that carries
//! both, so a missing translation is a compile error and nothing matches on English strings.

use std::borrow::Cow;
use std::fmt;

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

    /// Pick a message's text for this language.
    pub fn pick(self, msg: &Msg) -> &str {
        self.t(&msg.sv, &msg.en)
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
}

/// A user-facing text in both languages, decided where the text is written and picked at the
/// edge by the reader's [`Lang`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    /// The Swedish text.
    pub sv: Cow<'static, str>,
    /// The English text.
    pub en: Cow<'static, str>,
}

impl Msg {
    /// A message from two fixed texts.
    pub const fn fixed(sv: &'static str, en: &'static str) -> Msg {
        Msg {
            sv: Cow::Borrowed(sv),
            en: Cow::Borrowed(en),
        }
    }

    /// A message from two built texts.
    pub fn new(sv: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Msg {
        Msg {
            sv: sv.into(),
            en: en.into(),
        }
    }

    /// The same text in both languages (a name, a number, a quoted value).
    pub fn same(text: impl Into<String>) -> Msg {
        let text: String = text.into();
        Msg::new(text.clone(), text)
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(self)
    }

    /// Both texts with a prefix in front (for example a row and a field).
    pub fn prefixed(self, sv: &str, en: &str) -> Msg {
        Msg::new(format!("{sv}{}", self.sv), format!("{en}{}", self.en))
    }
}

/// English: the log and the command line read English.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_swedish_by_default_and_english_on_request() {
        let m = Msg::fixed("Hej", "Hello");
        assert_eq!(m.get(Lang::default()), "Hej");
        assert_eq!(m.get(Lang::En), "Hello");
        assert_eq!(m.to_string(), "Hello");
        let p = Msg::same("x").prefixed("rad 2: ", "row 2: ");
        assert_eq!((p.sv.as_ref(), p.en.as_ref()), ("rad 2: x", "row 2: x"));
    }

    #[test]
    fn codes_round_trip() {
        for l in [Lang::Sv, Lang::En] {
            assert_eq!(Lang::from_code(l.code()), Some(l));
            assert_eq!(l.other().other(), l);
        }
        assert_eq!(Lang::from_code(" EN "), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
    }
}
