import { readFileSync } from "node:fs";
import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { ShopFirewallStack } from "./edge";
import { acknowledgeNagFindings } from "./nag-acknowledgments";
import { ShopStack, type ShopStackProps } from "./shop-stack";

/** The context cdk.json sets: the CDK's feature flags, at their recommended values. */
const FEATURE_FLAGS: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL("../cdk.json", import.meta.url), "utf8")) as {
    context: Record<string, unknown>;
  }
).context;

/** Web ACLs for CloudFront can only be made in this region. */
const CLOUDFRONT_WAF_REGION = "us-east-1";

/**
 * The CDK app: the shop's stack (and, when it is deployed outside us-east-1, a small stack
 * there for its firewall), checked by cdk-nag's AwsSolutions and Serverless packs on every
 * synth; every finding is fixed or acknowledged with its reason (nag-acknowledgments.ts).
 */
export function createShopApp(appProps: AppProps = {}, stackProps: ShopStackProps = {}) {
  // The feature flags of cdk.json, which `cdk synth` passes in: an app built in a test or a
  // benchmark gets them too, so it synthesizes the template that is deployed.
  const app = new App({
    ...appProps,
    context: { ...FEATURE_FLAGS, ...appProps.context },
  });
  const fromContext = (
    key:
      | "alarmEmail"
      | "ordersEmailFrom"
      | "stackName"
      | "playground"
      | "legacyOpenRest"
      | "legacyCategoryIndex"
      | "allowedOrigins"
      | "sampleCatalog",
  ): string | undefined => app.node.tryGetContext(key);
  const alarmEmail = fromContext("alarmEmail");
  const ordersEmailFrom = fromContext("ordersEmailFrom");
  const allowedOrigins = fromContext("allowedOrigins");
  const stackName = fromContext("stackName") ?? "Shop";
  const region = stackProps.env?.region ?? CLOUDFRONT_WAF_REGION;
  const firewall =
    region === CLOUDFRONT_WAF_REGION
      ? undefined
      : new ShopFirewallStack(app, `${stackName}-firewall`, {
          env: { ...stackProps.env, region: CLOUDFRONT_WAF_REGION },
          crossRegionReferences: true,
        });
  const stack = new ShopStack(app, stackName, {
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(ordersEmailFrom ? { ordersEmailFrom } : {}),
    ...(fromContext("playground") === "on" ? { playground: true } : {}),
    ...(String(fromContext("legacyOpenRest")) === "true" ? { legacyOpenRest: true } : {}),
    ...(String(fromContext("legacyCategoryIndex")) === "true" ? { legacyCategoryIndex: true } : {}),
    ...(String(fromContext("sampleCatalog")) === "true" ? { sampleCatalog: true } : {}),
    ...(allowedOrigins ? { allowedOrigins: allowedOrigins.split(",").map((o) => o.trim()) } : {}),
    ...(firewall ? { webAclArn: firewall.webAclArn, crossRegionReferences: true } : {}),
    ...stackProps,
  });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack, firewall };
}
