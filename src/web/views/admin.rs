//! Account administration and the audit log (admins only).

use maud::{html, Markup};

use super::layout::{self, csrf_field, error_summary};
use crate::domain::user::{Role, User};
use crate::use_cases::accounts::{AuditEvent, Created};
use crate::web::forms::PageCtx;
use crate::web::i18n::Lang;

/// What the "add user" form held, to show it again with errors.
#[derive(Default)]
pub struct NewUserDraft {
    /// Typed username.
    pub username: String,
    /// Typed display name.
    pub display_name: String,
    /// Chosen role.
    pub role: String,
}

/// The outcome of the last action, shown above the list.
pub enum Flash {
    /// Nothing.
    None,
    /// An account was created; the generated password is shown exactly once.
    Created {
        /// The new username.
        username: String,
        /// The generated password, if the admin left the field empty.
        generated_password: Option<String>,
    },
}

impl From<Created> for Flash {
    fn from(c: Created) -> Flash {
        Flash::Created {
            username: c.user.username,
            generated_password: c.generated_password,
        }
    }
}

/// The user list with per-row actions, and the form to add a user.
pub fn users(
    ctx: &PageCtx,
    users: &[User],
    draft: &NewUserDraft,
    errors: &[(&str, String)],
    flash: &Flash,
) -> Markup {
    let l = ctx.lang;
    let me = ctx.user.as_ref().map(|u| u.id.as_str());
    layout::page(
        ctx,
        l.t("Användare", "Users"),
        html! {
            h1 { (l.t("Användare", "Users")) }
            @if let Flash::Created { username, generated_password } = flash {
                div class="notice" role="status" {
                    p { (l.t("Kontot skapades:", "The account was created:")) " " strong { (username) } }
                    @if let Some(pw) = generated_password {
                        p { (l.t("Lösenord (visas bara nu, ge det till personen på ett säkert sätt):",
                                 "Password (shown only now; hand it over securely):")) " "
                            code class="secret" { (pw) } }
                    }
                }
            }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Användare", "Users")) {
                table {
                    caption class="visually-hidden" { (l.t("Alla personalkonton", "All staff accounts")) }
                    thead { tr {
                        th scope="col" { (l.t("Användarnamn", "Username")) }
                        th scope="col" { (l.t("Namn", "Name")) }
                        th scope="col" { (l.t("Roll", "Role")) }
                        th scope="col" { (l.t("Status", "Status")) }
                        th scope="col" { (l.t("Åtgärder", "Actions")) }
                    } }
                    tbody {
                        @for u in users {
                            tr {
                                td { (u.username) }
                                td { (u.display_name) }
                                td { (u.role.label(l)) }
                                td { @if u.disabled { (l.t("Avstängt", "Disabled")) } @else { (l.t("Aktivt", "Active")) } }
                                td {
                                    @if Some(u.id.as_str()) != me {
                                        form method="post" action={ "/admin/users/" (u.id) "/role" } class="inline-form" {
                                            (csrf_field(&ctx.csrf))
                                            label for={ "role-" (u.id) } class="visually-hidden" {
                                                (l.t("Ny roll för ", "New role for ")) (u.username)
                                            }
                                            (role_select(&format!("role-{}", u.id), u.role.as_str(), l))
                                            button type="submit" class="button small" { (l.t("Byt roll", "Change role")) }
                                        }
                                        form method="post" action={ "/admin/users/" (u.id) (if u.disabled { "/enable" } else { "/disable" }) } class="inline-form" {
                                            (csrf_field(&ctx.csrf))
                                            button type="submit" class="button small secondary" {
                                                @if u.disabled { (l.t("Aktivera", "Enable")) } @else { (l.t("Stäng av", "Disable")) }
                                                span class="visually-hidden" { " " (u.username) }
                                            }
                                        }
                                    } @else {
                                        (l.t("(du själv)", "(yourself)"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 id="add" { (l.t("Lägg till användare", "Add a user")) }
            (error_summary(l, errors))
            form method="post" action="/admin/users" class="stack" novalidate {
                (csrf_field(&ctx.csrf))
                (text_field("username", l.t("Användarnamn", "Username"), &draft.username, errors, Some(l.t("2–64 tecken: a–z, siffror, punkt, bindestreck.", "2–64 characters: a–z, digits, dot, hyphen."))))
                (text_field("display_name", l.t("Namn", "Name"), &draft.display_name, errors, None))
                div class="field" {
                    label for="role" { (l.t("Roll", "Role")) }
                    (role_select("role", if draft.role.is_empty() { "analyst" } else { &draft.role }, l))
                }
                div class="field" {
                    label for="password" { (l.t("Lösenord (lämna tomt för att skapa ett)", "Password (leave empty to generate one)")) }
                    p id="password-hint" class="hint" { (l.t("Minst 12 tecken och inte ett vanligt lösenord.", "At least 12 characters and not a common password.")) }
                    @if let Some((_, msg)) = errors.iter().find(|(f, _)| *f == "password") {
                        p id="password-error" class="field-error" { (msg) }
                    }
                    input id="password" name="password" type="password" autocomplete="new-password"
                        aria-describedby=(describedby("password", errors, true));
                }
                button type="submit" class="button" { (l.t("Skapa konto", "Create account")) }
            }
        },
    )
}

fn describedby(field: &str, errors: &[(&str, String)], has_hint: bool) -> String {
    let mut ids = vec![];
    if has_hint {
        ids.push(format!("{field}-hint"));
    }
    if errors.iter().any(|(f, _)| *f == field) {
        ids.push(format!("{field}-error"));
    }
    ids.join(" ")
}

fn text_field(
    name: &str,
    label: &str,
    value: &str,
    errors: &[(&str, String)],
    hint: Option<&str>,
) -> Markup {
    let error = errors.iter().find(|(f, _)| *f == name).map(|(_, m)| m);
    let described = describedby(name, errors, hint.is_some());
    html! {
        div class={ "field" @if error.is_some() { " has-error" } } {
            label for=(name) { (label) }
            @if let Some(h) = hint { p id={ (name) "-hint" } class="hint" { (h) } }
            @if let Some(m) = error { p id={ (name) "-error" } class="field-error" { (m) } }
            input id=(name) name=(name) type="text" value=(value)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then_some(described.as_str())];
        }
    }
}

fn role_select(id: &str, selected: &str, lang: Lang) -> Markup {
    html! {
        select id=(id) name="role" {
            @for r in Role::ALL {
                option value=(r.as_str()) selected[r.as_str() == selected] { (r.label(lang)) }
            }
        }
    }
}

/// The audit log, newest first, with a link to older events.
pub fn audit(ctx: &PageCtx, events: &[AuditEvent], older: Option<i64>) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Händelselogg", "Audit log"),
        html! {
            h1 { (l.t("Händelselogg", "Audit log")) }
            div class="table-scroll" tabindex="0" role="region" aria-label=(l.t("Händelser", "Events")) {
                table {
                    caption class="visually-hidden" { (l.t("Händelser, senaste först", "Events, newest first")) }
                    thead { tr {
                        th scope="col" { (l.t("Tid", "Time")) }
                        th scope="col" { (l.t("Vem", "Who")) }
                        th scope="col" { (l.t("Vad", "What")) }
                        th scope="col" { (l.t("Gäller", "Target")) }
                        th scope="col" { (l.t("Detaljer", "Details")) }
                        th scope="col" { (l.t("Adress", "Address")) }
                    } }
                    tbody {
                        @for e in events {
                            tr {
                                td { (crate::domain::local_time::display_short(e.at, &ctx.zone)) }
                                td { (e.actor_name) }
                                td { code { (e.action) } }
                                td { (e.target.as_deref().unwrap_or("")) }
                                td { (e.detail.as_deref().unwrap_or("")) }
                                td { (e.ip.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            @if let Some(before) = older {
                p { a href={ "/admin/audit?before=" (before) } { (l.t("Äldre händelser", "Older events")) } }
            }
        },
    )
}
