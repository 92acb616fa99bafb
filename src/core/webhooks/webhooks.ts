import { randomBytes } from "node:crypto";
import type { ProjectStore } from "../../ports/project-store.ts";
import type { SecretBox } from "../../ports/secret-box.ts";
import type { WebhookStore } from "../../ports/webhook-store.ts";
import { BerthError, invalid, notFound, unauthorized } from "../errors.ts";
import type { AutoDeploy, Triggered } from "./auto-deploy.ts";
import { identify, type Headers, type RefUpdate } from "./providers.ts";

/** A redelivery is refused for this long after the first delivery, and for this many deliveries back. */
const DELIVERY_MEMORY_MS = 7 * 24 * 3600_000;
const DELIVERIES_KEPT = 1000;
/** Hosts send UUIDs; a longer id is not one of theirs. */
const MAX_DELIVERY_ID = 200;

export interface HookOutcome {
  provider: string;
  delivery: string | null;
  /** Per environment: the release started, or a follow-up deploy queued behind a running one. */
  deploys: Triggered[];
  /** Why nothing was started, when nothing was. */
  ignored?: string;
}

const GENERIC_REFUSAL = "webhook signature missing or wrong";

export function createWebhooks(deps: {
  projects: Pick<ProjectStore, "loadProject">;
  store: WebhookStore;
  box: SecretBox;
  autoDeploy: Pick<AutoDeploy, "trigger">;
  /** The URL git hosts reach the API at, when it differs from the one a request came in on. */
  publicUrl?: string;
  /** Where what a push started is told (serve's output). */
  log?: (line: string) => void;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const newSecret = () => randomBytes(32).toString("hex");

  function ensureProject(project: string) {
    if (!deps.projects.loadProject(project)) throw notFound(`project "${project}"`);
  }

  const describe = (project: string, secret: string, requestOrigin: string) => ({
    project,
    url: `${(deps.publicUrl ?? requestOrigin).replace(/\/+$/, "")}/hooks/git/${project}`,
    secret,
  });

  function setSecret(project: string): string {
    const secret = newSecret();
    if (!deps.store.setSecret(project, deps.box.seal(secret))) throw notFound(`project "${project}"`);
    return secret;
  }

  /** The environments a push to `update` deploys: `ref` is that branch (or unset and it is the default branch) and `autoDeploy: true`. */
  function targets(project: string, update: RefUpdate, defaultBranch: string | undefined): string[] {
    const file = deps.projects.loadProject(project);
    return Object.entries(file?.environments ?? {})
      .filter(([, env]) => env.autoDeploy === true)
      .filter(([, env]) => (env.ref === undefined ? update.name === defaultBranch : env.ref.replace(/^refs\/heads\//, "") === update.name))
      .map(([name]) => name);
  }

  return {
    /** The webhook URL and secret; a read never makes one (like deploy keys): not_found until `create`. */
    show(project: string, requestOrigin: string) {
      ensureProject(project);
      const sealed = deps.store.getSecret(project);
      if (!sealed) throw new BerthError("not_found", `project "${project}" has no webhook secret yet: \`berth webhook show ${project}\` makes one`);
      return describe(project, deps.box.open(sealed), requestOrigin);
    },

    /** The secret, made now unless the project has one. */
    create(project: string, requestOrigin: string) {
      ensureProject(project);
      const sealed = deps.store.getSecret(project);
      return describe(project, sealed ? deps.box.open(sealed) : setSecret(project), requestOrigin);
    },

    /** A new secret; the old one stops working at once. */
    rotate(project: string, requestOrigin: string) {
      ensureProject(project);
      return describe(project, setSecret(project), requestOrigin);
    },

    /**
     * One webhook request: the signature is checked over the raw body before anything is read
     * from it; a push to a branch deploys the environments following it.
     */
    receive(project: string, headers: Headers, body: Uint8Array): HookOutcome {
      const provider = identify(headers);
      if (!provider) throw unauthorized(`${GENERIC_REFUSAL}: expected X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea, Forgejo), X-Gitlab-Token (GitLab) or X-Hub-Signature (Bitbucket)`);
      // An unknown project and a wrong signature answer alike, so the endpoint does not tell which projects exist.
      const sealed = deps.store.getSecret(project);
      if (!sealed || !provider.verify(headers, body, deps.box.open(sealed))) throw unauthorized(`${GENERIC_REFUSAL} (${provider.proofHeader})`);
      const delivery = provider.delivery(headers) ?? null;
      if (delivery !== null && delivery.length > MAX_DELIVERY_ID) throw invalid(`the delivery id is longer than ${MAX_DELIVERY_ID} characters`);
      const outcome = (ignored: string, deploys: Triggered[] = []): HookOutcome => ({ provider: provider.name, delivery, deploys, ...(ignored && { ignored }) });
      const event = provider.event(headers);
      if (!provider.isPush(event)) return outcome(`ignored: ${event ? `${JSON.stringify(event)} is not a push event` : "the request names no event"}`);
      let push;
      try {
        push = provider.push(JSON.parse(new TextDecoder().decode(body)));
      } catch (error) {
        throw invalid(`not a ${provider.name} push payload: ${error instanceof SyntaxError ? "the body is not JSON" : (error as Error).message}`);
      }
      if (delivery !== null) {
        const keepSince = new Date(now() - DELIVERY_MEMORY_MS).toISOString();
        if (!deps.store.rememberDelivery(project, delivery, { keepSince, keepCount: DELIVERIES_KEPT })) return outcome(`ignored: delivery ${delivery} was already handled`);
      }
      const deploys: Triggered[] = [];
      const skipped: string[] = [];
      for (const update of push.updates) {
        if (update.kind === "tag") skipped.push(`tag ${update.name}`);
        else if (update.after === null) skipped.push(`branch ${update.name} was deleted`);
        else {
          const environments = targets(project, update, push.defaultBranch);
          if (environments.length === 0) skipped.push(`branch ${update.name} is the ref of no environment with autoDeploy: true`);
          for (const environment of environments) {
            const triggered = deps.autoDeploy.trigger(project, environment, { source: `push ${update.after.slice(0, 7)}`, actor: "webhook" });
            deploys.push(triggered);
            const what = triggered.queued ? "deploy queued behind the running one" : `release ${triggered.release} started`;
            deps.log?.(`webhook: ${project}/${environment}: ${provider.name} push ${update.after.slice(0, 7)} to ${update.name}: ${what}`);
          }
        }
      }
      return outcome(deploys.length === 0 ? `ignored: ${skipped.join("; ") || "the push changed no ref"}` : "", deploys);
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
