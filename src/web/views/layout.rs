//! The page shell: language, skip link, header with navigation and language switch, footer.

use maud::{html, Markup, DOCTYPE};

use crate::auth::csrf;
use crate::domain::user::Role;
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// A whole HTML page around `content`.
pub fn page(ctx: &PageCtx, title: &str, content: Markup) -> Markup {
    let lang = ctx.lang;
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Insikt" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a class="skip-link" href="#main" { (lang.t("Hoppa till innehållet", "Skip to content")) }
                @if ctx.demo {
                    // Text, not colour alone: anyone reading a figure must know it is invented.
                    div class="demo-banner" role="note" {
                        div class="wrap" {
                            strong { (lang.t("Demodata", "Demo data")) }
                            " – "
                            (lang.t(
                                "allt i den här installationen är påhittat (syntetiska svar från en påhittad befolkning).",
                                "everything in this installation is made up (synthetic answers from a synthetic population)."
                            ))
                        }
                    }
                }
                header class="site-header" {
                    div class="wrap header-row" {
                        a class="brand" href="/" { "Insikt" }
                        nav aria-label=(lang.t("Huvudmeny", "Main menu")) {
                            ul class="nav-list" {
                                @if let Some(user) = &ctx.user {
                                    li { a href="/staff" { (lang.t("Översikt", "Overview")) } }
                                    @if matches!(user.role, Role::Admin | Role::Researcher) {
                                        li { a href="/designer" { (lang.t("Enkäter", "Surveys")) } }
                                    }
                                    @if matches!(user.role, Role::Admin | Role::Researcher | Role::Analyst | Role::Manager) {
                                        li { a href="/results" { (lang.t("Resultat", "Results")) } }
                                    }
                                    @if user.role == Role::Admin {
                                        li { a href="/admin/users" { (lang.t("Användare", "Users")) } }
                                        li { a href="/admin/audit" { (lang.t("Händelselogg", "Audit log")) } }
                                    }
                                    li {
                                        form method="post" action="/logout" class="inline-form" {
                                            (csrf_field(&ctx.csrf))
                                            button type="submit" class="link-button" {
                                                (lang.t("Logga ut", "Log out"))
                                                span class="visually-hidden" { " (" (user.username) ")" }
                                            }
                                        }
                                    }
                                } @else {
                                    li { a href="/login" { (lang.t("Logga in för personal", "Staff login")) } }
                                }
                                li {
                                    a href={ (ctx.path) "?lang=" (other.code()) } lang=(other.code()) hreflang=(other.code()) {
                                        (other.own_name())
                                    }
                                }
                            }
                        }
                    }
                }
                main id="main" tabindex="-1" class="wrap" {
                    (content)
                }
                footer class="site-footer" {
                    div class="wrap" {
                        p { (lang.t(
                            "Insikt – enkäter och användarundersökningar för stadens e-tjänster.",
                            "Insikt – surveys and user research for the city's e-services."
                        )) }
                        p { a href="/tillganglighet" { (lang.t("Tillgänglighetsredogörelse", "Accessibility statement")) } }
                    }
                }
            }
        }
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(token); }
}

/// A list of form errors at the top of a form, each linking to its field (GOV.UK pattern:
/// screen-reader users hear the summary first and can jump to the field).
pub fn error_summary(lang: Lang, errors: &[(&str, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="error-summary" role="alert" tabindex="-1" {
                h2 { (lang.t("Något behöver rättas", "There is a problem")) }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}
