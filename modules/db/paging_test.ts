import assert from "node:assert/strict";
import { clampPage } from "./paging.ts";

Deno.test("clampPage() keeps the page between 1 and the last one and the size 1–200", () => {
  assert.deepEqual(clampPage({}, 0), { page: 1, pageSize: 50 });
  assert.deepEqual(clampPage({ page: 3 }, 120), { page: 3, pageSize: 50 });
  assert.deepEqual(clampPage({ page: 1e20 }, 120), { page: 3, pageSize: 50 });
  assert.deepEqual(clampPage({ page: -5, pageSize: -1 }, 10), { page: 1, pageSize: 1 });
  assert.deepEqual(clampPage({ page: NaN, pageSize: 1e9 }, 1000), { page: 1, pageSize: 200 });
  assert.deepEqual(clampPage({ page: Infinity, pageSize: 2.7 }, 10), { page: 1, pageSize: 2 });
});
