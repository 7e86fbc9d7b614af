import { RESOURCE_ENV } from "./table-definitions";

/**
 * Reading a function's configuration from its environment. Each Lambda module reads only
 * the variables it uses (its topology entry gives it exactly those), once, at start-up,
 * and every problem is reported at once by name, so a misconfigured function fails with
 * one clear line instead of a first call that breaks.
 */

/** A function's environment variables, as Lambda gives them (or the local runtime does). */
export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

export type ResourceName = keyof typeof RESOURCE_ENV;

/** Reads variables and collects what is wrong with them. */
export class ConfigVariables {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  private value(name: string): string | undefined {
    const raw = this.env[name];
    return raw === undefined || raw === "" ? undefined : raw;
  }

  /** A resource's physical name (a table, the topic), under the variable the topology names. */
  resource(resource: ResourceName): string {
    const name = RESOURCE_ENV[resource];
    const value = this.value(name);
    if (value === undefined) this.problems.push(`${name} is required`);
    else if (value.length < 3) this.problems.push(`${name} must be a resource name`);
    return value ?? "";
  }

  text(name: string, fallback: string): string {
    return this.value(name) ?? fallback;
  }

  url(name: string): string | undefined {
    const value = this.value(name);
    if (value !== undefined && !URL.canParse(value)) this.problems.push(`${name} must be a URL`);
    return value;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.value(name) ?? fallback;
    if (!values.includes(value as T)) {
      this.problems.push(`${name} must be one of ${values.join(", ")}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  number(
    name: string,
    fallback: number,
    bounds: { min?: number; max?: number; integer?: boolean },
  ) {
    const raw = this.value(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    const { min = -Infinity, max = Infinity, integer = false } = bounds;
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (integer && !Number.isInteger(value))
    ) {
      const kind = integer ? "a whole number" : "a number";
      this.problems.push(`${name} must be ${kind} from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }
}

/** Reads a configuration with `read`, and throws one error naming every problem found. */
export function readConfig<T>(env: Environment, read: (vars: ConfigVariables) => T): T {
  const vars = new ConfigVariables(env);
  const config = read(vars);
  if (vars.problems.length > 0) {
    throw new ConfigError(`invalid configuration: ${vars.problems.join("; ")}`);
  }
  return config;
}

/** Where an AWS service is: the region, and an endpoint when it is not AWS itself (the emulators). */
export interface ServiceLocation {
  readonly region: string;
  readonly endpoint?: string;
}

/** The location of one service: `AWS_REGION` and `AWS_ENDPOINT_URL_<SERVICE>`. */
export function serviceLocation(
  vars: ConfigVariables,
  service: "DYNAMODB" | "SNS" | "SQS" | "SESV2",
): ServiceLocation {
  const region = vars.text("AWS_REGION", vars.text("AWS_DEFAULT_REGION", "us-east-1"));
  const endpoint = vars.url(`AWS_ENDPOINT_URL_${service}`);
  return endpoint ? { region, endpoint } : { region };
}

/** `local` shows internal error messages and allows introspection; `production` does not. */
export function shopEnvironment(vars: ConfigVariables): "local" | "production" {
  return vars.oneOf("SHOP_ENVIRONMENT", ["local", "production"], "production");
}
