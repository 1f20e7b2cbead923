/** @module Images: a local image is used as it is; a missing one is pulled (with progress) unless pulling is off. */
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { AppError } from "@calipso/core";
import type { ComputeProgress } from "@calipso/core";
import { PROVIDER, engineError, engineMessage, isUnreachable, statusOf } from "./engine-errors.ts";

/** One line of the engine's pull progress stream. */
interface PullEvent {
  readonly id?: string;
  readonly status?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string };
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
}

/** Reads a pull stream to its end, reporting byte progress over all layers; throws the first error event. */
async function followPull(stream: Readable, image: string, onProgress: (event: ComputeProgress) => void): Promise<void> {
  const layers = new Map<string, { current: number; total: number }>();
  let buffered = "";
  let lastPercent = -1;
  for await (const chunk of stream) {
    buffered += (chunk as Buffer).toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line.trim() === "") continue;
      let event: PullEvent;
      try {
        event = JSON.parse(line) as PullEvent;
      } catch {
        continue;
      }
      if (event.error !== undefined || event.errorDetail?.message !== undefined) {
        throw new Error(event.errorDetail?.message ?? event.error);
      }
      const d = event.progressDetail;
      if (event.id && d?.total) layers.set(event.id, { current: d.current ?? 0, total: d.total });
      let current = 0;
      let total = 0;
      for (const l of layers.values()) (current += l.current), (total += l.total);
      const percent = total > 0 ? Math.min(100, Math.floor((current / total) * 100)) : undefined;
      if (percent !== undefined && percent === lastPercent) continue;
      lastPercent = percent ?? lastPercent;
      onProgress({ step: "pull", message: `Pulling ${image}: ${event.status ?? "working"}`, ...(percent !== undefined ? { percent } : {}) });
    }
  }
}

/**
 * Makes sure `image` is on the engine. Missing and `pull: "never"` → NOT_FOUND naming the image;
 * missing and the pull fails → NOT_FOUND with the engine's reason.
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  pull: "missing" | "never",
  signal: AbortSignal,
  onProgress: (event: ComputeProgress) => void,
): Promise<void> {
  try {
    await docker.getImage(image).inspect({ abortSignal: signal } as object);
    return;
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (statusOf(error) !== 404) throw engineError(error, `Checking image ${image}`, "the engine");
  }
  if (pull === "never") {
    throw new AppError("NOT_FOUND", { detail: `Image ${image} is not on the engine, and pulling is disabled (pull: never)`, provider: PROVIDER });
  }
  onProgress({ step: "pull", message: `Pulling ${image}`, percent: 0 });
  try {
    const stream = (await docker.pull(image, { abortSignal: signal })) as Readable;
    await followPull(stream, image, onProgress);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isUnreachable(error)) throw engineError(error, `Pulling image ${image}`, "the engine");
    throw new AppError("NOT_FOUND", {
      detail: `Image ${image} is not on the engine and could not be pulled: ${engineMessage(error)}`,
      provider: PROVIDER,
      cause: error,
    });
  }
  onProgress({ step: "pull", message: `Pulled ${image}`, percent: 100 });
}
