import { createShopApp } from "./shop-app";

/**
 * `cdk synth` / `cdk deploy` entry. Settings come from CDK context:
 * `npm run deploy -- -c alarmEmail=ops@example.com -c ordersEmailFrom=orders@example.com`.
 */
const { app } = createShopApp(
  {},
  {
    env: {
      ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
      region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? "us-east-1",
    },
  },
);
app.synth();
