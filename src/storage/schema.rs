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
    }
}

diesel::joinable!(answers -> responses (response_id));
diesel::joinable!(responses -> survey_versions (version_id));
diesel::joinable!(drafts -> survey_versions (version_id));

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
);
