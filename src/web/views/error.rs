//! Error pages. They are bilingual because an error can happen before we know the language.

use maud::{html, Markup, DOCTYPE};

use crate::web::error::AppError;

fn texts(e: &AppError) -> (&'static str, &'static str, &'static str, &'static str) {
    match e {
        AppError::NotFound => (
            "Sidan finns inte",
            "Kontrollera adressen, eller gå till startsidan.",
            "Page not found",
            "Check the address, or go to the start page.",
        ),
        AppError::Forbidden => (
            "Du har inte behörighet",
            "Ditt konto får inte öppna den här sidan. Kontakta en administratör om du behöver den.",
            "You do not have access",
            "Your account may not open this page. Ask an administrator if you need it.",
        ),
        AppError::CsrfRejected => (
            "Formuläret kunde inte skickas",
            "Sidan var för gammal eller öppnades på ett annat sätt. Gå tillbaka, ladda om sidan och försök igen.",
            "The form could not be sent",
            "The page was too old or was opened another way. Go back, reload the page and try again.",
        ),
        AppError::TooManyRequests { .. } => (
            "För många försök",
            "Vänta en stund och försök sedan igen.",
            "Too many attempts",
            "Please wait a while and try again.",
        ),
        AppError::PayloadTooLarge => (
            "För mycket data",
            "Det du skickade var större än vi tar emot. Gå tillbaka med webbläsarens bakåtknapp – det du skrev finns kvar där – och korta de längsta texterna innan du skickar igen.",
            "Too much data",
            "What you sent is larger than we accept. Go back with your browser's Back button – what you typed is still there – and shorten the longest texts before sending again.",
        ),
        AppError::MalformedRequest => (
            "Adressen eller formuläret kunde inte läsas",
            "Något i adressen eller i det du skickade hade fel form. Kontrollera länken, eller gå tillbaka och försök igen.",
            "The address or form could not be read",
            "Something in the address or in what you sent was not in the expected form. Check the link, or go back and try again.",
        ),
        AppError::BadRequest(_) | AppError::Conflict(_) => (
            "Begäran kunde inte behandlas",
            "Något i det du skickade stämde inte.",
            "The request could not be handled",
            "Something in what you sent was not right.",
        ),
        AppError::LoginRequired { .. } | AppError::Unexpected(_) => (
            "Något gick fel hos oss",
            "Felet är loggat. Försök igen om en stund.",
            "Something went wrong on our side",
            "The error has been logged. Please try again in a while.",
        ),
    }
}

/// The page for an error; a safe detail message (bad request, conflict) is shown as given.
pub fn page(e: &AppError) -> Markup {
    let (sv_title, sv_text, en_title, en_text) = texts(e);
    let detail = match e {
        AppError::BadRequest(m) | AppError::Conflict(m) => Some(m),
        _ => None,
    };
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (sv_title) " – Insikt" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a class="skip-link" href="#main" { "Hoppa till innehållet" }
                header class="site-header" { div class="wrap header-row" { a class="brand" href="/" { "Insikt" } } }
                main id="main" tabindex="-1" class="wrap" {
                    h1 { (sv_title) }
                    p { (sv_text) }
                    @if let Some(d) = detail { p class="error-detail" { (d.sv) } }
                    div lang="en" {
                        h2 { (en_title) }
                        p { (en_text) }
                        @if let Some(d) = detail { p class="error-detail" { (d.en) } }
                    }
                    p { a href="/" { "Till startsidan" } " · " a href="/" lang="en" { "To the start page" } }
                }
            }
        }
    }
}
