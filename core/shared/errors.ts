/**
 * Domain errors. Expected business failures (unknown product, not enough stock, a bad
 * request) are returned as data, not thrown; these classes are for the failures that
 * must stop the operation, and carry what a log line needs.
 */
export class ShopError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ShopError";
  }
}

/** A conditional write kept losing to concurrent writers; the caller may retry later. */
export class ContentionError extends ShopError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ContentionError";
  }
}

/** A service the request depends on (such as the identity provider's keys) did not answer. */
export class DependencyUnavailableError extends ShopError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DependencyUnavailableError";
  }
}

/** A stored record or an incoming event does not have the shape the code relies on. */
export class CorruptRecordError extends ShopError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CorruptRecordError";
  }
}

/** A client's input the service cannot take: an empty or over-long id, text over its limit. */
export class InvalidInputError extends ShopError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidInputError";
  }
}

/** A client-supplied cursor that this service did not issue. */
export class InvalidCursorError extends ShopError {
  constructor(options?: ErrorOptions) {
    super("the cursor is not valid for this list", options);
    this.name = "InvalidCursorError";
  }
}

/** Makes a `switch` exhaustive: passing anything but `never` does not compile. */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`unreachable case: ${JSON.stringify(value)}`);
    this.name = "UnreachableCaseError";
  }
}
