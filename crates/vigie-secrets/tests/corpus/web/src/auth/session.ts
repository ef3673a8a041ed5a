const TOKEN_KEY = "auth_token";
const REFRESH_TOKEN_KEY = "refresh_token";
export const PASSWORD_REGEX = /^(?=.*[A-Z])(?=.*\d).{12,}$/;

export function saveToken(token: string): void {
  localStorage.setItem(TOKEN_KEY, token);
}

export function authHeader(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}
const apiKey = import.meta.env.VITE_MAPS_API_KEY;
const password = form.get("password") as string;
