/**
 * Which XAPI methods a read-only pool may call: those without side effects on the pool. Anything not
 * recognised here is refused (the safe default), including every `Async.` call.
 */
const READ_ONLY_EXACT = new Set([
  "session.login_with_password",
  "session.logout",
  "event.from",
  "event.next",
  "event.register",
  "event.unregister",
  "event.get_current_id",
  // Creates no object: returns a token for the current point of the event stream (needed by the live cache).
  "event.inject",
  "message.get",
  "message.get_since",
  "system.listMethods",
  "system.methodSignature",
  "system.methodHelp",
]);

/** Getters (`get_record`, `get_all_records`, `get_<field>`...), checks (`assert_...`) and computations. */
const READ_ONLY_PATTERN = /^[A-Za-z][A-Za-z0-9_]*\.(?:get_[A-Za-z0-9_]+|assert_[A-Za-z0-9_]+|compute_[A-Za-z0-9_]+)$/;

export function isReadOnlyMethod(method: string): boolean {
  return READ_ONLY_EXACT.has(method) || READ_ONLY_PATTERN.test(method);
}
