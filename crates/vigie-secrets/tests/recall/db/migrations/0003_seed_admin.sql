-- Seed the first administrator.
INSERT INTO admins (login, password) VALUES ('root', '$2b$12$a3DjkBzHS1LnH00yD.NoAF4F4l/ihyREhC1JVP18GuBKvlrUNn/Rj');
