//! The one place routes are mounted.

use actix_web::web;

use super::handlers::fieldwork;
use super::handlers::{admin, assets, auth, designer, health, home, interview, receipts, respond};

/// See [`crate::domain::survey::RESPONDENT_FORM_BYTES`].
pub const RESPONDENT_FORM_BYTES: usize = crate::domain::survey::RESPONDENT_FORM_BYTES;

/// Mount every route. No GET route changes state.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show_start))
        .route("/staff", web::get().to(home::show_staff_home))
        .route("/staff/receipts", web::get().to(receipts::lookup_receipt))
        .route(
            "/staff/receipts/erase",
            web::post().to(receipts::erase_response),
        )
        .route("/login", web::get().to(auth::show_login))
        .route("/login", web::post().to(auth::submit_login))
        .route("/logout", web::post().to(auth::submit_logout))
        .route("/admin/users", web::get().to(admin::list_users))
        .route("/admin/users", web::post().to(admin::create_user))
        .route("/admin/users/{id}/role", web::post().to(admin::change_role))
        .route(
            "/admin/users/{id}/{verb}",
            web::post().to(admin::set_disabled),
        )
        .route("/admin/audit", web::get().to(admin::show_audit))
        .route("/designer", web::get().to(designer::list_surveys))
        .route("/designer", web::post().to(designer::create_survey))
        .service(
            web::resource("/designer/import")
                .app_data(web::PayloadConfig::new(
                    crate::formats::xlsform::MAX_INPUT_BYTES + 64 * 1024,
                ))
                .route(web::post().to(designer::import)),
        )
        .route(
            "/designer/{key}/options",
            web::get().to(designer::show_options),
        )
        .route(
            "/designer/{key}/options",
            web::post().to(designer::save_options),
        )
        .route(
            "/designer/{key}/{version}",
            web::get().to(designer::show_version),
        )
        .route(
            "/designer/{key}/{verb}",
            web::post().to(designer::survey_action),
        )
        .route(
            "/designer/{key}/{version}/texts",
            web::post().to(designer::save_texts),
        )
        .route(
            "/designer/{key}/{version}/pages",
            web::post().to(designer::add_page),
        )
        .route(
            "/designer/{key}/{version}/pages/{page}/{action}",
            web::post().to(designer::page_action),
        )
        .route(
            "/designer/{key}/{version}/lists/{list}/{action}",
            web::post().to(designer::list_action),
        )
        .route(
            "/designer/{key}/{version}/questions/{question}",
            web::get().to(designer::show_question),
        )
        .route(
            "/designer/{key}/{version}/questions/{question}",
            web::post().to(designer::save_question),
        )
        .route(
            "/designer/{key}/{version}/questions/{question}/{action}",
            web::post().to(designer::question_action),
        )
        .route(
            "/designer/{key}/{version}/preview/{lang}/{page}",
            web::get().to(designer::preview),
        )
        .route(
            "/designer/{key}/{version}/preview/{lang}",
            web::post().to(designer::preview_step),
        )
        .route(
            "/designer/{key}/{version}/checks",
            web::get().to(designer::show_checks),
        )
        .route(
            "/designer/{key}/{version}/export.{ext}",
            web::get().to(designer::export),
        )
        .route(
            "/designer/{key}/{version}/{verb}",
            web::post().to(designer::lifecycle),
        )
        .route("/fieldwork/{key}", web::get().to(fieldwork::show_fieldwork))
        .service(
            web::resource("/fieldwork/{key}/sample")
                .app_data(web::PayloadConfig::new(fieldwork::MAX_FRAME_BYTES))
                .route(web::post().to(fieldwork::draw_sample)),
        )
        .service(
            web::resource("/fieldwork/{key}/list")
                .app_data(web::PayloadConfig::new(fieldwork::MAX_LIST_BYTES))
                .route(web::post().to(fieldwork::upload_list)),
        )
        .route(
            "/fieldwork/{key}/letters",
            web::get().to(fieldwork::show_letters),
        )
        .route(
            "/fieldwork/{key}/samples/{id}.csv",
            web::get().to(fieldwork::download_sample),
        )
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/static/app.css", web::get().to(assets::app_css))
        .route("/tillganglighet", web::get().to(home::show_accessibility))
        .route("/accessibility", web::get().to(home::show_accessibility))
        .route("/s/{key}", web::get().to(respond::show_survey))
        .service(
            web::resource("/s/{key}")
                .app_data(web::PayloadConfig::new(RESPONDENT_FORM_BYTES))
                .route(web::post().to(respond::answer_page)),
        )
        .route("/s/{key}/start", web::post().to(respond::start_survey))
        .route("/s/{key}/resume", web::get().to(respond::show_resume))
        .route("/s/{key}/resume", web::post().to(respond::submit_resume))
        .route("/s/{key}/code", web::post().to(respond::submit_code))
        .route("/kod", web::get().to(respond::show_code_entry))
        .route("/kod", web::post().to(respond::submit_code_entry))
        .route("/interview", web::get().to(interview::show_entry))
        .route("/interview/{key}", web::get().to(interview::show_work_list))
        .route(
            "/fieldwork/{key}/mail",
            web::get().to(super::handlers::mail::show_mail),
        )
        .route(
            "/fieldwork/{key}/mail/send/{kind}",
            web::post().to(super::handlers::mail::queue_mail),
        )
        .route(
            "/fieldwork/{key}/mail/bounces",
            web::post().to(super::handlers::mail::record_bounces),
        )
        .route(
            "/optout/{token}",
            web::get().to(super::handlers::mail::show_opt_out),
        )
        .route(
            "/optout/{token}",
            web::post().to(super::handlers::mail::submit_opt_out),
        )
        .route(
            "/results",
            web::get().to(super::handlers::results::show_index),
        )
        .service(
            web::resource("/results/population")
                .app_data(web::PayloadConfig::new(
                    super::handlers::results::MAX_TABLE_BYTES,
                ))
                .route(web::get().to(super::handlers::results::show_population))
                .route(web::post().to(super::handlers::results::upload_population)),
        )
        .route(
            "/results/{key}/{version}",
            web::get().to(super::handlers::results::show_results),
        );
    analyses(cfg);
    backlog_routes(cfg);
    backlog_followup_routes(cfg);
    backlog_preset_routes(cfg);
}

/// The ranking model's named presets and the AHP comparison page (issue 14 item 4).
fn backlog_preset_routes(cfg: &mut web::ServiceConfig) {
    use super::handlers::backlog_presets as presets;
    cfg.route("/backlog/presets", web::get().to(presets::list))
        .route("/backlog/presets", web::post().to(presets::create))
        .route("/backlog/presets/new", web::get().to(presets::new))
        .route("/backlog/presets/ahp", web::get().to(presets::ahp))
        .route("/backlog/presets/{id}/edit", web::get().to(presets::edit))
        .route("/backlog/presets/{id}", web::post().to(presets::update))
        .route(
            "/backlog/presets/{id}/delete",
            web::post().to(presets::delete),
        )
        .route(
            "/backlog/presets/{id}/default",
            web::post().to(presets::make_default),
        );
}

/// The backlog's candidate areas and their catalogue (issue 14 item 1).
fn backlog_routes(cfg: &mut web::ServiceConfig) {
    use super::handlers::backlog;
    use super::handlers::backlog_rank;
    cfg.route("/backlog", web::get().to(backlog_rank::show))
        .route("/backlog/report", web::get().to(backlog_rank::report))
        .route(
            "/backlog/areas/{key}/evidence",
            web::get().to(backlog_rank::evidence),
        )
        .route("/backlog/publish", web::post().to(backlog_rank::publish))
        .route(
            "/backlog/snapshots",
            web::get().to(backlog_rank::list_snapshots),
        )
        .route(
            "/backlog/snapshots/compare",
            web::get().to(backlog_rank::compare_snapshots),
        )
        .route(
            "/backlog/snapshots/{id}",
            web::get().to(backlog_rank::show_snapshot),
        )
        .route(
            "/backlog/snapshots/{id}/export/{kind}",
            web::get().to(backlog_rank::export_snapshot),
        );
    cfg.route("/backlog/areas", web::get().to(backlog::list_areas))
        .route("/backlog/areas", web::post().to(backlog::create_area))
        .route("/backlog/new", web::get().to(backlog::new_area))
        .route("/backlog/areas/{key}", web::get().to(backlog::show_area))
        .route("/backlog/areas/{key}", web::post().to(backlog::save_area))
        .route(
            "/backlog/areas/{key}/edit",
            web::get().to(backlog::edit_area),
        )
        .route(
            "/backlog/areas/{key}/status",
            web::post().to(backlog::change_status),
        )
        .route(
            "/backlog/areas/{key}/links",
            web::post().to(backlog::link_question),
        )
        .route(
            "/backlog/areas/{key}/links/{id}/delete",
            web::post().to(backlog::unlink_question),
        )
        .service(
            web::resource("/backlog/catalogue")
                .app_data(web::PayloadConfig::new(backlog::MAX_UPLOAD_BYTES))
                .route(web::get().to(backlog::show_catalogue))
                .route(web::post().to(backlog::import_catalogue)),
        )
        .route(
            "/backlog/catalogue.{ext}",
            web::get().to(backlog::download_catalogue),
        );
}

/// Benefits follow-up of launched areas (issue 14 item 7).
fn backlog_followup_routes(cfg: &mut web::ServiceConfig) {
    use super::handlers::backlog_followup as followup;
    cfg.route("/backlog/followup", web::get().to(followup::summary))
        .route(
            "/backlog/areas/{key}/followup",
            web::get().to(followup::show),
        )
        .route(
            "/backlog/areas/{key}/followup",
            web::post().to(followup::record),
        )
        .route(
            "/backlog/areas/{key}/followup/prediction",
            web::post().to(followup::freeze_prediction),
        );
}

/// The analyses pages of a version's results (issue 13 items 4–8).
fn analyses(cfg: &mut web::ServiceConfig) {
    use super::handlers::results::{crosstab, dataset, responses, text, trend};
    // The trend route first: `trend` is never a version number.
    cfg.route(
        "/results/{key}/trend/{question}",
        web::get().to(trend::show_trend),
    )
    .route(
        "/results/{key}/{version}/dataset.csv",
        web::get().to(dataset::download),
    )
    .route(
        "/results/{key}/{version}/margin/{file}",
        web::get().to(dataset::download_margin),
    )
    .route(
        "/results/{key}/{version}/responses",
        web::get().to(responses::list_responses),
    )
    .route(
        "/results/{key}/{version}/responses/{id}",
        web::get().to(responses::show_response),
    )
    .route(
        "/results/{key}/{version}/responses/{id}/{verb}",
        web::post().to(responses::set_exclusion),
    )
    .route(
        "/results/{key}/{version}/text/{question}",
        web::get().to(text::show_text),
    )
    .route(
        "/results/{key}/{version}/crosstab",
        web::get().to(crosstab::show_crosstab),
    );
}
