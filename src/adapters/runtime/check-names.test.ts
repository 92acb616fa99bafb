import { expect, test } from "bun:test";
import { checkNames } from "./check-names.ts";

test("project and environment names must be DNS labels, each named when it is not", () => {
  expect(() => checkNames("shop", "prod")).not.toThrow();
  expect(() => checkNames("Shop", "prod")).toThrow('project name "Shop" is not a DNS label');
  expect(() => checkNames("shop", "prod_eu")).toThrow('environment name "prod_eu" is not a DNS label');
});
