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
        sensitive -> Bool,
        retry_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    form_submissions (id) {
        id -> Text,
        state -> Text,
        status -> Nullable<Integer>,
        location -> Nullable<Text>,
        flash_cookie -> Nullable<Text>,
        created_at -> Timestamp,
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
        grace_days -> Integer,
    }
}

diesel::table! {
    classifications (id) {
        id -> BigInt,
        unit_id -> BigInt,
        name -> Text,
        floor_cents -> Nullable<BigInt>,
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
        adopted_by_question_id -> Nullable<BigInt>,
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
        reversed_at -> Nullable<Timestamp>,
        reversal_reason -> Nullable<Text>,
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
        reverses_id -> Nullable<BigInt>,
        charge_round -> Integer,
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

diesel::table! {
    member_status_history (id) {
        id -> BigInt,
        member_id -> BigInt,
        status -> Text,
        join_date -> Nullable<Date>,
        effective_from -> Date,
        recorded_at -> Timestamp,
        recorded_by -> Text,
    }
}

diesel::joinable!(member_status_history -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    classifications,
    members,
    member_status_history,
    dues_rates,
    checkoff_imports,
    ledger_entries,
    pending_uploads,
    arrears_notices,
    users,
);

diesel::table! {
    grievance_steps (id) {
        id -> BigInt,
        unit_id -> BigInt,
        position -> Integer,
        name -> Text,
        filing_days -> Integer,
        response_days -> Integer,
        day_count -> Text,
        arbitration -> Bool,
    }
}

diesel::table! {
    grievance_procedures (unit_id) {
        unit_id -> BigInt,
        roll_forward -> Bool,
    }
}

diesel::table! {
    unit_holidays (unit_id, holiday) {
        unit_id -> BigInt,
        holiday -> Date,
        name -> Text,
    }
}

diesel::table! {
    grievances (id) {
        id -> BigInt,
        unit_id -> BigInt,
        kind -> Text,
        class_description -> Text,
        incident_date -> Date,
        description -> Text,
        remedy -> Text,
        department -> Text,
        supervisor -> Text,
        filed_on -> Date,
        late_days -> Integer,
        continuing_violation -> Bool,
        step_position -> Integer,
        phase -> Text,
        phase_since -> Date,
        phase_reason -> Text,
        status -> Text,
        due_on -> Nullable<Date>,
        due_act -> Text,
        due_basis -> Text,
        steward_id -> Nullable<BigInt>,
        filed_by -> Nullable<BigInt>,
        outcome_terms -> Text,
        back_pay_cents -> Nullable<BigInt>,
        resolved_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        voided_at -> Nullable<Timestamp>,
        voided_by -> Nullable<BigInt>,
        voided_by_label -> Text,
        void_reason -> Text,
    }
}

diesel::table! {
    grievants (grievance_id, member_id) {
        grievance_id -> BigInt,
        member_id -> BigInt,
    }
}

diesel::table! {
    grievance_articles (grievance_id, article) {
        grievance_id -> BigInt,
        article -> Text,
    }
}

diesel::table! {
    grievance_events (id) {
        id -> BigInt,
        grievance_id -> BigInt,
        act -> Text,
        step_position -> Integer,
        occurred_on -> Date,
        detail -> Text,
        author_id -> Nullable<BigInt>,
        author_label -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    grievance_extensions (id) {
        id -> BigInt,
        grievance_id -> BigInt,
        due_act -> Text,
        old_due -> Date,
        new_due -> Date,
        agreed_with -> Text,
        agreed_on -> Date,
        recorded_by -> Nullable<BigInt>,
        recorded_by_label -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    grievance_notes (id) {
        id -> BigInt,
        grievance_id -> BigInt,
        shared -> Bool,
        body -> Text,
        author_id -> Nullable<BigInt>,
        author_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    grievance_attachments (id) {
        id -> BigInt,
        grievance_id -> BigInt,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        storage_key -> Text,
        sha256 -> Text,
        uploaded_by -> Nullable<BigInt>,
        uploaded_by_label -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    deadline_reminders (grievance_id, due_on, days_before, user_id) {
        grievance_id -> BigInt,
        due_on -> Date,
        days_before -> Integer,
        user_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(grievance_steps -> units (unit_id));
diesel::joinable!(grievances -> units (unit_id));
diesel::joinable!(grievants -> grievances (grievance_id));
diesel::joinable!(grievants -> members (member_id));
diesel::joinable!(grievance_articles -> grievances (grievance_id));
diesel::joinable!(grievance_events -> grievances (grievance_id));
diesel::joinable!(grievance_notes -> grievances (grievance_id));
diesel::joinable!(grievance_attachments -> grievances (grievance_id));

diesel::allow_tables_to_appear_in_same_query!(
    grievance_steps,
    unit_holidays,
    grievances,
    grievants,
    grievance_articles,
    grievance_events,
    grievance_extensions,
    grievance_notes,
    grievance_attachments,
    deadline_reminders,
    users,
);

// Pairs outside the list above; a pair may be declared only once.
diesel::allow_tables_to_appear_in_same_query!(grievants, members);
diesel::allow_tables_to_appear_in_same_query!(grievances, members);
diesel::allow_tables_to_appear_in_same_query!(grievances, units);
diesel::allow_tables_to_appear_in_same_query!(grievance_steps, units);

diesel::table! {
    scenarios (id) {
        id -> BigInt,
        unit_id -> BigInt,
        name -> Text,
        raise_bp -> Integer,
        flat_raise_cents -> BigInt,
        premium_monthly_cents -> BigInt,
        effective_date -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    scenario_floors (scenario_id, classification_id) {
        scenario_id -> BigInt,
        classification_id -> BigInt,
        floor_cents -> BigInt,
    }
}

diesel::table! {
    reference_costs (unit_id, kind) {
        unit_id -> BigInt,
        kind -> Text,
        amount -> BigInt,
        source -> Text,
        as_of -> Date,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(scenario_floors -> scenarios (scenario_id));
diesel::joinable!(scenario_floors -> classifications (classification_id));

diesel::allow_tables_to_appear_in_same_query!(scenarios, scenario_floors, reference_costs);
diesel::allow_tables_to_appear_in_same_query!(scenario_floors, classifications);
diesel::allow_tables_to_appear_in_same_query!(scenarios, units);

diesel::table! {
    elections (id) {
        id -> BigInt,
        unit_id -> BigInt,
        title -> Text,
        description -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        cutoff -> Date,
        status -> Text,
        roll_fingerprint -> Nullable<Text>,
        eligible -> Nullable<Integer>,
        close_reason -> Text,
        closed_at -> Nullable<Timestamp>,
        purged_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        threshold -> Integer,
        keyed_at -> Nullable<Timestamp>,
        credential_officer_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    election_credentials (election_id, public_key) {
        election_id -> BigInt,
        public_key -> Text,
    }
}

diesel::table! {
    election_trustees (election_id, position) {
        election_id -> BigInt,
        position -> Integer,
        user_id -> BigInt,
        name -> Text,
        transport -> Nullable<Text>,
        deal -> Nullable<Text>,
        confirmation -> Nullable<Text>,
    }
}

diesel::table! {
    ballot_alphas (election_id, alpha) {
        election_id -> BigInt,
        alpha -> Text,
    }
}

diesel::table! {
    election_observers (token_hash) {
        token_hash -> Text,
        election_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    election_record (election_id, seq) {
        election_id -> BigInt,
        seq -> BigInt,
        line -> Text,
    }
}

diesel::table! {
    election_questions (id) {
        id -> BigInt,
        election_id -> BigInt,
        position -> Integer,
        text -> Text,
        kind -> Text,
        pass_num -> Integer,
        pass_den -> Integer,
        pass_at_least -> Bool,
        min_turnout_bp -> Integer,
        dues_kind -> Nullable<Text>,
        dues_basis_points -> Integer,
        dues_min_cents -> BigInt,
        dues_max_cents -> BigInt,
        dues_flat_cents -> BigInt,
        dues_effective -> Nullable<Date>,
    }
}

diesel::table! {
    election_choices (id) {
        id -> BigInt,
        question_id -> BigInt,
        position -> Integer,
        label -> Text,
    }
}

diesel::table! {
    roll_entries (election_id, member_id) {
        election_id -> BigInt,
        member_id -> BigInt,
        employee_number -> Text,
        name -> Text,
        classification -> Text,
    }
}

diesel::table! {
    roll_challenges (id) {
        id -> BigInt,
        election_id -> BigInt,
        member_id -> BigInt,
        kind -> Text,
        reason -> Text,
        raised_by -> Nullable<BigInt>,
        status -> Text,
        resolution -> Text,
        resolved_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        about -> Text,
    }
}

diesel::table! {
    participation (election_id, member_id) {
        election_id -> BigInt,
        member_id -> BigInt,
        method -> Text,
        credential -> Nullable<Text>,
    }
}

diesel::table! {
    ballots (election_id, tracking_code) {
        election_id -> BigInt,
        tracking_code -> Text,
    }
}

diesel::table! {
    election_results (question_id, choice_id) {
        question_id -> BigInt,
        choice_id -> BigInt,
        votes -> Integer,
    }
}

diesel::table! {
    election_outcomes (election_id) {
        election_id -> BigInt,
        participated_online -> Integer,
        participated_paper -> Integer,
        summary -> Text,
    }
}

diesel::table! {
    election_reminders (id) {
        id -> BigInt,
        election_id -> BigInt,
        due_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        recipients -> Nullable<Integer>,
    }
}

diesel::joinable!(election_questions -> elections (election_id));
diesel::joinable!(election_choices -> election_questions (question_id));
diesel::joinable!(roll_entries -> members (member_id));
diesel::joinable!(elections -> units (unit_id));
diesel::joinable!(election_trustees -> elections (election_id));
diesel::joinable!(election_trustees -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(election_trustees, users);
diesel::joinable!(participation -> members (member_id));
diesel::joinable!(roll_challenges -> members (member_id));

diesel::allow_tables_to_appear_in_same_query!(
    elections,
    election_trustees,
    election_record,
    election_observers,
    ballot_alphas,
    election_questions,
    election_choices,
    roll_entries,
    roll_challenges,
    participation,
    ballots,
    election_results,
    election_outcomes,
    election_reminders,
);
diesel::allow_tables_to_appear_in_same_query!(roll_entries, members);
diesel::allow_tables_to_appear_in_same_query!(participation, members);
diesel::allow_tables_to_appear_in_same_query!(roll_challenges, members);
diesel::allow_tables_to_appear_in_same_query!(elections, units);

diesel::allow_tables_to_appear_in_same_query!(dues_rates, election_questions);
diesel::allow_tables_to_appear_in_same_query!(dues_rates, elections);
