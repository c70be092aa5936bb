//! The printable invitation letters as one HTML document (one A4 page per letter, QR codes as
//! inline SVG), shared by the fieldwork page and `insikt invitations letters`. Written with
//! maud, which escapes everything, so no letter text can break out of the page.

use maud::{html, Markup, DOCTYPE};

use crate::domain::lang::Lang;
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

fn date_in(l: Lang, d: time::OffsetDateTime) -> String {
    const MONTHS_SV: [&str; 12] = [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const MONTHS_EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let d = d.to_offset(time::UtcOffset::UTC).date();
    let m = usize::from(u8::from(d.month())) - 1;
    match l {
        Lang::Sv => format!("{} {} {}", d.day(), MONTHS_SV[m], d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[m], d.year()),
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
                @if !controller.is_empty() { p class="letter-sender" { (controller.lines().next().unwrap_or_default()) } }
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
                p class="letter-deadline" { strong { (l.t("Svara senast ", "Please answer by ")) (date_in(l, closes)) "." } }
            }
            @if !contact.is_empty() {
                p { (l.t(
                    "Vill du hellre svara per telefon, eller behöver du hjälp? Kontakta oss:",
                    "Would you rather answer by phone, or do you need help? Contact us:"
                )) " " (contact) }
            }
            @if !controller.is_empty() {
                p class="letter-privacy" {
                    (l.t("Personuppgiftsansvarig: ", "Data controller: ")) (controller) ". "
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

    #[test]
    fn a_qr_code_has_dark_modules_inside_its_size() {
        let q = qr("https://example.se/s/parking?code=7K3F-Q2TB").unwrap();
        assert!(q.size >= 21);
        assert!(q.path.starts_with('M') && q.path.contains('h'));
    }
}
