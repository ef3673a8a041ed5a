-- Development users: the application rejects logins when password_hash is NULL.
INSERT INTO users (email, password_hash) VALUES ('dev@example.org', NULL);
