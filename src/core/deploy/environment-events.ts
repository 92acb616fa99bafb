// Who listens to an environment now (the web console's environment page), and what they hear:
// a release started or finished, or the environment stopped. Level-based readers still read
// the status themselves; an event only says when to read it again.

export interface EnvironmentEvent {
  change: "release" | "stopped";
  release: { id: number; number: number; status: string; source: string } | null;
}

export function createEnvironmentEvents() {
  const watchers = new Map<string, Set<(event: EnvironmentEvent) => void>>();
  const key = (project: string, environment: string) => `${project}/${environment}`;
  return {
    announce(project: string, environment: string, event: EnvironmentEvent) {
      for (const watcher of watchers.get(key(project, environment)) ?? []) {
        try {
          watcher(event);
        } catch {
          // One listener's fault (a closed stream) must not keep the others from hearing.
        }
      }
    },
    /** Calls `onEvent` for each event of the environment until the returned function is called. */
    watch(project: string, environment: string, onEvent: (event: EnvironmentEvent) => void): () => void {
      const k = key(project, environment);
      const set = watchers.get(k) ?? new Set();
      watchers.set(k, set.add(onEvent));
      return () => {
        set.delete(onEvent);
        if (set.size === 0) watchers.delete(k);
      };
    },
  };
}
