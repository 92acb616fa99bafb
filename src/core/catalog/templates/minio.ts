import type { Template } from "../template-schema.ts";

export const minio: Template = {
  name: "minio",
  title: "MinIO (S3-compatible object storage)",
  image: "minio/minio:RELEASE.{version}",
  versions: { default: "2024-11-07T00-52-20Z", supported: ["2024-06-13T22-53-53Z", "2024-11-07T00-52-20Z"] },
  port: 9000,
  dataPath: "/data",
  health: "/minio/health/live",
  command: ["server", "/data"],
  env: { MINIO_ROOT_USER: "app" },
  credentials: ["MINIO_ROOT_PASSWORD"],
  password: "MINIO_ROOT_PASSWORD",
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{MINIO_ROOT_USER}",
    password: "{MINIO_ROOT_PASSWORD}",
    url: "http://{host}:{port}",
  },
  dump: ["tar", "-C", "/data", "-cf", "-", "."],
  restore: ["tar", "-C", "/data", "-xf", "-"],
  dumpFormat: "tar",
  notes: "A dump is a tar of the data folder taken while MinIO runs; a restore unpacks it over the data (objects written meanwhile may be torn).",
};
