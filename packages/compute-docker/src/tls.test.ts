/**
 * A tcp:// engine with mutual TLS, end to end: a TLS front (client certificates required) on
 * 127.0.0.1 forwards to the real engine socket; the backend talks https with its client certificate,
 * and a certificate the front does not trust is refused with PROVIDER_UNAVAILABLE.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:tls";
import type { Server, TLSSocket } from "node:tls";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import { backendWith, busyboxSpec, countLabelled, describeEngine, SOCKET } from "./test-support/engine.ts";

/** Creates a CA, a server certificate for 127.0.0.1 and a client certificate (and an untrusted client pair). */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const key = (name: string) => ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}-key.pem`);
  for (const ca of ["ca", "rogue-ca"]) {
    key(ca);
    ssl("req", "-x509", "-new", "-key", `${ca}-key.pem`, "-subj", `/CN=${ca}`, "-days", "1", "-out", `${ca}.pem`);
  }
  const sign = (name: string, ca: string, ext: string) => {
    key(name);
    ssl("req", "-new", "-key", `${name}-key.pem`, "-subj", `/CN=${name}`, "-out", `${name}.csr`);
    execFileSync("sh", ["-c", `printf '%s\\n' '${ext}' > ${name}.ext`], { cwd: dir });
    ssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}-key.pem`, "-CAcreateserial", "-days", "1", "-extfile", `${name}.ext`, "-out", `${name}.pem`);
  };
  sign("server", "ca", "subjectAltName=IP:127.0.0.1");
  sign("client", "ca", "extendedKeyUsage=clientAuth");
  sign("rogue", "rogue-ca", "extendedKeyUsage=clientAuth");
}

describeEngine("docker backend: tcp:// engine with TLS client certificates", () => {
  let dir: string;
  let server: Server;
  let port: number;
  const open = new Set<TLSSocket>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "calipso-docker-tls-"));
    makeCertificates(dir);
    server = createServer(
      {
        key: await readFile(join(dir, "server-key.pem")),
        cert: await readFile(join(dir, "server.pem")),
        ca: await readFile(join(dir, "ca.pem")),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (client) => {
        open.add(client);
        const engine = createConnection(SOCKET);
        const drop = () => (client.destroy(), engine.destroy(), open.delete(client));
        client.on("error", drop).on("close", drop);
        engine.on("error", drop).on("close", drop);
        client.pipe(engine).pipe(client);
      },
    );
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("starts, lists and stops a workload over mutual TLS", async () => {
    const tls = { ca: join(dir, "ca.pem"), cert: join(dir, "client.pem"), key: join(dir, "client-key.pem") };
    const backend = await backendWith({ socketPath: undefined, host: `tcp://127.0.0.1:${port}`, tls });
    const spec = busyboxSpec();
    const started = await backend.start(spec, { signal: new AbortController().signal });
    expect((await backend.list(spec.labels)).map((w) => w.handle.id)).toEqual([started.handle.id]);
    await backend.stop(started.handle);
    expect(await countLabelled(spec.labels)).toBe(0);
  });

  it("a client certificate the engine does not trust is refused: PROVIDER_UNAVAILABLE naming the TLS handshake", async () => {
    const tls = { ca: join(dir, "ca.pem"), cert: join(dir, "rogue.pem"), key: join(dir, "rogue-key.pem") };
    const backend = await backendWith({ socketPath: undefined, host: `tcp://127.0.0.1:${port}`, tls });
    const error = await backend.list({}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AppError.is(error, "PROVIDER_UNAVAILABLE"), String(error)).toBe(true);
    expect((error as AppError).detail).toContain(`127.0.0.1:${port}`);
  });
});
