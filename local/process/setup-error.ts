/**
 * A problem the person running the stack can fix (missing Java, a busy port). The start
 * script prints its message as one line instead of a stack trace.
 */
export class LocalSetupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LocalSetupError";
  }
}
