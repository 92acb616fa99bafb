import type { Template } from "../template-schema.ts";

export const kafka: Template = {
  name: "kafka",
  title: "Apache Kafka (KRaft, one node)",
  image: "apache/kafka:{version}",
  versions: { default: "3.8.0", supported: ["3.7.0", "3.8.0"] },
  port: 9092,
  dataPath: "/var/lib/kafka/data",
  env: {
    KAFKA_NODE_ID: "1",
    KAFKA_PROCESS_ROLES: "broker,controller",
    KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093",
    KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://{host}:9092",
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    KAFKA_CONTROLLER_QUORUM_VOTERS: "1@localhost:9093",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
    KAFKA_LOG_DIRS: "/var/lib/kafka/data",
  },
  credentials: [],
  exports: { host: "{host}", port: "{port}", url: "{host}:{port}" },
  notes: "No dump: Kafka's data is its log; keep it in the volume (backups are refused for this template). Reachable only inside the environment, without authentication.",
};
