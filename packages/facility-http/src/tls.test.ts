/** The custom CA option against a real HTTPS user office on loopback (certificate made by openssl). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import type { Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFacilityHttp } from "./test-helpers.ts";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const available = hasOpenssl();
if (!available && process.env.CALIPSO_REQUIRE_REAL === "1") throw new Error("openssl is required for the facility-http TLS tests (CALIPSO_REQUIRE_REAL=1)");

describe.skipIf(!available)("facility-http over HTTPS with a custom CA (skipped: needs the openssl binary)", () => {
  let server: Server;
  let url: string;
  let ca: string;
  const dir = mkdtempSync(join(tmpdir(), "calipso-fh-tls-"));

  beforeAll(async () => {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    ca = readFileSync(join(dir, "cert.pem"), "utf8");
    server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: ca }, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ count: 1, next: null, previous: null, results: [{ proposal_id: "TLS-1", subject: "over TLS" }] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("[fh/tls-01] trusts the configured CA (and a connect timeout) through an undici dispatcher", async () => {
    const { experiments } = await createFacilityHttp({ experimentsUrl: `${url}/experiments/$USERNAME/`, http: { caCert: ca, connectTimeoutMs: 2_000 } });
    expect((await experiments.listForUser("alice")).map((e) => e.proposalId)).toEqual(["TLS-1"]);
    await experiments.dispose!();
    await experiments.dispose!();
  });

  it("[fh/tls-02] without the CA the self-signed certificate is refused (PROVIDER_UNAVAILABLE)", async () => {
    const { experiments } = await createFacilityHttp({ experimentsUrl: `${url}/experiments/$USERNAME/`, http: { retries: 0 } });
    await expect(experiments.listForUser("alice")).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
  });
});
