/** A desktop template: Xvnc in a container, reached with an RFB handshake and the generated password. */
import { randomBytes } from "node:crypto";
import { networkInterfaces } from "node:os";
import { expect, it } from "vitest";
import { backendWith, busyboxSpec, describeEngine, engine, XVNC } from "./test-support/engine.ts";
import { rfbHandshake } from "./test-support/rfb.ts";

const never = () => new AbortController().signal;
/** A VNC password as core generates one: random, 8 significant characters (VNC auth uses 8 bytes). */
const password = () => randomBytes(6).toString("base64url");

/** An address of this host that is not loopback (to prove the port is not published there). */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

describeEngine("docker backend: VNC desktop in a container", () => {
  it("starts Xvnc; the RFB handshake succeeds with the generated password (env) and a wrong one is refused", async () => {
    const backend = await backendWith();
    const secret = password();
    const spec = busyboxSpec({
      image: XVNC,
      command: ["/bin/calipso-desktop"],
      port: { container: 5901, protocol: "vnc" },
      resources: { cpu: 1, memoryMiB: 256 },
      secret: { value: secret, env: "CALIPSO_DESKTOP_PASSWORD" },
    });
    const started = await backend.start(spec, { signal: never() });
    try {
      expect(started.endpoint).toMatchObject({ host: "127.0.0.1", protocol: "vnc" });
      const ok = await rfbHandshake(started.endpoint.host, started.endpoint.port, secret);
      expect(ok).toMatchObject({ ok: true, width: 800, height: 600, version: "RFB 003.008\n" });
      const wrong = await rfbHandshake(started.endpoint.host, started.endpoint.port, `${secret[0] === "x" ? "y" : "x"}${secret.slice(1)}`);
      expect(wrong.ok).toBe(false);
      if (!wrong.ok) expect(wrong.reason).toMatch(/auth/i);
    } finally {
      await backend.stop(started.handle);
    }
  });

  it("S5: the desktop port is published on 127.0.0.1 only, with a per-instance password from a read-only file", async () => {
    const backend = await backendWith();
    const secret = password();
    const spec = busyboxSpec({
      image: XVNC,
      command: ["/bin/calipso-desktop"],
      env: { CALIPSO_DESKTOP_PASSWORD_FILE: "/run/calipso/vnc-password" },
      port: { container: 5901, protocol: "vnc" },
      resources: { cpu: 1, memoryMiB: 256 },
      readiness: { log: "Listening for VNC connections" },
      secret: { value: secret, file: "/run/calipso/vnc-password" },
    });
    const started = await backend.start(spec, { signal: never() });
    try {
      const info = await engine.getContainer(started.handle.id).inspect();
      const bindings = Object.values(info.NetworkSettings.Ports ?? {}).flat().filter(Boolean);
      expect(bindings.map((b) => b?.HostIp)).toEqual(["127.0.0.1"]);
      expect(info.HostConfig.PublishAllPorts ?? false).toBe(false);
      expect((info.Config.Env ?? []).join("\n")).not.toContain(secret);
      const result = await rfbHandshake("127.0.0.1", started.endpoint.port, secret);
      expect(result.ok).toBe(true);
      const external = externalAddress();
      if (external !== undefined) {
        await expect(rfbHandshake(external, started.endpoint.port, secret, 2000)).rejects.toThrow();
      }
    } finally {
      await backend.stop(started.handle);
    }
  });
}, { concurrent: true });
