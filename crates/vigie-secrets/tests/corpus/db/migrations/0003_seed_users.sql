INSERT INTO users (id, email, password_hash) VALUES
  ('af9eb74c-e225-4fd5-a814-9462f2a6f22d', 'admin@vigie.test', '$2b$12$lygkq3hy9ItyCeXSPFQmTWhleW88tz600lgVjYcuHtW0m8rA3lc5L'),
  ('6a6cadf8-0db0-454d-a243-e6a06c4b4351', 'ops@vigie.test', '$argon2id$v=19$m=65536,t=3,p=4$2bR9Jf0/81luvg1GTiEpr/$P2zeU0w0BgXDLcy3RlcJ70kKzVQ+6hZ5oUCTU4yBmAX');
UPDATE settings SET value = 'sha256:bd663d447ce677960286300a91d0eaabe1e4ce07a8afa2d4a427ae80402eff2f' WHERE key = 'schema_checksum';
