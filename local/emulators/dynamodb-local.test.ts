import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { JVM_OPTIONS, javaMajorVersion, startDynamoDbLocal } from "./dynamodb-local";

describe("the Java version DynamoDB Local is started with", () => {
  it.each([
    {
      major: 8,
      output: `openjdk version "1.8.0_392"
OpenJDK Runtime Environment (Temurin)(build 1.8.0_392-b08)
OpenJDK 64-Bit Server VM (Temurin)(build 25.392-b08, mixed mode)`,
    },
    {
      major: 8,
      output: `java version "1.8.0_391"
Java(TM) SE Runtime Environment (build 1.8.0_391-b13)
Java HotSpot(TM) 64-Bit Server VM (build 25.391-b13, mixed mode)`,
    },
    {
      major: 11,
      output: `openjdk version "11.0.21" 2023-10-17
OpenJDK Runtime Environment (build 11.0.21+9-post-Ubuntu-0ubuntu122.04)
OpenJDK 64-Bit Server VM (build 11.0.21+9-post-Ubuntu-0ubuntu122.04, mixed mode, sharing)`,
    },
    {
      major: 17,
      output: `openjdk version "17.0.9" 2023-10-17
OpenJDK Runtime Environment (build 17.0.9+9-Ubuntu-122.04)
OpenJDK 64-Bit Server VM (build 17.0.9+9-Ubuntu-122.04, mixed mode, sharing)`,
    },
    {
      major: 21,
      output: `Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF-8
openjdk version "21.0.1" 2023-10-17 LTS
OpenJDK Runtime Environment Temurin-21.0.1+12 (build 21.0.1+12-LTS)
OpenJDK 64-Bit Server VM Temurin-21.0.1+12 (build 21.0.1+12-LTS, mixed mode, sharing)`,
    },
    {
      major: 21,
      output: `openjdk version "21" 2023-09-19
OpenJDK Runtime Environment (build 21+35-2513)
OpenJDK 64-Bit Server VM (build 21+35-2513, mixed mode, sharing)`,
    },
  ])("reads Java $major from `java -version`", ({ major, output }) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  it("reads no version from output that names none", () => {
    expect(javaMajorVersion("Error: could not find libjava.so")).toBeUndefined();
  });
});

describe("DynamoDB Local's JVM", () => {
  it("runs with the settings that keep an idle stack quiet and small", async () => {
    const dynamodb = await startDynamoDbLocal({ port: 0 });
    try {
      const argv = readFileSync(`/proc/${dynamodb.pid}/cmdline`, "utf8").split("\0");
      // Before the jar: options after it would be DynamoDB Local's, not the JVM's.
      const jar = argv.findIndex((arg) => arg.endsWith("DynamoDBLocal.jar"));
      expect(jar).toBeGreaterThan(0);
      expect(argv.slice(0, jar)).toEqual(expect.arrayContaining([...JVM_OPTIONS]));
      expect(argv.slice(jar)).toEqual(expect.arrayContaining(["-inMemory", "-sharedDb"]));
    } finally {
      await dynamodb.stop();
    }
  });
});
