import { createHmac } from "node:crypto";

/**
 * Slack's request signature, as Slack computes it (docs.slack.dev "Verifying requests from
 * Slack"; Bolt's verify-request.js checks it): `v0=HMAC_SHA256(secret, "v0:" + timestamp + ":" +
 * rawBody)` in X-Slack-Signature, the timestamp (seconds) in X-Slack-Request-Timestamp.
 */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

/** The two headers of a signed request. */
export function signatureHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return { "x-slack-request-timestamp": String(ts), "x-slack-signature": slackSignature(secret, ts, body) };
}
