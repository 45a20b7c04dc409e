/** Routes the auth layer sends people to. The pages themselves live in app/. */
export const LOGIN_PATH = "/login";
/** Where a user whose password was reset must go first (`requireUser` redirects there). */
export const CHANGE_PASSWORD_PATH = "/settings/password";
/** Where a user the two-factor policy applies to enrols (`requireUser` redirects there). */
export const TWO_FACTOR_PATH = "/settings/two-factor";
/** Where users see and end their sessions. */
export const SESSIONS_PATH = "/settings/sessions";

/** next-auth's session cookie names (the `__Secure-` one when the site is served over HTTPS). */
export const SESSION_COOKIE = "next-auth.session-token";
export const SECURE_SESSION_COOKIE = "__Secure-next-auth.session-token";
