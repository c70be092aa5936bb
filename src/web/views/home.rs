//! The public start page and the staff overview.

use maud::{html, Markup};

use super::layout;
use crate::web::forms::PageCtx;

/// Public start page.
pub fn start(ctx: &PageCtx) -> Markup {
    let l = ctx.lang;
    layout::page(
        ctx,
        l.t("Välkommen", "Welcome"),
        html! {
            h1 { (l.t("Välkommen till Insikt", "Welcome to Insikt")) }
            p class="lead" { (l.t(
                "Här frågar staden invånare och företag vad de behöver innan nya e-tjänster byggs. Dina svar avgör vad som byggs först.",
                "Here the city asks residents and businesses what they need before new e-services are built. Your answers decide what is built first."
            )) }
            h2 { (l.t("Pågående undersökningar", "Open surveys")) }
            p { (l.t(
                "Det finns inga öppna undersökningar just nu.",
                "There are no open surveys right now."
            )) }
            h2 { (l.t("Vill du hellre svara på annat sätt?", "Would you rather answer another way?")) }
            p { (l.t(
                "Du kan alltid svara per telefon eller brev i stället. Ring stadens kontaktcenter så hjälper vi dig.",
                "You can always answer by phone or letter instead. Call the city's contact centre and we will help you."
            )) }
        },
    )
}

/// What a logged-in staff member sees first.
pub fn staff(ctx: &PageCtx) -> Markup {
    let l = ctx.lang;
    let Some(user) = &ctx.user else {
        return start(ctx);
    };
    layout::page(
        ctx,
        l.t("Översikt", "Overview"),
        html! {
            h1 { (l.t("Översikt", "Overview")) }
            p { (l.t("Inloggad som", "Logged in as")) " " strong { (user.display_name) } " (" (user.role.label(l.is_sv())) ")." }
        },
    )
}
