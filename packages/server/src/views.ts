/** @module Domain → API views: fields are copied one by one, so nothing unlisted (secrets, handles) can leak. */
import type { ApiTokenRecord, AuditEvent, ExperimentListItem, Instance, Quota, Template, User } from "@calipso/core";
import type { z } from "@hono/zod-openapi";
import type { ApiTokenView, AuditEventView, ExperimentView, InstanceView, QuotaView, TemplateView, UserView } from "./schemas/views.ts";

const iso = (d: Date | undefined): string | undefined => (d === undefined ? undefined : d.toISOString());

/** Types a view whose absent fields are `undefined` as one without them (exactOptionalPropertyTypes). */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  // Absent fields stay `undefined`: every view is sent as JSON, which omits them. (Deleting them
  // instead turned each object into a slow dictionary-mode object, on every response.)
  return o as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function userView(u: User): z.infer<typeof UserView> {
  return defined({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    email: u.email,
    roles: [...u.roles],
    mayUseOwnResources: u.mayUseOwnResources,
    createdAt: u.createdAt.toISOString(),
  });
}

export function experimentView(e: ExperimentListItem): z.infer<typeof ExperimentView> {
  return defined({
    id: e.id,
    source: e.source,
    proposalId: e.proposalId,
    title: e.title,
    abstract: e.abstract,
    beamline: e.beamline,
    favourite: e.favourite,
    sessions: e.sessions.map((s) =>
      defined({
        id: s.id,
        number: s.number,
        startsAt: iso(s.startsAt),
        endsAt: iso(s.endsAt),
        datasets: s.datasets.map((d) => ({ path: d.path, readOnly: true as const })),
      }),
    ),
  });
}

export function templateView(t: Template): z.infer<typeof TemplateView> {
  return defined({
    name: t.name,
    title: t.title,
    description: t.description,
    kind: t.kind,
    protocol: t.protocol,
    resources: defined({ cpu: t.resources.cpu, memoryMiB: t.resources.memoryMiB, storageGiB: t.resources.storageGiB }),
    maxLifetimeHours: t.maxLifetimeHours,
    idleMinutes: t.idleMinutes,
    url: t.url,
  });
}

export function instanceView(i: Instance): z.infer<typeof InstanceView> {
  return defined({
    id: i.id,
    owner: i.owner,
    experimentId: i.experimentId,
    sessionId: i.sessionId,
    template: i.template,
    state: i.state,
    stateReason: i.stateReason,
    resources: defined({ cpu: i.resources.cpu, memoryMiB: i.resources.memoryMiB, storageGiB: i.resources.storageGiB }),
    createdAt: i.createdAt.toISOString(),
    startedAt: iso(i.startedAt),
    endedAt: iso(i.endedAt),
    expiresAt: iso(i.expiresAt),
    lastActivityAt: iso(i.lastActivityAt),
  });
}

export function quotaView(q: Quota): z.infer<typeof QuotaView> {
  return {
    limits: { ...q.limits },
    usage: { instances: q.usage.instances, cpu: q.usage.cpu, memoryMiB: q.usage.memoryMiB, storageGiB: q.usage.storageGiB },
    overridden: q.overridden,
  };
}

export function apiTokenView(t: Omit<ApiTokenRecord, "tokenHash">): z.infer<typeof ApiTokenView> {
  return defined({
    id: t.id,
    name: t.name,
    scopes: [...t.scopes],
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
  });
}

export function auditView(a: AuditEvent): z.infer<typeof AuditEventView> {
  return defined({
    id: a.id,
    at: a.at.toISOString(),
    actor: a.actor,
    action: a.action,
    target: a.target,
    outcome: a.outcome,
    detail: a.detail,
  });
}

/** A page mapped item by item. */
export function pageView<T, V>(p: { items: readonly T[]; total: number; page: number; pageSize: number }, view: (t: T) => V) {
  return { items: p.items.map(view), total: p.total, page: p.page, pageSize: p.pageSize };
}
