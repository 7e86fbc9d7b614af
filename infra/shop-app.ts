import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { acknowledgeNagFindings } from "./nag-acknowledgments";
import { ShopStack, type ShopStackProps } from "./shop-stack";

/**
 * The CDK app: one stack, checked by cdk-nag's AwsSolutions and Serverless packs on every
 * synth; every finding is fixed or acknowledged with its reason (nag-acknowledgments.ts).
 */
export function createShopApp(appProps: AppProps = {}, stackProps: ShopStackProps = {}) {
  const app = new App(appProps);
  const fromContext = (
    key: "alarmEmail" | "ordersEmailFrom" | "stackName" | "playground",
  ): string | undefined => app.node.tryGetContext(key);
  const alarmEmail = fromContext("alarmEmail");
  const ordersEmailFrom = fromContext("ordersEmailFrom");
  const stack = new ShopStack(app, fromContext("stackName") ?? "Shop", {
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(ordersEmailFrom ? { ordersEmailFrom } : {}),
    ...(fromContext("playground") === "on" ? { playground: true } : {}),
    ...stackProps,
  });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
