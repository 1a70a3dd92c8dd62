import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints, after vitest's own summary, how many tests passed in each project (`claude-2.1.197`
 * is the real-Claude tests against that pinned version) and on each database target (suite
 * names carry `[pglite]` / `[postgres]`), and a plain `N passed, N failed, N skipped` closing
 * line that CI reads.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const byTarget = new Map<string, number>();
    const byProject = new Map<string, number>();
    for (const mod of testModules) {
      const project = mod.project.name || "default";
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed++;
        else if (state === "failed") counts.failed++;
        else counts.skipped++;
        const target = /\[(pglite|postgres)\]/.exec(test.fullName)?.[1];
        if (target && state === "passed") byTarget.set(target, (byTarget.get(target) ?? 0) + 1);
        if (state === "passed") byProject.set(project, (byProject.get(project) ?? 0) + 1);
      }
    }
    const targets = [...byTarget].map(([t, n]) => `${t}: ${n} passed`).join(", ");
    const projects = [...byProject].map(([p, n]) => `${p}: ${n}`).join(", ");
    process.stdout.write(`\nPassed per project — ${projects || "none"}\n`);
    process.stdout.write(`Database targets — ${targets || "none"}\n`);
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
