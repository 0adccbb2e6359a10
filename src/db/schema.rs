//! The one schema for both backends; the migrations in `migrations/sqlite/`
//! and `migrations/postgres/` must produce tables that match it.

diesel::table! {
    outbox (id) {
        id -> BigInt,
        message_id -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        template -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        member_id -> Nullable<BigInt>,
        totp_secret -> Nullable<Text>,
        totp_pending_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        two_factor_exempt -> Bool,
        created_at -> Timestamp,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_roles (user_id, role) {
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        second_factor_done -> Bool,
        ip -> Text,
        user_agent -> Text,
    }
}

diesel::table! {
    one_time_tokens (token_hash) {
        token_hash -> Text,
        purpose -> Text,
        user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    recovery_codes (user_id, code_hash) {
        user_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttle (key) {
        key -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        actor_label -> Text,
        action -> Text,
        target -> Text,
        detail -> Text,
        ip -> Text,
    }
}

diesel::table! {
    notification_prefs (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
        enabled -> Bool,
    }
}

diesel::joinable!(user_roles -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(notification_prefs -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    outbox,
    users,
    user_roles,
    sessions,
    one_time_tokens,
    recovery_codes,
    throttle,
    audit_log,
    notification_prefs,
);

diesel::table! {
    units (id) {
        id -> BigInt,
        name -> Text,
        employer -> Text,
        contract_start -> Nullable<Date>,
        contract_end -> Nullable<Date>,
        arrears_allowance_months -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    classifications (id) {
        id -> BigInt,
        unit_id -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    members (id) {
        id -> BigInt,
        employee_number -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Nullable<Text>,
        unit_id -> BigInt,
        classification_id -> BigInt,
        department -> Text,
        hire_date -> Date,
        annual_salary_cents -> BigInt,
        work_arrangement -> Text,
        status -> Text,
        join_date -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dues_rates (id) {
        id -> BigInt,
        unit_id -> BigInt,
        effective_from -> Date,
        kind -> Text,
        basis_points -> Integer,
        monthly_min_cents -> BigInt,
        monthly_max_cents -> BigInt,
        flat_cents -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    checkoff_imports (id) {
        id -> BigInt,
        unit_id -> BigInt,
        period_start -> Date,
        period_end -> Date,
        file_sha256 -> Text,
        row_count -> Integer,
        total_cents -> BigInt,
        imported_by -> Nullable<BigInt>,
        imported_by_label -> Text,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        member_id -> BigInt,
        entry_date -> Date,
        kind -> Text,
        amount_cents -> BigInt,
        period -> Nullable<Text>,
        reason -> Text,
        import_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pending_uploads (token_hash) {
        token_hash -> Text,
        kind -> Text,
        user_id -> BigInt,
        unit_name -> Text,
        file_name -> Text,
        content -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    arrears_notices (member_id, month) {
        member_id -> BigInt,
        month -> Text,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(classifications -> units (unit_id));
diesel::joinable!(members -> units (unit_id));
diesel::joinable!(members -> classifications (classification_id));
diesel::joinable!(dues_rates -> units (unit_id));
diesel::joinable!(ledger_entries -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    classifications,
    members,
    dues_rates,
    checkoff_imports,
    ledger_entries,
    pending_uploads,
    arrears_notices,
    users,
);
