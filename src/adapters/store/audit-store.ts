import { and, desc, eq, getTableColumns, gte, inArray, type SQL } from "drizzle-orm";
import type { AuditStore } from "../../ports/audit-store.ts";
import type { Db } from "./db.ts";
import { auditLog } from "./schema.ts";

const { id: _id, ...columns } = getTableColumns(auditLog);

export function createAuditStore(db: Db): AuditStore {
  return {
    append: (entry) => void db.insert(auditLog).values(entry).run(),
    query: ({ since, projects, project, limit }) => {
      const where: SQL[] = [];
      if (since) where.push(gte(auditLog.at, since));
      if (project) where.push(eq(auditLog.project, project));
      if (projects) where.push(inArray(auditLog.project, projects));
      return db.select(columns).from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(limit).all();
    },
  };
}
