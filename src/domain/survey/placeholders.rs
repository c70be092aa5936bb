//! Piped labels on staff pages: a label such as `Du valde: ${contact_ways}.` quotes a
//! respondent's earlier answer, but results pages describe many respondents at once, so each
//! `${key}` reads "(svaret på ”Hur vill du helst kontakta staden?”)" instead of raw syntax.

use super::{Survey, Text};
use crate::domain::lang::{Lang, Msg};

/// `text` (in `lang`) with every `${key}` replaced by "(svaret på ”…”)" / "(the answer to “…”)"
/// naming the referenced question by its label in `lang` (its key when the survey has no such
/// question or the label is blank). A reference inside the referenced label is shortened to "…"
/// rather than expanded again, so the text stays one readable sentence.
pub fn readable(survey: &Survey, text: &str, lang: Lang) -> String {
    replace(text, |key| {
        let label = survey
            .question(key)
            .map(|q| q.label.get_or(lang.code(), &survey.default_language))
            .filter(|l| !l.trim().is_empty());
        let name = match label {
            Some(l) => replace(l.trim(), |_| "…".to_owned()),
            None => key.to_owned(),
        };
        match lang {
            Lang::Sv => format!("(svaret på ”{name}”)"),
            Lang::En => format!("(the answer to “{name}”)"),
        }
    })
}

/// A question's (or option's) label in Swedish and English, each [`readable`].
pub fn label(survey: &Survey, text: &Text) -> Msg {
    Msg::new(
        readable(survey, text.get_or("sv", "en"), Lang::Sv),
        readable(survey, text.get_or("en", "sv"), Lang::En),
    )
}

/// `text` with each `${key}` replaced by `with(key)`; an unterminated `${` is kept as it is.
fn replace(text: &str, with: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&with(after[..end].trim()));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> Survey {
        let toml = r#"
key = "k"
version = 1
languages = ["sv", "en"]
title = { sv = "T", en = "T" }
[choice_lists]
c = [ { value = "phone", label = { sv = "Telefon", en = "Phone" } } ]
[[pages]]
key = "p"
[[pages.questions]]
key = "ways"
type = "multiple_choice"
list = "c"
label = { sv = "Hur vill du kontakta oss?", en = "How would you contact us?" }
[[pages.questions]]
key = "first"
type = "single_choice"
list = "c"
label = { sv = "Du valde: ${ways}. Vilket helst?", en = "You chose: ${ ways }. Which most?" }
[[pages.questions]]
key = "again"
type = "short_text"
label = { sv = "Om ${first}: varför?", en = "About ${first}: why?" }
"#;
        toml::from_str(toml).expect("the test survey parses")
    }

    fn label_of(s: &Survey, key: &str) -> Text {
        s.question(key).unwrap().label.clone()
    }

    #[test]
    fn a_piped_label_names_the_quoted_question_in_each_language() {
        let s = survey();
        let m = label(&s, &label_of(&s, "first"));
        assert_eq!(
            m.get(Lang::Sv),
            "Du valde: (svaret på ”Hur vill du kontakta oss?”). Vilket helst?"
        );
        assert_eq!(
            m.get(Lang::En),
            "You chose: (the answer to “How would you contact us?”). Which most?"
        );
    }

    #[test]
    fn a_reference_inside_the_quoted_label_is_shortened_not_expanded() {
        let s = survey();
        let sv = readable(
            &s,
            s.question("again").unwrap().label.get_or("sv", "en"),
            Lang::Sv,
        );
        assert_eq!(sv, "Om (svaret på ”Du valde: …. Vilket helst?”): varför?");
        assert!(!sv.contains("${"));
    }

    #[test]
    fn an_unknown_key_is_named_by_the_key_and_plain_text_is_unchanged() {
        let s = survey();
        assert_eq!(
            readable(&s, "Om ${gone} och ${ways", Lang::En),
            "Om (the answer to “gone”) och ${ways"
        );
        assert_eq!(readable(&s, "Inga referenser", Lang::Sv), "Inga referenser");
    }
}
