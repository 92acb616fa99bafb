import type { Template } from "../template-schema.ts";

export const rabbitmq: Template = {
  name: "rabbitmq",
  title: "RabbitMQ",
  image: "rabbitmq:{version}",
  versions: { default: "3.13", supported: ["3.12", "3.13", "4.0"] },
  port: 5672,
  dataPath: "/var/lib/rabbitmq",
  env: { RABBITMQ_DEFAULT_USER: "app", RABBITMQ_DEFAULT_VHOST: "/" },
  credentials: ["RABBITMQ_DEFAULT_PASS"],
  password: "RABBITMQ_DEFAULT_PASS",
  rotate: ["sh", "-c", 'read -r p && exec rabbitmqctl change_password "$RABBITMQ_DEFAULT_USER" "$p"'],
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{RABBITMQ_DEFAULT_USER}",
    password: "{RABBITMQ_DEFAULT_PASS}",
    url: "amqp://{RABBITMQ_DEFAULT_USER|uri}:{RABBITMQ_DEFAULT_PASS|uri}@{host}:{port}/",
  },
  dump: ["rabbitmqctl", "export_definitions", "-"],
  restore: ["sh", "-c", "cat >/tmp/berth-definitions.json && rabbitmqctl import_definitions /tmp/berth-definitions.json; status=$?; rm -f /tmp/berth-definitions.json; exit $status"],
  dumpFormat: "json",
  notes: "A dump holds the definitions (users, vhosts, queues, exchanges, bindings, policies), not the messages.",
};
