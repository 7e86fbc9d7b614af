import { type ParseArgsOptionsConfig, parseArgs } from "node:util";

/** A local command as its user types it: its name, its usage text and its options. */
export interface Command<O extends ParseArgsOptionsConfig> {
  /** How it is run, such as "npm start": every message it prints about its arguments starts with it. */
  readonly name: string;
  readonly usage: string;
  /** Its options, besides --help and -h, which every command has. */
  readonly options: O;
  /** Whether it takes words besides its options (the command checks which). */
  readonly words?: boolean;
}

/** A command, with the types of its options kept for what parsing returns. */
export function defineCommand<const O extends ParseArgsOptionsConfig>(
  spec: Command<O>,
): Command<O> {
  return spec;
}

/** A mistake in how a command was called: reported in one line, with the usage, exit code 2. */
export class UsageError extends Error {}

const HELP = { help: { type: "boolean", short: "h" } } as const;

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP; allowPositionals: true; strict: true }>
>;

/**
 * The options and words of a command line, or "help" when it asks for the usage (which wins
 * over anything else on it). Checked: an unknown option, a missing value or a word the
 * command does not take is a `UsageError` naming it. So is an option npm kept for
 * itself: `npm start --fresh` (the `--` forgotten) reaches the command without the flag, and
 * npm sets `npm_config_fresh` instead. Such a command is refused rather than run as if the
 * flag had been given: an environment variable can outlive the command (exported in a shell,
 * or set in an .npmrc), and --fresh deletes data.
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(
  command: Command<O>,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed<O> | "help" {
  const options = { ...command.options, ...HELP };
  // Parsed leniently first, to name what is wrong in the user's own words.
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return "help";
  const given = new Set<string>();
  for (const token of tokens) {
    if (token.kind === "positional" && !command.words) {
      throw new UsageError(`unexpected argument ${token.value}`);
    }
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (!option) throw new UsageError(`unknown option ${token.rawName}`);
    if (
      option.type === "string" &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))
    ) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
    if (option.type === "boolean" && token.inlineValue) {
      throw new UsageError(`${token.rawName} takes no value`);
    }
    given.add(token.name);
  }
  for (const [name, option] of Object.entries(command.options)) {
    const kept = env[`npm_config_${name.replaceAll("-", "_")}`];
    if (given.has(name) || kept === undefined || kept === "") continue;
    const flag = option.type === "string" ? `--${name} <value>` : `--${name}`;
    throw new UsageError(
      `npm took --${name} as its own option, so it never reached ${command.name}; put -- before the command's options: ${command.name} -- ${flag}`,
    );
  }
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

/**
 * This process's command line, checked by `parseCommandLine`. With --help or -h, prints the
 * usage and exits; with a mistake, prints it and the usage and exits with code 2.
 */
export function readCommandLine<O extends ParseArgsOptionsConfig>(command: Command<O>): Parsed<O> {
  let parsed: Parsed<O> | "help";
  try {
    parsed = parseCommandLine(command, process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof UsageError) refuse(command, error.message);
    throw error;
  }
  if (parsed === "help") {
    console.log(command.usage);
    process.exit(0);
  }
  return parsed;
}

/** Reports a mistake in how the command was called, in one line and the usage; exit code 2. */
export function refuse<O extends ParseArgsOptionsConfig>(
  command: Command<O>,
  mistake: string,
): never {
  console.error(`${command.name}: ${mistake}\n\n${command.usage}`);
  process.exit(2);
}
