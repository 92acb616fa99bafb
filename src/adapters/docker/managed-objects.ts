import type Docker from "dockerode";
import { LABEL } from "../runtime/docker/labels.ts";

/** What carries Berth's label on the engine, whichever install made it. */
export interface ManagedObjects {
  containers: number;
  volumes: number;
  /** `project/env` pairs named by their labels, sorted. */
  environments: string[];
}

const MANAGED = { label: [`${LABEL.managed}=true`] };

/** Containers (running or not) and volumes labelled `berth.managed=true`. */
export async function listManagedObjects(docker: Docker): Promise<ManagedObjects> {
  const [containers, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: MANAGED }),
    docker.listVolumes({ filters: MANAGED }),
  ]);
  const labelSets = [...containers.map((c) => c.Labels ?? {}), ...(volumes.Volumes ?? []).map((v) => v.Labels ?? {})];
  const environments = new Set<string>();
  for (const labels of labelSets) {
    const project = labels[LABEL.project];
    const env = labels[LABEL.env];
    if (project) environments.add(env ? `${project}/${env}` : project);
  }
  return { containers: containers.length, volumes: (volumes.Volumes ?? []).length, environments: [...environments].sort() };
}
