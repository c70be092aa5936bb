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
diesel::allow_tables_to_appear_in_same_query!(users, sessions, login_throttle, audit_log, app_meta);

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
diesel::allow_tables_to_appear_in_same_query!(surveys, survey_versions);
