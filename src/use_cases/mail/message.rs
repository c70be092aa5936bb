//! The invitation and reminder e-mails: subject, plain text and an escaped HTML alternative in
//! the invitation's language (Swedish unless it is `en`), with the survey link, the access code,
//! the contact text for those who would rather phone, and the opt-out link (also as a
//! `List-Unsubscribe` header).

use lettre::message::header::{
    ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue,
};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::domain::lang::Lang;
use crate::domain::options::SurveyOptions;
use crate::domain::survey::Text;
use crate::formats::email::{html_body, Paragraphs};
use crate::storage::deliveries::DeliveryKind;

/// What a message says about its survey (loaded once per survey per batch).
#[derive(Debug, Clone)]
pub struct SurveyInfo {
    /// Key, for the links.
    pub key: String,
    /// Title in the survey's languages.
    pub title: Text,
    /// Options: who it is for, minutes, closing date, contact.
    pub options: SurveyOptions,
}

/// One message to compose.
#[derive(Debug, Clone)]
pub struct Letter<'a> {
    /// Invitation or which reminder.
    pub kind: DeliveryKind,
    /// `sv` or `en`.
    pub language: &'a str,
    /// The survey.
    pub survey: &'a SurveyInfo,
    /// The access code.
    pub code: &'a str,
    /// Base of the links, without a trailing slash.
    pub public_url: &'a str,
    /// The opt-out token.
    pub opt_out_token: &'a str,
}

/// A composed message, before addressing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML alternative (every value escaped).
    pub html: String,
    /// The opt-out URL (for `List-Unsubscribe`).
    pub opt_out_url: String,
}

/// Compose a message.
pub fn compose(letter: &Letter<'_>) -> Composed {
    // Exactly `en` is English; anything else is the default, Swedish.
    let w = if letter.language == "en" {
        Lang::En
    } else {
        Lang::Sv
    };
    let lang = w.code();
    let survey = letter.survey;
    let title = survey.title.get_or(lang, "sv").to_owned();
    let base = letter.public_url.trim_end_matches('/');
    let link = format!("{base}/s/{}?code={}", survey.key, letter.code);
    let opt_out_url = format!("{base}/optout/{}", letter.opt_out_token);
    let subject = match letter.kind {
        DeliveryKind::Invitation => format!("{}: {title}", w.t("Inbjudan", "Invitation")),
        _ => format!("{}: {title}", w.t("Påminnelse", "Reminder")),
    };
    let mut intro = Vec::new();
    if letter.kind.is_reminder() {
        intro.push(
            w.t(
                "För en tid sedan bjöd vi in dig att svara på enkäten ”{title}”. Vi har ännu inte fått ditt svar. Det är inte för sent – varje svar gör resultatet mer rättvisande för alla som bor och verkar i staden.",
                "A while ago we invited you to answer the survey \"{title}\". We have not received your answer yet. It is not too late – every answer makes the results fairer to everyone who lives and works in the city.",
            )
            .replace("{title}", &title),
        );
    } else {
        intro.push(
            w.t(
                "Du har valts ut slumpmässigt att svara på enkäten ”{title}”. Vi frågar ett urval av personer så att svaren tillsammans ger en rättvisande bild, och därför är just ditt svar viktigt.",
                "You have been chosen at random to answer the survey \"{title}\". We ask a sample of people so that together the answers give a fair picture, which is why your answer matters.",
            )
            .replace("{title}", &title),
        );
    }
    if let Some(audience) = survey.options.audience.get(lang) {
        intro.push(format!(
            "{} {audience}",
            w.t("Enkäten riktar sig till:", "The survey is for:")
        ));
    }
    intro.push(
        w.t(
            "Dina svar hjälper staden att förstå vad invånare och företag behöver.",
            "Your answers help the city understand what residents and businesses need.",
        )
        .to_owned(),
    );
    if let Some(m) = survey.options.minutes {
        intro.push(
            w.t(
                "Det tar ungefär {m} minuter att svara.",
                "It takes about {m} minutes to answer.",
            )
            .replace("{m}", &m.to_string()),
        );
    }
    if let Some(closes) = survey.options.closes_at {
        let date = closes.date();
        intro.push(
            w.t("Enkäten stänger {date}.", "The survey closes on {date}.")
                .replace("{date}", &date.to_string()),
        );
    }
    let contact = survey.options.contact.get(lang).map(|c| {
        format!(
            "{} {c}",
            w.t(
                "Vill du hellre svara per telefon, eller har du frågor?",
                "Would you rather answer by phone, or do you have questions?"
            )
        )
    });
    let p = Paragraphs {
        greeting: w.t("Hej!", "Hello,").to_owned(),
        intro,
        link_lead: w.t("Svara här:", "Answer here:").to_owned(),
        link,
        code_lead: w
            .t(
                "Du kan också gå till {url} och skriva in din kod:",
                "You can also go to {url} and type your code:",
            )
            .replace("{url}", &format!("{base}/s/{}", survey.key)),
        code: letter.code.to_owned(),
        contact,
        opt_out_lead: w
            .t(
                "Vill du inte få fler e-brev om den här enkäten? Avregistrera dig här:",
                "Do not want more e-mail about this survey? Opt out here:",
            )
            .to_owned(),
        opt_out_url: opt_out_url.clone(),
    };
    Composed {
        subject,
        text: text_body(&p, w),
        html: html_body(&p, lang),
        opt_out_url,
    }
}

fn text_body(p: &Paragraphs, w: Lang) -> String {
    let mut out = String::new();
    out.push_str(&p.greeting);
    out.push_str("\n\n");
    out.push_str(&p.intro.join("\n\n"));
    out.push_str("\n\n");
    out.push_str(&format!("{}\n{}\n\n", p.link_lead, p.link));
    out.push_str(&format!("{} {}\n\n", p.code_lead, p.code));
    if let Some(c) = &p.contact {
        out.push_str(c);
        out.push_str("\n\n");
    }
    out.push_str(w.t("Tack för din hjälp!", "Thank you for your help!"));
    out.push_str("\n\n-- \n");
    out.push_str(&format!("{}\n{}\n", p.opt_out_lead, p.opt_out_url));
    out
}

/// `List-Unsubscribe: <url>` (RFC 2369), so mail programs can offer an unsubscribe button.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(
            s.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_owned(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// Quoted-printable keeps the Swedish letters readable to old mail programs and is 7-bit safe.
fn part(content_type: ContentType, text: String) -> SinglePart {
    let body = Body::new_with_encoding(text, ContentTransferEncoding::QuotedPrintable)
        .unwrap_or_else(Body::new);
    SinglePart::builder().header(content_type).body(body)
}

/// Address a composed message.
pub fn build(
    from: &Mailbox,
    to: Mailbox,
    composed: &Composed,
) -> Result<Message, lettre::error::Error> {
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(composed.subject.clone())
        .header(ListUnsubscribe(composed.opt_out_url.clone()))
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, composed.text.clone()))
                .singlepart(part(ContentType::TEXT_HTML, composed.html.clone())),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey() -> SurveyInfo {
        let options = SurveyOptions {
            minutes: Some(7),
            contact: Text::new([("sv", "Ring 08-123 45"), ("en", "Call 08-123 45")]),
            ..SurveyOptions::default()
        };
        SurveyInfo {
            key: "park".into(),
            title: Text::new([("sv", "Parkenkät"), ("en", "Park survey")]),
            options,
        }
    }

    fn letter<'a>(s: &'a SurveyInfo, kind: DeliveryKind, language: &'a str) -> Letter<'a> {
        Letter {
            kind,
            language,
            survey: s,
            code: "7K3F-Q2TB",
            public_url: "https://insikt.example.se/",
            opt_out_token: "tok",
        }
    }

    #[test]
    fn a_swedish_invitation_has_the_link_code_contact_and_opt_out() {
        let s = survey();
        let c = compose(&letter(&s, DeliveryKind::Invitation, "sv"));
        assert_eq!(c.subject, "Inbjudan: Parkenkät");
        assert!(c
            .text
            .contains("https://insikt.example.se/s/park?code=7K3F-Q2TB"));
        assert!(c.text.contains("7 minuter"));
        assert!(c.text.contains("Ring 08-123 45"));
        assert!(c.text.contains("https://insikt.example.se/optout/tok"));
        assert_eq!(c.opt_out_url, "https://insikt.example.se/optout/tok");
    }

    #[test]
    fn an_english_reminder_is_in_english_and_says_it_reminds() {
        let s = survey();
        let c = compose(&letter(&s, DeliveryKind::Reminder1, "en"));
        assert_eq!(c.subject, "Reminder: Park survey");
        assert!(c.text.contains("not received your answer"));
        assert!(!c.text.contains("Hej"));
    }

    #[test]
    fn the_html_alternative_escapes_the_survey_title() {
        let mut s = survey();
        s.title = Text::new([("sv", "<script>x</script>")]);
        let c = compose(&letter(&s, DeliveryKind::Invitation, "sv"));
        assert!(!c.html.contains("<script>"));
        assert!(c.html.contains("&lt;script&gt;"));
    }

    #[test]
    fn a_built_message_carries_list_unsubscribe() {
        let s = survey();
        let c = compose(&letter(&s, DeliveryKind::Invitation, "sv"));
        let from: Mailbox = "Insikt <insikt@example.se>".parse().unwrap();
        let to: Mailbox = "anna@example.se".parse().unwrap();
        let raw = String::from_utf8(build(&from, to, &c).unwrap().formatted()).unwrap();
        assert!(raw.contains("List-Unsubscribe: <https://insikt.example.se/optout/tok>"));
    }
}
