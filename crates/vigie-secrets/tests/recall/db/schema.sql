CREATE TABLE users (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    api_token_digest char(64)
);
CREATE INDEX users_token ON users (api_token_digest);
