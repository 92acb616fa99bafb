import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { backupNow, readPassphrase } from "../../backup/run.ts";
import { knownMigrations, readBackup, writeBackup } from "../../backup/restore.ts";
import { serveInUse } from "../../backup/serve-check.ts";
import { dataFiles, loadConfig, localUrl } from "../../config.ts";
import { COMMIT, VERSION } from "../../version.ts";
import { json } from "../output.ts";
import type { Verb } from "../verb.ts";

const passphraseOption = { "passphrase-file": { type: "string" } } as const;

/** Local verbs: they read and write the data dir itself (root on an install), like `token reset-owner`. */
export const backupVerbs: Verb[] = [
  {
    name: "backup create",
    summary: "Write a backup of the state: database snapshot, secret key, certificates, host keys (works while serve runs)",
    options: { to: { type: "string" }, ...passphraseOption, json: { type: "boolean" } },
    optionHelp: [
      "--to FILE              where to write it (default: <backupDir>/berth-<time>.tar.gz)",
      "--passphrase-file F    encrypt with the first line of F (scrypt + AES-256-GCM); the file gets .enc",
      "--json                 print JSON",
    ],
    async run({ configFile, values, out }) {
      const config = loadConfig({ file: configFile });
      const passphraseFile = values["passphrase-file"] as string | undefined;
      const passphrase = passphraseFile ? readPassphrase(passphraseFile) : undefined;
      const written = await backupNow(
        { dataDir: config.dataDir, dir: dataFiles(config).backups, version: VERSION, commit: COMMIT },
        { to: values.to as string | undefined, passphrase },
      );
      if (values.json) return out(json({ path: written.path, bytes: written.bytes, encrypted: written.encrypted, manifest: written.manifest }));
      out(`backup written to ${written.path} (${written.manifest.files.length} files, ${written.bytes} bytes${written.encrypted ? ", encrypted" : ""})`);
    },
  },
  {
    name: "backup restore",
    summary: "Restore a backup into the data dir (berth serve must be stopped); the next start brings the releases back up",
    args: "FILE",
    options: { ...passphraseOption, json: { type: "boolean" } },
    optionHelp: ["--passphrase-file F    the passphrase of an encrypted backup (first line of F)", "--json                 print JSON"],
    async run({ configFile, args, values, out }) {
      const config = loadConfig({ file: configFile });
      const file = args[0]!;
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const passphraseFile = values["passphrase-file"] as string | undefined;
      const backup = await readBackup(data, { passphrase: passphraseFile ? readPassphrase(passphraseFile) : undefined, knownMigrations: knownMigrations() }, dirname(dataFiles(config).db));
      const busy = await serveInUse(config.dataDir, localUrl(config.apiListen));
      if (busy) throw new Error(`${busy}: stop it first (systemctl stop berth), then restore`);
      const { setAside } = writeBackup(backup, config.dataDir);
      const { manifest } = backup;
      if (values.json) return out(json({ restored: file, dataDir: config.dataDir, setAside, manifest }));
      out(`restored ${manifest.files.length} files from ${file} (Berth ${manifest.berthVersion}, ${manifest.createdAt}) into ${config.dataDir}`);
      if (setAside) out(`the files it replaced are in ${setAside}`);
      out("start berth serve: it applies any pending migrations and brings the restored releases back up");
    },
  },
];
