/** A Kubernetes object as the renderer builds it: plain data, keys in the order they are written. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Where every object of one environment's release goes and how it is labelled. */
export interface RenderPlace {
  project: string;
  environment: string;
  release: number;
  namespace: string;
}
