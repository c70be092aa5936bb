//! The staff login page.

use maud::{html, Markup};

use super::layout::{self, csrf_field, error_summary};
use crate::web::forms::PageCtx;

/// Why the login page is shown again.
pub enum LoginNotice {
    /// First visit.
    None,
    /// Wrong username or password (deliberately not saying which).
    Refused,
    /// Too many attempts.
    Throttled {
        /// Seconds to wait.
        retry_after_secs: i64,
    },
    /// Logged out.
    LoggedOut,
}

/// The login form; `username` is kept so the person need not retype it.
pub fn login(ctx: &PageCtx, notice: &LoginNotice, username: &str, next: &str) -> Markup {
    let l = ctx.lang;
    let errors: Vec<(&str, String)> = match notice {
        LoginNotice::Refused => vec![(
            "username",
            l.t(
                "Fel användarnamn eller lösenord.",
                "Wrong username or password.",
            )
            .to_owned(),
        )],
        LoginNotice::Throttled { retry_after_secs } => vec![(
            "username",
            match l {
                crate::web::i18n::Lang::Sv => format!(
                    "För många misslyckade försök. Försök igen om {} minut(er).",
                    (retry_after_secs + 59) / 60
                ),
                crate::web::i18n::Lang::En => format!(
                    "Too many failed attempts. Try again in {} minute(s).",
                    (retry_after_secs + 59) / 60
                ),
            },
        )],
        _ => vec![],
    };
    layout::page(
        ctx,
        l.t("Logga in", "Log in"),
        html! {
            h1 { (l.t("Logga in för personal", "Staff login")) }
            @if let LoginNotice::LoggedOut = notice {
                p class="notice" role="status" { (l.t("Du är utloggad.", "You are logged out.")) }
            }
            (error_summary(l, &errors))
            p { (l.t(
                "Invånare och företag behöver inget konto för att svara på enkäter.",
                "Residents and businesses need no account to answer surveys."
            )) }
            form method="post" action="/login" class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="next" value=(next);
                div class="field" {
                    label for="username" { (l.t("Användarnamn", "Username")) }
                    input id="username" name="username" type="text" autocomplete="username"
                        autocapitalize="none" spellcheck="false" required value=(username)
                        aria-describedby=[(!errors.is_empty()).then_some("login-error")];
                    @if let Some((_, msg)) = errors.first() {
                        p id="login-error" class="field-error" { (msg) }
                    }
                }
                div class="field" {
                    label for="password" { (l.t("Lösenord", "Password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required;
                }
                button type="submit" class="button" { (l.t("Logga in", "Log in")) }
            }
        },
    )
}
