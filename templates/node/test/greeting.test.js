import assert from "node:assert/strict";
import { test } from "node:test";
import { greeting } from "../src/greeting.js";

test("greets by name", () => {
  assert.equal(greeting("Ada"), "Hello, Ada!");
});

test("greets the world when there is no name", () => {
  assert.equal(greeting("  "), "Hello, world!");
});
