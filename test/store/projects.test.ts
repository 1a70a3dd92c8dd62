import { afterEach, beforeEach, expect, it } from "vitest";
import { bindChannel, channelProject, channelsByProject } from "../../src/store/channel-projects.js";
import type { Database } from "../../src/store/database.js";
import { migrate } from "../../src/store/migrate.js";
import { deleteProject, ensureProject, getProject, listProjects, updateProject } from "../../src/store/projects.js";
import { describeEachDatabase } from "../support/databases.js";

describeEachDatabase("projects and channel bindings", (target) => {
  let db: Database;
  beforeEach(async () => {
    db = await target.create();
    await migrate(db);
  });
  afterEach(async () => {
    await db.close();
  });

  const intent = {
    name: "Billing",
    template: "node",
    description: "",
    location: "forge" as const,
    owner: null,
    createdBy: "U1",
  };

  it("records a project once, whatever the case of its name, and keeps what the steps set", async () => {
    const first = await ensureProject(db, intent);
    expect(first).toMatchObject({
      name: "Billing",
      status: "provisioning",
      repoId: null,
      defaultBranch: "main",
      steps: [],
    });
    const again = await ensureProject(db, { ...intent, name: "billing", template: "go", createdBy: "U2" });
    expect(again).toMatchObject({ name: "Billing", template: "node", createdBy: "U1" });
    await updateProject(db, "BILLING", {
      owner: "acme",
      repoId: 4_000_000_042,
      ciRepoId: 7,
      firstBuild: 1,
      status: "ready",
      steps: [{ step: "repository", state: "done", text: "acme/Billing" }],
    });
    expect(await getProject(db, "billing")).toMatchObject({
      owner: "acme",
      repoId: 4_000_000_042,
      ciRepoId: 7,
      firstBuild: 1,
      status: "ready",
      steps: [{ step: "repository", state: "done", text: "acme/Billing" }],
    });
    expect((await listProjects(db)).map((p) => p.name)).toEqual(["Billing"]);
  });

  it("binds a channel to one project at a time and forgets bindings with the project", async () => {
    await ensureProject(db, intent);
    await ensureProject(db, { ...intent, name: "web" });
    const channel = { teamId: "T1", channelId: "C1" };
    expect(await channelProject(db, channel)).toBeUndefined();
    await bindChannel(db, channel, "Billing", "U1");
    await bindChannel(db, { teamId: "T1", channelId: "C2" }, "Billing", "U1");
    await bindChannel(db, channel, "web", "U2");
    expect(await channelProject(db, channel)).toBe("web");
    expect(Object.fromEntries(await channelsByProject(db))).toEqual({
      Billing: [{ teamId: "T1", channelId: "C2" }],
      web: [channel],
    });
    await deleteProject(db, "web");
    expect(await channelProject(db, channel)).toBeUndefined();
  });
});
