import { describe, expect, it } from "vitest";
import { defineCommand, parseCommandLine, UsageError } from "./arguments";

const TOKEN = defineCommand({
  name: "npm run token",
  usage: "Usage: npm run -s token -- --customer <id> | --admin [subject]",
  options: { customer: { type: "string" }, admin: { type: "boolean" } },
  words: true,
});
const START = defineCommand({
  name: "npm start",
  usage: "Usage: npm start [-- --fresh]",
  options: { fresh: { type: "boolean", default: false } },
});

const mistake = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error("no usage error");
};

describe("a local command's arguments", () => {
  it("reads options and words", () => {
    expect(parseCommandLine(TOKEN, ["--admin", "ops"], {})).toEqual({
      values: { admin: true },
      positionals: ["ops"],
    });
    expect(parseCommandLine(START, [], {})).toEqual({ values: { fresh: false }, positionals: [] });
  });

  it("asks for the usage with --help or -h, whatever else is there", () => {
    expect(parseCommandLine(START, ["--help"], {})).toBe("help");
    expect(parseCommandLine(START, ["--frsh", "-h"], {})).toBe("help");
  });

  it("names what is wrong in the user's own words", () => {
    expect(mistake(() => parseCommandLine(START, ["--frsh"], {}))).toBe("unknown option --frsh");
    expect(mistake(() => parseCommandLine(START, ["-f"], {}))).toBe("unknown option -f");
    expect(mistake(() => parseCommandLine(START, ["fresh"], {}))).toBe("unexpected argument fresh");
    expect(mistake(() => parseCommandLine(START, ["--fresh=yes"], {}))).toBe(
      "--fresh takes no value",
    );
    expect(mistake(() => parseCommandLine(TOKEN, ["--customer"], {}))).toBe(
      "--customer needs a value",
    );
    expect(mistake(() => parseCommandLine(TOKEN, ["--customer", "--admin"], {}))).toBe(
      "--customer needs a value",
    );
  });

  it("refuses a flag npm kept for itself (the -- forgotten), saying where the -- goes", () => {
    // `npm start --fresh`, and `npm run token --customer c1`, which passes c1 on as a word.
    expect(mistake(() => parseCommandLine(START, [], { npm_config_fresh: "true" }))).toBe(
      "npm took --fresh as its own option, so it never reached npm start; put -- before the command's options: npm start -- --fresh",
    );
    expect(mistake(() => parseCommandLine(TOKEN, ["c1"], { npm_config_customer: "true" }))).toBe(
      "npm took --customer as its own option, so it never reached npm run token; put -- before the command's options: npm run token -- --customer <value>",
    );
    // Given to the command as well, it reached it.
    expect(parseCommandLine(START, ["--fresh"], { npm_config_fresh: "true" })).toEqual({
      values: { fresh: true },
      positionals: [],
    });
  });
});
