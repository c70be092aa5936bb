//! The printable invitation letters as one HTML document (one A4 page per letter, QR codes as
//! inline SVG), shared by the fieldwork page and `insikt invitations letters`. Written with
//! maud, which escapes everything, so no letter text can break out of the page.

use maud::{html, Markup, DOCTYPE};

use crate::domain::lang::Lang;
use crate::domain::local_time::{self, Zone};
use crate::domain::options::SurveyOptions;
use crate::domain::survey::Text;

/// A QR code as an SVG path of its dark modules (runs per row), drawn with maud by [`document`] so
/// nothing unescaped reaches the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side, without the quiet zone.
    pub size: usize,
    /// SVG path data, one `M x y h w v 1 h -w z` per run of dark modules.
    pub path: String,
}

/// Encode `text` as a QR code (error correction M: survives a smudged print).
pub fn qr(text: &str) -> Option<Qr> {
    use std::fmt::Write as _;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let size = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if colors[y * size + x] == qrcode::Color::Dark {
                let start = x;
                while x < size && colors[y * size + x] == qrcode::Color::Dark {
                    x += 1;
                }
                let w = x - start;
                let _ = write!(path, "M{start} {y}h{w}v1h-{w}z");
            } else {
                x += 1;
            }
        }
    }
    Some(Qr { size, path })
}

/// Everything the letters page says about the survey.
#[derive(Debug, Clone)]
pub struct LetterSurvey {
    /// Survey key.
    pub key: String,
    /// Title per language.
    pub title: Text,
    /// Operational options (purpose, controller, contact, closing date).
    pub options: SurveyOptions,
    /// The survey's public address, e.g. `https://enkat.example.se/s/parking`.
    pub url: String,
    /// The zone the closing date is given in (the instance's local time).
    pub zone: Zone,
}

/// One printed letter.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Name on the envelope window.
    pub name: Option<String>,
    /// Address lines.
    pub address: Vec<String>,
    /// `sv` or `en`.
    pub language: String,
    /// Access code, as typed.
    pub code: String,
    /// The link the QR code holds.
    pub link: String,
    /// The QR code.
    pub qr: Option<Qr>,
    /// Whether the unit was drawn in a random sample (the letter says why they were chosen).
    pub sampled: bool,
}

/// The letters of a survey (or one sample): every invitation that has a postal address or no
/// e-mail address, in creation order.
pub struct Letters {
    /// The survey.
    pub survey: LetterSurvey,
    /// One per invited unit.
    pub letters: Vec<Letter>,
}

fn title_in(l: Lang, t: &Text) -> &str {
    t.get_or(l.code(), "sv")
}

/// A QR code as inline SVG: a path of dark modules on a white square with a quiet zone, named
/// for screen readers. No `style` attribute (the CSP forbids them): size comes from the CSS.
pub fn qr_svg(qr: &Qr, label: &str) -> Markup {
    let side = qr.size + 8;
    html! {
        svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox={ "-4 -4 " (side) " " (side) }
            role="img" aria-label=(label) shape-rendering="crispEdges" {
            title { (label) }
            rect x="-4" y="-4" width=(side) height=(side) fill="#fff" {}
            path d=(qr.path) fill="#000" {}
        }
    }
}

/// The last day one can answer, in local time: a survey closing at local midnight closes at
/// the end of the day before.
fn last_day(l: Lang, zone: &Zone, closes: time::OffsetDateTime) -> String {
    local_time::display_date(closes - time::Duration::SECOND, zone, l)
}

/// The sender line above the recipient: the controller's postal address only. The controller
/// text usually goes on with more sentences ("… 105 35 Stockholm. Dataskyddsombud: …"), which
/// belong in the privacy paragraph, not in a return address; so it is the first line, cut at
/// the first full stop that ends a sentence (followed by a capital, and not after a short
/// abbreviation such as "St."), without that full stop.
fn return_address(controller: &str) -> &str {
    let first = controller.lines().next().unwrap_or_default().trim();
    let ends_sentence = |i: usize| {
        let word = first[..i].rsplit(char::is_whitespace).next().unwrap_or("");
        let abbreviation = word.chars().count() <= 3 && word.chars().all(char::is_alphabetic);
        let capital = first[i + 2..]
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        capital && !abbreviation
    };
    let cut = first
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| ends_sentence(i))
        .map_or(first, |i| &first[..i]);
    cut.trim_end_matches('.').trim_end()
}

/// `text` as one sentence: a full stop added only when it does not already end in one (a
/// controller text ending in an e-mail address and a full stop must not get a second).
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

fn letter(batch: &Letters, x: &Letter) -> Markup {
    let l = Lang::from_code(&x.language).unwrap_or_default();
    let s = &batch.survey;
    let o = &s.options;
    let title = title_in(l, &s.title);
    let pick = |t: &Text| t.get_or(l.code(), "sv").to_owned();
    let controller = pick(&o.privacy.controller);
    let purpose = pick(&o.privacy.purpose);
    let contact = pick(&o.contact);
    html! {
        article class="letter" lang=(l.code()) {
            div class="letter-head" {
                @let sender = return_address(&controller);
                @if !sender.is_empty() { p class="letter-sender" { (sender) } }
                address class="letter-recipient" aria-label=(l.t("Mottagare", "Recipient")) {
                    @if let Some(n) = &x.name { (n) br; }
                    @for line in &x.address { (line) br; }
                }
            }
            h2 class="letter-title" { (title) }
            p { (l.t("Hej!", "Hello,")) }
            @if x.sampled {
                p { (l.t(
                    "Du har valts ut genom ett slumpmässigt urval för att svara på den här undersökningen. Dina svar hjälper oss att förstå hur många tycker och tänker – också de som sällan hörs.",
                    "You have been chosen by random sampling to take part in this survey. Your answers help us understand what many people think – including those who are seldom heard."
                )) }
            } @else {
                p { (l.t("Vi vill gärna höra vad du tycker.", "We would like to hear what you think.")) }
            }
            @if !purpose.is_empty() { p { (purpose) } }
            p { (l.t(
                "Det är frivilligt att svara och du kan avbryta när du vill.",
                "Taking part is voluntary and you can stop at any time."
            )) }
            @if o.anonymous {
                p { (l.t(
                    "Undersökningen är anonym: koden nedan används bara för att ingen ska kunna svara två gånger, och den kopplas aldrig till dina svar.",
                    "The survey is anonymous: the code below only makes sure nobody answers twice, and it is never linked to your answers."
                )) }
            }
            div class="letter-answer" {
                div class="letter-steps" {
                    h3 { (l.t("Så svarar du", "How to answer")) }
                    p { (l.t("Gå till", "Go to")) br; strong class="letter-url" { (s.url) } }
                    p { (l.t("och skriv in din kod:", "and enter your code:")) }
                    p class="letter-code" { (x.code) }
                    p { (l.t("Du kan också skanna QR-koden med mobilens kamera.", "You can also scan the QR code with your phone's camera.")) }
                }
                @if let Some(q) = &x.qr {
                    (qr_svg(q, &format!("{} {}", l.t("QR-kod med länk till enkäten och din kod", "QR code linking to the survey with your code"), x.code)))
                }
            }
            @if let Some(closes) = o.closes_at {
                p class="letter-deadline" { strong { (l.t("Svara senast ", "Please answer by ")) (last_day(l, &s.zone, closes)) "." } }
            }
            // The contact text is the survey's own words ("Vill du hellre svara per telefon eller
            // brev? Ring …"), so it stands under a heading rather than after a lead-in that says
            // the same thing again.
            @if !contact.is_empty() {
                h3 class="letter-contact-heading" { (l.t("Andra sätt att svara och hjälp", "Other ways to answer, and help")) }
                p class="letter-contact" { (contact) }
            }
            @if !controller.is_empty() {
                p class="letter-privacy" {
                    (l.t("Personuppgiftsansvarig: ", "Data controller: ")) (sentence(&controller)) " "
                    (l.t(
                        "Dina uppgifter behandlas enligt dataskyddsförordningen (GDPR). Mer om hur vi hanterar dina svar står på enkätens första sida.",
                        "Your data is processed under the General Data Protection Regulation (GDPR). More on how we handle your answers is on the survey's first page."
                    ))
                }
            }
            p { (l.t("Tack för din medverkan!", "Thank you for taking part!")) }
        }
    }
}

/// The printable letters: a standalone document, one A4 page per letter (see the print section
/// of app.css). `lang` is the staff member's language for the page around the letters; each
/// letter is in its invitation's language. `staff` adds the on-screen hint (never printed).
/// The title of the letters document, e.g. `Brev – Trygghet i staden`.
pub fn title(lang: Lang, batch: &Letters) -> String {
    format!(
        "{} – {}",
        lang.t("Brev", "Letters"),
        title_in(lang, &batch.survey.title)
    )
}

/// The printable letters: a standalone HTML document, one A4 page per letter (see the print
/// section of app.css). `lang` is the reader's language for the page around the letters; each
/// letter is in its invitation's language. `hint` is shown above the letters on screen (the web
/// page's print instructions); without one the title is only there for screen readers.
pub fn document(lang: Lang, batch: &Letters, stylesheet: &str, hint: Option<Markup>) -> Markup {
    let l = lang;
    let title = title(l, batch);
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Insikt" }
                link rel="stylesheet" href=(stylesheet);
            }
            body class="letters-body" {
                main id="main" {
                    @if let Some(hint) = hint {
                        (hint)
                    } @else {
                        h1 class="visually-hidden" { (title) }
                    }
                    @if batch.letters.is_empty() {
                        p { (l.t(
                            "Det finns inga inbjudningar med postadress eller utan e-postadress.",
                            "There are no invitations with a postal address or without an e-mail address."
                        )) }
                    }
                    @for x in &batch.letters { (letter(batch, x)) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLLER: &str = "Stadsledningskontoret, Stockholms stad, 105 35 Stockholm. Dataskyddsombud: dataskyddsombud@example.se.";
    const CONTACT: &str =
        "Vill du hellre svara per telefon eller brev? Ring 08-508 00 000 (vardagar 8–17).";

    /// One Swedish letter with the demo survey's controller and contact texts.
    fn rendered() -> String {
        let mut options = SurveyOptions::default();
        options.privacy.controller = Text::new([("sv", CONTROLLER)]);
        options.contact = Text::new([("sv", CONTACT)]);
        let batch = Letters {
            survey: LetterSurvey {
                key: "k".into(),
                title: Text::new([("sv", "Enkät")]),
                options,
                url: "https://enkat.example.se/s/k".into(),
                zone: local_time::stockholm(),
            },
            letters: vec![Letter {
                name: Some("Anna Andersson".into()),
                address: vec!["Gatan 1".into(), "111 11 Stockholm".into()],
                language: "sv".into(),
                code: "7K3F-Q2TB".into(),
                link: "https://enkat.example.se/s/k?code=7K3F-Q2TB".into(),
                qr: None,
                sampled: true,
            }],
        };
        document(Lang::Sv, &batch, "/static/app.css", None).into_string()
    }

    fn element<'a>(html: &'a str, class: &str) -> &'a str {
        let start = html
            .find(&format!("class=\"{class}\""))
            .unwrap_or_else(|| panic!("{class} in {html}"));
        let rest = &html[start..];
        &rest[..rest.find("</").expect("closed")]
    }

    #[test]
    fn the_letter_says_the_contact_text_once_without_a_lead_in_that_repeats_it() {
        let html = rendered();
        assert_eq!(
            html.matches("Vill du hellre svara per telefon").count(),
            1,
            "{html}"
        );
        assert!(!html.contains("Kontakta oss: Vill du"), "{html}");
        assert!(element(&html, "letter-contact").contains("Ring 08-508 00 000"));
    }

    #[test]
    fn an_e_mail_address_ending_the_controller_text_gets_one_full_stop() {
        let html = rendered();
        assert!(!html.contains(".se.."), "{html}");
        assert!(
            html.contains("dataskyddsombud@example.se. Dina uppgifter"),
            "{html}"
        );
        assert_eq!(sentence("Staden"), "Staden.");
    }

    #[test]
    fn the_return_address_holds_the_postal_address_and_not_the_data_protection_officer() {
        let html = rendered();
        let sender = element(&html, "letter-sender");
        assert!(sender.contains("105 35 Stockholm"), "{sender}");
        assert!(!sender.contains("Dataskyddsombud"), "{sender}");
        assert!(!sender.contains('@'), "{sender}");
        assert_eq!(return_address("Staden\nBox 1"), "Staden");
        assert_eq!(
            return_address("St. Eriksgatan 1, Stockholm"),
            "St. Eriksgatan 1, Stockholm"
        );
    }

    #[test]
    fn the_last_day_to_answer_is_the_local_date() {
        let z = local_time::stockholm();
        // 00:30 on 1 January in Stockholm, still 31 December in UTC.
        let closes = time::macros::datetime!(2026-12-31 23:30 UTC);
        assert_eq!(last_day(Lang::Sv, &z, closes), "1 januari 2027");
        // Closing at local midnight: the last day is the day before.
        let midnight = time::macros::datetime!(2027-01-31 23:00 UTC);
        assert_eq!(last_day(Lang::En, &z, midnight), "31 January 2027");
    }

    #[test]
    fn a_qr_code_has_dark_modules_inside_its_size() {
        let q = qr("https://example.se/s/parking?code=7K3F-Q2TB").unwrap();
        assert!(q.size >= 21);
        assert!(q.path.starts_with('M') && q.path.contains('h'));
    }
}
