import { Stack, type StackProps } from "aws-cdk-lib";
import { CfnWebACL } from "aws-cdk-lib/aws-wafv2";
import { Construct } from "constructs";

/**
 * How many requests one IP address may send in five minutes before the web ACL blocks it
 * for a while: about 7 a second, far above a person's browsing or checkout, far below a
 * flood.
 */
export const REQUESTS_PER_IP_PER_5_MINUTES = 2000;

/**
 * The firewall in front of the API. A WAF web ACL cannot attach to an HTTP API, so it sits
 * on the CloudFront distribution before it, with AWS's common rule set (the usual exploit
 * patterns) and a rate-based rule per client IP, answering 429. Web ACLs for CloudFront
 * live in us-east-1.
 */
export class ShopFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new CfnWebACL(this, "WebAcl", {
      scope: "CLOUDFRONT",
      defaultAction: { allow: {} },
      visibilityConfig: visibility("shop-web-acl"),
      customResponseBodies: {
        tooMany: {
          contentType: "APPLICATION_JSON",
          content: JSON.stringify({ error: "Too many requests; slow down" }),
        },
      },
      rules: [
        {
          name: "RatePerIp",
          priority: 0,
          action: {
            block: { customResponse: { responseCode: 429, customResponseBodyKey: "tooMany" } },
          },
          statement: {
            rateBasedStatement: {
              limit: REQUESTS_PER_IP_PER_5_MINUTES,
              aggregateKeyType: "IP",
              evaluationWindowSec: 300,
            },
          },
          visibilityConfig: visibility("shop-rate-per-ip"),
        },
        {
          name: "AwsCommonRules",
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" },
          },
          visibilityConfig: visibility("shop-common-rules"),
        },
      ],
    });
  }
}

/** The firewall in its own stack in us-east-1, for a shop deployed in another region. */
export class ShopFirewallStack extends Stack {
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    this.webAclArn = new ShopFirewall(this, "Firewall").webAcl.attrArn;
  }
}
