export const config = {
  apiUrl: process.env.API_URL ?? 'http://localhost:8080',
  token: process.env.API_TOKEN,
  password: process.env.DB_PASSWORD || '',
  secret: process.env.SESSION_SECRET || 'changeme',
};
