/**
 * What the login page and the auth layer agree on (no server code here: the login form imports it). After the
 * right password of an account with two-factor login, next-auth answers with the error `TWO_FACTOR_REQUIRED`
 * and the page asks for the code.
 */
export const TWO_FACTOR_REQUIRED = "TWO_FACTOR_REQUIRED";

/** The only message a failed second step shows. */
export const CODE_FAILED_MESSAGE = "Invalid code, or too many attempts. Try again later.";
