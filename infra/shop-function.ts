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
  /**
   * Import paths left out of the bundle, beyond `SDK_CREDENTIAL_LINKS`: modules the code
   * imports only on demand, for features this function never turns on. Reaching one fails.
   */
  readonly unbundledImports?: readonly string[];
}

/**
 * The links of the AWS SDK's default credential chain after the first. Lambda hands every
 * function its role's credentials in the environment, so the chain stops at its first link
 * (`fromEnv`); the SDK imports the others (profiles, SSO, web identity, container and
 * instance metadata, with the STS and SSO clients they bring) only when the environment
 * has none. Bundled, they would cost every cold start their parsing, and the instance
 * metadata link's static `node:http` import loads Node's fetch implementation as well.
 */
const SDK_CREDENTIAL_LINKS = [
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
  "@aws-sdk/credential-provider-http",
  "@smithy/credential-provider-imds",
];

/**
 * One Lambda function of the shop with the defaults every function shares: Node.js 22 on
 * arm64, bundled by esbuild into one minified ESM file with source maps and the AWS SDK
 * tree-shaken into it (no reliance on the runtime's copy), built for production
 * (`NODE_ENV`), X-Ray tracing (active, recorded by Powertools Tracer), JSON logs kept a
 * month, and the Powertools environment.
 * Memory, timeout and concurrency come from the topology.
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
        // Powertools Tracer: on (it records nothing outside Lambda), SDK and HTTPS calls
        // captured, errors kept; responses not, since they hold customers' orders.
        POWERTOOLS_TRACE_ENABLED: "true",
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: "false",
        POWERTOOLS_TRACER_CAPTURE_ERROR: "true",
        POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: "true",
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
        externalModules: [...SDK_CREDENTIAL_LINKS, ...(props.unbundledImports ?? [])],
        mainFields: ["module", "main"],
        // Libraries skip their development checks (graphql-js's costly `instanceOf` on
        // every field), and the bundle leaves out the code behind them.
        define: { "process.env.NODE_ENV": JSON.stringify("production") },
        esbuildArgs: {
          "--alias": [
            // The Lambda integration require()s Apollo Server, which would bundle its
            // CommonJS copy beside the ESM one the api imports: two servers' worth of code
            // (and of graphql-tools) to load. Both get the ESM one (the path is from the
            // project root, where esbuild runs).
            "@apollo/server=./node_modules/@apollo/server/dist/esm",
            // Apollo's hashing helper finds node:crypto through `module.require`, which a
            // bundled module lacks, and falls back to hashing every request's query in
            // JavaScript (sha.js). It gets node:crypto, which has the same createHash.
            "@apollo/utils.createhash=node:crypto",
          ],
        },
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
