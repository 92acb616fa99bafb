/** @jsxImportSource preact */
import { may, type Me } from "../session.ts";

export function Header({ me, signOut }: { me: Me; signOut: () => void }) {
  return (
    <header>
      <a class="brand" href="/">Berth</a>
      <nav aria-label="Main">
        <a href="/">Projects</a>
        {/* Install-wide lists need a role on the install, not only project grants. */}
        {may(me, "viewer") && <a href="/certs">Certificates</a>}
        {may(me, "viewer") && <a href="/admin/users">Users</a>}
        <a href="/admin/tokens">Tokens</a>
        <a href="/admin/audit">Audit</a>
        <a href="/api-docs">API</a>
      </nav>
      <span class="who">
        {me.name} ({me.role === "none" ? "project grants" : me.role})
      </span>
      <button type="button" onClick={signOut}>Sign out</button>
    </header>
  );
}
