import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmailMessage } from "../core/notifications/order-email";
import { createTestShop, type TestShop } from "../test/support/test-shop";
import { MailOutbox } from "./outbox-mailer";
import { SesMailer } from "./ses-mailer";

let shop: TestShop;
let server: Server;
let mailer: SesMailer;
let outbox: MailOutbox;
const requests: { path: string; body: Record<string, unknown> }[] = [];
let failNext = 0;

/**
 * SES has no local emulator, so this stands in for its endpoint on loopback: the SDK sends
 * real SendEmail requests (POST /v2/email/outbound-emails) and gets SES's answer shapes.
 */
beforeAll(async () => {
  shop = await createTestShop();
  server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => {
      raw += chunk.toString();
    });
    request.on("end", () => {
      if (failNext > 0) {
        failNext--;
        response.writeHead(400, {
          "content-type": "application/json",
          "x-amzn-errortype": "MessageRejected",
        });
        response.end(JSON.stringify({ message: "Email address is not verified." }));
        return;
      }
      requests.push({ path: request.url ?? "", body: JSON.parse(raw) });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ MessageId: `ses-${requests.length}` }));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const ses = new SESv2Client({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  outbox = new MailOutbox(shop.local.document, shop.provisioned.tableNames.mailOutbox);
  mailer = new SesMailer(ses, outbox, "orders@shop.example.com");
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  shop.destroy();
});

const message = (orderId: string): EmailMessage => ({
  orderId,
  eventType: "order_shipped",
  to: "someone@customers.example.com",
  subject: "Your order is on its way",
  text: "Good news",
  html: "<p>Good news</p>",
});

describe("SesMailer", () => {
  it("sends a message once through SES and keeps it in the outbox", async () => {
    expect(await mailer.send(message("ses-1"))).toBe("sent");
    expect(await mailer.send(message("ses-1"))).toBe("duplicate");
    const sent = requests.filter((r) => JSON.stringify(r.body).includes("someone@"));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      path: "/v2/email/outbound-emails",
      body: {
        FromEmailAddress: "orders@shop.example.com",
        Destination: { ToAddresses: ["someone@customers.example.com"] },
        Content: { Simple: { Subject: { Data: "Your order is on its way" } } },
      },
    });
    expect(await outbox.forOrder("ses-1")).toMatchObject([
      { via: "ses", delivered: true, providerMessageId: "ses-1" },
    ]);
  });

  it("sends again on retry when SES refused the first attempt", async () => {
    const before = requests.length;
    failNext = 1;
    await expect(mailer.send(message("ses-2"))).rejects.toThrow(/not verified/);
    expect(await outbox.forOrder("ses-2")).toMatchObject([{ delivered: false }]);
    expect(await mailer.send(message("ses-2"))).toBe("sent");
    expect(requests.length - before).toBe(1);
    expect(await outbox.forOrder("ses-2")).toMatchObject([{ delivered: true }]);
  });
});
