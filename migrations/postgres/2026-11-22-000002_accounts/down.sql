DROP TABLE notification_prefs;
DROP TABLE audit_log;
DROP TABLE throttle;
DROP TABLE recovery_codes;
DROP TABLE one_time_tokens;
DROP TABLE sessions;
DROP TABLE user_roles;
DROP TABLE users;
