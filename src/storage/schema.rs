//! Portable table definitions shared by both backends (only types both support).

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_name -> Text,
        action -> Text,
        target -> Nullable<Text>,
        detail -> Nullable<Text>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    app_meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));

diesel::table! {
    surveys (id) {
        id -> Text,
        key -> Text,
        options -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        archived_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    survey_versions (id) {
        id -> Text,
        survey_id -> Text,
        version -> Integer,
        status -> Text,
        definition -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(survey_versions -> surveys (survey_id));

diesel::table! {
    responses (id) {
        id -> Text,
        survey_id -> Text,
        version_id -> Text,
        receipt -> Text,
        idempotency_key -> Text,
        mode -> Text,
        language -> Text,
        seed -> BigInt,
        started_at -> Timestamp,
        submitted_at -> Timestamp,
        stratum -> Nullable<Text>,
        design_weight -> Nullable<Double>,
    }
}

diesel::table! {
    answers (response_id, answer_key) {
        response_id -> Text,
        answer_key -> Text,
        value_text -> Nullable<Text>,
        value_num -> Nullable<Double>,
    }
}

diesel::table! {
    drafts (id) {
        id -> Text,
        version_id -> Text,
        code_hash -> Text,
        language -> Text,
        seed -> BigInt,
        attempt -> Text,
        page -> Integer,
        answers -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        invitation_code -> Nullable<Text>,
    }
}

diesel::table! {
    samples (id) {
        id -> Text,
        survey_id -> Text,
        frame_name -> Text,
        frame_rows -> BigInt,
        frame_sha256 -> Text,
        strata -> Text,
        allocation -> Text,
        seed -> BigInt,
        plan -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        survey_id -> Text,
        sample_id -> Nullable<Text>,
        code -> Text,
        unit_ref -> Nullable<Text>,
        language -> Text,
        stratum -> Nullable<Text>,
        inclusion_probability -> Nullable<Double>,
        design_weight -> Nullable<Double>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        response_id -> Nullable<Text>,
        opted_out_at -> Nullable<Timestamp>,
        bounced_at -> Nullable<Timestamp>,
        bounce_reason -> Nullable<Text>,
    }
}

diesel::table! {
    /// Contact details, kept apart so they can be erased after fieldwork (see the migration).
    invitation_contacts (invitation_id) {
        invitation_id -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        name -> Nullable<Text>,
        address -> Nullable<Text>,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        invitation_id -> Text,
        kind -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    quota_counts (survey_id, quota, cell) {
        survey_id -> Text,
        quota -> Text,
        cell -> Text,
        count -> BigInt,
    }
}

diesel::table! {
    population_tables (id) {
        id -> Text,
        name -> Text,
        category_columns -> Text,
        cells -> Text,
        total -> Double,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(answers -> responses (response_id));
diesel::joinable!(responses -> survey_versions (version_id));
diesel::joinable!(drafts -> survey_versions (version_id));
diesel::joinable!(invitations -> surveys (survey_id));
diesel::joinable!(deliveries -> invitations (invitation_id));
diesel::joinable!(invitation_contacts -> invitations (invitation_id));
diesel::joinable!(samples -> surveys (survey_id));

diesel::table! {
    /// Each response's answers packed into one JSON object (see `storage::packed`).
    response_answers_packed (response_id) {
        response_id -> Text,
        version_id -> Text,
        packed -> Text,
    }
}

diesel::joinable!(response_answers_packed -> responses (response_id));
diesel::allow_tables_to_appear_in_same_query!(response_answers_packed, responses);
diesel::allow_tables_to_appear_in_same_query!(response_answers_packed, response_exclusions);

diesel::table! {
    response_exclusions (response_id) {
        response_id -> Text,
        version_id -> Text,
        excluded -> Bool,
        reason -> Text,
        changed_by -> Text,
        changed_at -> Timestamp,
        revision -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    login_throttle,
    audit_log,
    app_meta,
    surveys,
    survey_versions,
    responses,
    answers,
    drafts,
    samples,
    invitations,
    invitation_contacts,
    deliveries,
    quota_counts,
    response_erasures,
    response_exclusions,
    population_tables,
);

diesel::table! {
    /// Receipts of erased responses (only the number, the survey and when; see the migration).
    response_erasures (receipt) {
        receipt -> Text,
        survey_id -> Text,
        erased_at -> Timestamp,
    }
}

diesel::table! {
    /// Candidate e-service areas of the backlog, known by their stable `key`.
    backlog_areas (id) {
        id -> Text,
        key -> Text,
        name_sv -> Text,
        name_en -> Text,
        description_sv -> Text,
        description_en -> Text,
        administration -> Text,
        target_group -> Text,
        status -> Text,
        yearly_volume -> BigInt,
        development_cost -> BigInt,
        running_cost -> BigInt,
        feasibility -> Integer,
        feasibility_note -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// An area's share of errands and handling minutes per channel.
    backlog_area_channels (area_id, channel) {
        area_id -> Text,
        channel -> Text,
        share -> Double,
        minutes -> Double,
    }
}

diesel::table! {
    /// Every status change of an area.
    backlog_status_history (id) {
        id -> Text,
        area_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        reason -> Text,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    /// The survey questions that measure an area, and in which role.
    backlog_area_links (id) {
        id -> Text,
        area_id -> Text,
        survey_key -> Text,
        version -> Integer,
        question_key -> Text,
        role -> Text,
        item -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(backlog_area_channels -> backlog_areas (area_id));
diesel::joinable!(backlog_status_history -> backlog_areas (area_id));
diesel::joinable!(backlog_area_links -> backlog_areas (area_id));
diesel::allow_tables_to_appear_in_same_query!(
    backlog_areas,
    backlog_area_channels,
    backlog_status_history,
    backlog_area_links,
);

diesel::table! {
    /// The frozen prediction of a launched area (benefits follow-up).
    backlog_predictions (area_id) {
        area_id -> Text,
        share_point -> Double,
        share_low -> Double,
        share_high -> Double,
        basis -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    /// Follow-up measurements of a launched area: contacts by channel over a period.
    backlog_followups (id) {
        id -> Text,
        area_id -> Text,
        measured_on -> Text,
        period_from -> Text,
        period_to -> Text,
        volume_phone -> BigInt,
        volume_email -> BigInt,
        volume_letter -> BigInt,
        volume_visit -> BigInt,
        volume_web -> BigInt,
        note -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    /// Published backlog rankings, each with all its inputs as JSON.
    backlog_snapshots (id) {
        id -> Text,
        published_by -> Text,
        published_at -> Timestamp,
        seed -> BigInt,
        content -> Text,
        preset_name -> Nullable<Text>,
    }
}

diesel::table! {
    /// Named presets of the ranking model: criteria weights as a JSON map, optionally the AHP
    /// judgements they came from.
    backlog_presets (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        description_sv -> Nullable<Text>,
        description_en -> Nullable<Text>,
        weights -> Text,
        ahp -> Nullable<Text>,
        is_default -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}
