/**
 * The one error type the simulator's XAPI code throws: an XAPI error code with its string parameters,
 * answered as `{Status: "Failure", ErrorDescription: [code, ...params]}` (or its JSON-RPC form).
 */
export class XapiError extends Error {
  readonly code: string;
  readonly params: string[];

  constructor(code: string, params: readonly unknown[] = []) {
    const strings = params.map((p) => String(p));
    super(`${code}(${strings.join(", ")})`);
    this.name = "XapiError";
    this.code = code;
    this.params = strings;
  }

  /** `[code, ...params]`, as in `ErrorDescription` and `task.error_info`. */
  get description(): string[] {
    return [this.code, ...this.params];
  }
}

/** Anything thrown while serving a call becomes an XAPI error; unexpected ones become INTERNAL_ERROR. */
export function toXapiError(error: unknown): XapiError {
  if (error instanceof XapiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new XapiError("INTERNAL_ERROR", [message]);
}
