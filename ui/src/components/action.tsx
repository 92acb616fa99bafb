/** @jsxImportSource preact */
// Every action goes confirm → busy → result or error, like the terminal UI's keys.
// The confirmation names what the action changes; dangerous ones say what they destroy.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export interface ActionProps {
  label: string;
  /** The question in the confirmation, naming what changes. */
  confirm: ComponentChildren;
  /** Words on the confirming button (default: the label). */
  confirmLabel?: string;
  danger?: boolean;
  run: () => Promise<unknown>;
  /** Called with what `run` answered, once it succeeded. */
  done?: (result: any) => void;
  /** More to show in the confirmation before the user agrees (a diff, a choice). */
  children?: ComponentChildren;
  disabled?: boolean;
}

export function Action({ label, confirm, confirmLabel, danger, run, done, children, disabled }: ActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);

  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await run();
      setOpen(false);
      done?.(result);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class={danger ? "danger" : ""} disabled={disabled} onClick={() => { setError(null); setOpen(true); }}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={label} onClose={() => setOpen(false)}>
        {open && (
          <>
            <h3>{label}</h3>
            <p>{confirm}</p>
            {children}
            {error && <p class="error" role="alert">{error}</p>}
            <div class="buttons">
              <button type="button" onClick={() => setOpen(false)} disabled={busy}>Cancel</button>
              <button type="button" class={danger ? "danger primary" : "primary"} onClick={go} disabled={busy} aria-busy={busy}>
                {busy ? "Working…" : confirmLabel ?? label}
              </button>
            </div>
          </>
        )}
      </dialog>
    </>
  );
}
