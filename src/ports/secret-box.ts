/** Encrypts secret values at rest. `seal` output is printable; `open` fails on tampering. */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}
