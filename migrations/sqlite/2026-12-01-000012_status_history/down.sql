DROP TABLE member_status_history;
