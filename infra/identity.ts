import { Duration, RemovalPolicy } from "aws-cdk-lib";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

/** The group whose members are admins (the api reads `cognito:groups`). */
export const ADMIN_GROUP = "admin";

/**
 * Who the shop's callers are: a Cognito user pool where customers sign up with their email
 * and admins are members of the `admin` group, and the app client the API accepts tokens
 * for. The api verifies the pool's tokens itself (its issuer, this client, the pool's
 * published keys); API Gateway's JWT authorizer checks them too on the routes that serve
 * only signed-in callers.
 */
export class ShopIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, "Users", {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // A second factor for whoever turns it on; required for nobody, since a shop's
      // customers would not sign up through an authenticator app.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Compromised-credential and risky sign-in protection (Cognito's Plus plan).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.client = this.userPool.addClient("Storefront", {
      authFlows: { userSrp: true, userPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    new CfnUserPoolGroup(this, "Admins", {
      userPoolId: this.userPool.userPoolId,
      groupName: ADMIN_GROUP,
      description:
        "Runs the shop: ships and cancels any order, reads sales, timelines, dead letters",
    });
  }

  /** The issuer, audience and key set the api verifies tokens against. */
  get tokenIssuer() {
    const issuer = this.userPool.userPoolProviderUrl;
    return {
      issuer,
      audience: this.client.userPoolClientId,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
    };
  }
}
