import { join } from "node:path";
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Architecture, LoggingFormat, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat, SourceMapMode } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { FunctionSpec } from "./topology";

export const REPOSITORY_ROOT = join(import.meta.dirname, "..");

export interface ShopFunctionProps {
  readonly serviceName: string;
  readonly spec: FunctionSpec;
  readonly environment: Record<string, string>;
  /** Files to ship beside the bundle: [path under the repository root, path in the bundle]. */
  readonly extraFiles?: readonly (readonly [string, string])[];
}

/**
 * One Lambda function of the shop with the defaults every function shares: Node.js 22 on
 * arm64, bundled by esbuild into one minified ESM file with source maps and the AWS SDK
 * tree-shaken into it (no reliance on the runtime's copy), X-Ray tracing, JSON logs kept a
 * month, and the Powertools environment. Memory, timeout and concurrency come from the
 * topology.
 */
export class ShopFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ShopFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, "Logs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, "Function", {
      entry: join(REPOSITORY_ROOT, props.spec.entry),
      handler: "handler",
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.spec.memoryMb,
      timeout: Duration.seconds(props.spec.timeoutSeconds),
      ...(props.spec.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.spec.reservedConcurrency }
        : {}),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, "package-lock.json"),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: "Shop",
        POWERTOOLS_LOG_LEVEL: "INFO",
        SHOP_ENVIRONMENT: "production",
        NODE_OPTIONS: "--enable-source-maps",
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // Bundle the AWS SDK too: pinned versions, and only the code that is used.
        externalModules: [],
        mainFields: ["module", "main"],
        // Some dependencies are CommonJS and call require(); ESM output needs it defined.
        banner:
          "import { createRequire as __shopRequire } from 'module';const require = __shopRequire(import.meta.url);",
        metafile: true,
        ...(props.extraFiles?.length
          ? {
              commandHooks: {
                beforeInstall: () => [],
                beforeBundling: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.extraFiles ?? []).map(
                    ([from, to]) =>
                      `mkdir -p "${join(outputDir, to, "..")}" && cp "${join(inputDir, from)}" "${join(outputDir, to)}"`,
                  ),
              },
            }
          : {}),
      },
    });
  }
}
