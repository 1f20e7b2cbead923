/** The create-container body: isolation and limits are always there, whatever the spec says. */
import { describe, expect, it } from "vitest";
import { AppError } from "@calipso/core";
import type { WorkloadSpec } from "@calipso/core";
import { DockerConfigSchema } from "./config.ts";
import { MANAGED_LABEL, buildCreateOptions, checkSpec } from "./container-spec.ts";

const spec: WorkloadSpec = {
  name: "calipso-abc",
  image: "desktop:1",
  env: { A: "1" },
  resources: { cpu: 1.5, memoryMiB: 512, storageGiB: 4 },
  user: { uid: 1000, gid: 100 },
  allowRoot: false,
  capabilities: ["CAP_NET_BIND_SERVICE"],
  mounts: [],
  port: { container: 5901, protocol: "vnc" },
  readiness: { tcp: true },
  timeoutSec: 60,
  labels: { "calipso.instance": "i1", [MANAGED_LABEL]: "false" },
  secret: { value: "pw", env: "VNC_PW" },
};

describe("buildCreateOptions", () => {
  it("drops every capability but the template's, no privilege, no-new-privileges, init, the spec's uid:gid", () => {
    const body = buildCreateOptions(spec, DockerConfigSchema.parse({}), [], { VNC_PW: "pw" });
    expect(body.User).toBe("1000:100");
    expect(body.HostConfig).toMatchObject({
      Privileged: false,
      CapDrop: ["ALL"],
      CapAdd: ["NET_BIND_SERVICE"],
      SecurityOpt: ["no-new-privileges"],
      Init: true,
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      NanoCpus: 1.5e9,
      PidsLimit: 1024,
    });
    expect(body.HostConfig?.PortBindings).toEqual({ "5901/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
    expect(body.HostConfig?.StorageOpt).toBeUndefined();
    expect(body.Env).toEqual(["A=1", "VNC_PW=pw"]);
    expect(body.Labels?.[MANAGED_LABEL], "the spec cannot override the managed label").toBe("true");
  });

  it("with a network: no published port, attached only to that network; storage size only when enabled", () => {
    const body = buildCreateOptions(spec, DockerConfigSchema.parse({ network: "calipso-desktops", storageLimit: true }), []);
    expect(body.HostConfig?.PortBindings).toBeUndefined();
    expect(body.HostConfig?.NetworkMode).toBe("calipso-desktops");
    expect(body.HostConfig?.StorageOpt).toEqual({ size: "4G" });
  });
});

describe("checkSpec", () => {
  it("refuses root without allowRoot, accepts it with allowRoot, refuses bad names and capabilities", () => {
    expect(() => checkSpec({ ...spec, user: { uid: 0, gid: 0 } })).toThrow(AppError);
    expect(() => checkSpec({ ...spec, user: { uid: 0, gid: 0 }, allowRoot: true })).not.toThrow();
    expect(() => checkSpec({ ...spec, name: "../etc" })).toThrow(/DNS-1123/);
    expect(() => checkSpec({ ...spec, capabilities: ["ALL; rm"] })).toThrow(/capability/);
  });
});
