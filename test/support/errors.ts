import { expect } from "bun:test";
import { BerthError, type ErrorCode } from "../../src/core/errors.ts";

const check = (caught: unknown, code?: ErrorCode): BerthError => {
  if (caught === NOT_THROWN) throw new Error(`expected a BerthError${code ? ` (${code})` : ""}, but nothing was thrown`);
  if (!(caught instanceof BerthError)) throw caught;
  // Errors reach users as one line (CLI, problem+json title): never a stack or a multi-line dump.
  expect(caught.message).not.toContain("\n");
  if (code) expect(caught.code).toBe(code);
  return caught;
};

const NOT_THROWN = Symbol("not thrown");

/**
 * The BerthError that `action` throws (a function) or rejects with (a promise), checked to be
 * one line and, when given, of `code`. Anything else thrown fails the test as it is.
 */
export function expectBerthError(action: () => unknown, code?: ErrorCode): BerthError;
export function expectBerthError(action: Promise<unknown>, code?: ErrorCode): Promise<BerthError>;
export function expectBerthError(action: (() => unknown) | Promise<unknown>, code?: ErrorCode): BerthError | Promise<BerthError> {
  if (typeof action !== "function") {
    return action.then(
      () => check(NOT_THROWN, code),
      (caught: unknown) => check(caught, code),
    );
  }
  let caught: unknown = NOT_THROWN;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  return check(caught, code);
}
