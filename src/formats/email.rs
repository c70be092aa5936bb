//! The body of an invitation or reminder e-mail: the paragraphs the mail use case composes, as
//! the HTML alternative. maud escapes every value, so a survey title or contact text cannot
//! inject markup; the structure is fixed.

use maud::html;

/// Paragraphs of the message, shared by the text and HTML forms.
pub struct Paragraphs {
    /// "Hej!" / "Hello,".
    pub greeting: String,
    /// What the survey is, for whom, how long it takes, until when.
    pub intro: Vec<String>,
    /// The sentence before the link.
    pub link_lead: String,
    /// The survey link with the code.
    pub link: String,
    /// The sentence before the access code.
    pub code_lead: String,
    /// The access code.
    pub code: String,
    /// Whom to contact instead, if the survey says.
    pub contact: Option<String>,
    /// The sentence before the opt-out link.
    pub opt_out_lead: String,
    /// The opt-out link.
    pub opt_out_url: String,
}

/// The HTML alternative in the language `lang` (a BCP 47 code).
pub fn html_body(p: &Paragraphs, lang: &str) -> String {
    html! {
        (maud::DOCTYPE)
        html lang=(lang) {
            head { meta charset="utf-8"; }
            body {
                p { (p.greeting) }
                @for para in &p.intro { p { (para) } }
                p { (p.link_lead) br; a href=(p.link) { (p.link) } }
                p { (p.code_lead) " " strong { (p.code) } }
                @if let Some(c) = &p.contact { p { (c) } }
                hr;
                p { small { (p.opt_out_lead) " " a href=(p.opt_out_url) { (p.opt_out_url) } } }
            }
        }
    }
    .into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_in_the_html_body_is_escaped() {
        let p = Paragraphs {
            greeting: "Hej <b>".into(),
            intro: vec!["a & b".into()],
            link_lead: "Länk".into(),
            link: "https://x/s/k?code=\"><script>".into(),
            code_lead: "Kod".into(),
            code: "ABCD".into(),
            contact: Some("<i>ring</i>".into()),
            opt_out_lead: "Avsluta".into(),
            opt_out_url: "https://x/optout/t".into(),
        };
        let html = html_body(&p, "sv");
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"sv\">"),
            "{html}"
        );
        for raw in ["<b>", "<script>", "<i>", "a & b"] {
            assert!(!html.contains(raw), "{raw} unescaped: {html}");
        }
        assert!(html.contains("Hej &lt;b&gt;"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
    }
}
