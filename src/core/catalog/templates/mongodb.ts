import type { Template } from "../template-schema.ts";

export const mongodb: Template = {
  name: "mongodb",
  title: "MongoDB",
  image: "mongo:{version}",
  versions: { default: "7.0", supported: ["6.0", "7.0", "8.0"] },
  port: 27017,
  dataPath: "/data/db",
  env: { MONGO_INITDB_ROOT_USERNAME: "app", MONGO_INITDB_DATABASE: "app" },
  credentials: ["MONGO_INITDB_ROOT_PASSWORD"],
  password: "MONGO_INITDB_ROOT_PASSWORD",
  rotate: ["sh", "-c", 'read -r p && exec mongosh --quiet admin -u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --eval "db.changeUserPassword(\'$MONGO_INITDB_ROOT_USERNAME\', \'$p\')"'],
  exports: {
    host: "{host}",
    port: "{port}",
    user: "{MONGO_INITDB_ROOT_USERNAME}",
    password: "{MONGO_INITDB_ROOT_PASSWORD}",
    database: "{MONGO_INITDB_DATABASE}",
    url: "mongodb://{MONGO_INITDB_ROOT_USERNAME|uri}:{MONGO_INITDB_ROOT_PASSWORD|uri}@{host}:{port}/{MONGO_INITDB_DATABASE|uri}?authSource=admin",
  },
  dump: ["sh", "-c", 'exec mongodump --quiet --archive --username "$MONGO_INITDB_ROOT_USERNAME" --password "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin'],
  restore: ["sh", "-c", 'exec mongorestore --quiet --archive --drop --username "$MONGO_INITDB_ROOT_USERNAME" --password "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin'],
  dumpFormat: "archive",
  notes: "A dump is a mongodump archive of every database; a restore drops each collection it brings back.",
};
