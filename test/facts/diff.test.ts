import { describe, expect, it } from "vitest";
import { buildCFiles } from "../../src/c/view.js";
import { ChangeFacts, PatchFacts } from "../../src/facts/index.js";
import { isWaitCall } from "../../src/c/kernel/waits.js";
import { patchesOf } from "../helpers/pipeline.js";

/** The change facts of a one-file diff, and the post-image function named `name`. */
async function changesOf(body: string, name: string) {
  const text = `From: A <a@example.org>\nSubject: [PATCH] t\n\n---\ndiff --git a/drivers/t.c b/drivers/t.c\n--- a/drivers/t.c\n+++ b/drivers/t.c\n${body}`;
  const [p] = await patchesOf("t.patch", Buffer.from(text));
  const cfiles = buildCFiles(p);
  const post = new PatchFacts(cfiles, "post");
  let preParsed = 0;
  const changes = new ChangeFacts(post, () => (preParsed++, new PatchFacts(cfiles, "pre")));
  const view = cfiles[0].post;
  const node = view.root.descendantsOfType("function_definition").find((f) => view.describeFunction(f).name === name)!;
  return { changes, view, fn: view.describeFunction(node), post, cfiles, preParsed: () => preParsed };
}

describe("what the pre-image mentions, read without parsing it", () => {
  const body = `@@ -1,6 +1,11 @@
 static int helper(struct dev *d)
 {
-	return old_call(d);
+	return new_call(d);
 }
+
+static int added_fn(struct dev *d)
+{
+	return helper(d);
+}
 
 static int tail(void)
`;

  it("knows the words of context and removed lines, not those of added lines", async () => {
    const { changes, cfiles, preParsed } = await changesOf(body, "added_fn");
    expect(["helper", "old_call", "tail"].map((w) => cfiles[0]!.mentionedBefore(w))).toEqual([true, true, true]);
    expect(["new_call", "added_fn"].map((w) => changes.mentionedBefore(w))).toEqual([false, false]);
    expect(preParsed()).toBe(0);
  });

  it("a function no pre-image row names has no pre-image, and nothing is parsed to say so", async () => {
    const { changes, fn, preParsed } = await changesOf(body, "added_fn");
    expect(changes.preFunction(fn)).toBeNull();
    expect(changes.definedBefore("added_fn")).toBe(false);
    expect(preParsed()).toBe(0);
  });

  it("a name the pre-image holds is asked of the pre-image's functions", async () => {
    const { changes, view, preParsed } = await changesOf(body, "helper");
    const helper = view.describeFunction(view.root.descendantsOfType("function_definition")[0]!);
    expect(changes.preFunction(helper)?.fn.name).toBe("helper");
    expect(changes.definedBefore("helper")).toBe(true);
    // Called in the pre-image's rows, defined by none of its functions.
    expect(changes.definedBefore("old_call")).toBe(false);
    expect(preParsed()).toBe(1);
  });

  it("a new file has no pre-image to mention anything", async () => {
    const text = `From: A <a@example.org>\nSubject: [PATCH] t\n\n---\ndiff --git a/drivers/n.c b/drivers/n.c\nnew file mode 100644\n--- /dev/null\n+++ b/drivers/n.c\n@@ -0,0 +1,3 @@\n+int f(void)\n+{\n+}\n`;
    const [p] = await patchesOf("n.patch", Buffer.from(text));
    const [cf] = buildCFiles(p);
    expect([cf!.pre, cf!.mentionedBefore("f")]).toEqual([null, false]);
  });
});

describe("what the patch changed", () => {
  it("a NULL test the pre-image made and the post-image does not", async () => {
    const { changes, view, fn } = await changesOf(
      `@@ -1,7 +1,5 @@
 void f(struct dev *d)
 {
-	if (!d->ops)
-		return;
 	d->ops->start(d);
 	d->count++;
 }
`,
      "f",
    );
    expect([...changes.removedTests(fn, view).keys()]).toEqual(["d->ops"]);
  });

  it("a call moved out of its lock, and one still under it", async () => {
    const { changes, view, fn } = await changesOf(
      `@@ -1,8 +1,8 @@
 void f(struct dev *d, struct item *it)
 {
 	spin_lock(&d->lock);
-	list_add(&it->node, &d->items);
 	d->count++;
 	spin_unlock(&d->lock);
+	list_add(&it->node, &d->items);
 	wake_up(&d->wq);
 }
`,
      "f",
    );
    const calls = view.root.descendantsOfType("call_expression");
    const add = calls.find((c) => c.text.startsWith("list_add"))!;
    const wake = calls.find((c) => c.text.startsWith("wake_up"))!;
    expect(changes.lockedBefore(add, fn).map((l) => l.key)).toEqual(["d->lock"]);
    expect(changes.lostLocks(add, fn, view).map((l) => l.key)).toEqual(["d->lock"]);
    expect(changes.lostLocks(wake, fn, view)).toEqual([]);
  });

  it("a lock released earlier: the unlock moved above a change", async () => {
    const { changes, view, fn } = await changesOf(
      `@@ -1,7 +1,7 @@
 void f(struct dev *d, struct item *it)
 {
 	mutex_lock(&d->mutex);
+	mutex_unlock(&d->mutex);
 	list_del(&it->node);
-	mutex_unlock(&d->mutex);
 	kfree(it);
 }
`,
      "f",
    );
    const del = view.root.descendantsOfType("call_expression").find((c) => c.text.startsWith("list_del"))!;
    expect(changes.lostLocks(del, fn, view).map((l) => `${l.key}:${l.kind}`)).toEqual(["d->mutex:mutex"]);
  });

  it("a wait the pre-image made and the post-image does not", async () => {
    const { changes, view, fn } = await changesOf(
      `@@ -1,6 +1,5 @@
 void foo_remove(struct foo *f)
 {
 	list_del(&f->node);
-	synchronize_rcu();
 	kfree(f);
 }
`,
      "foo_remove",
    );
    expect(changes.removedCalls(fn, view, isWaitCall).map((c) => c.text)).toEqual(["synchronize_rcu()"]);
  });
});

describe("lines the patch does not show", () => {
  it("a lock taken before them is only 'may be held' after them: they may release it", async () => {
    const { post, view, fn } = await changesOf(
      `@@ -10,6 +10,6 @@ int f(struct dev *d)
 {
 	spin_lock(&d->lock);
-	d->a = 1;
+	d->a = 2;
 	marker();
 	d->b = 0;
@@ -40,5 +40,5 @@ int f(struct dev *d)
 	d->c = 0;
-	marker();
+	marker();
 	return 0;
 }
`,
      "f",
    );
    const markers = view.root.descendantsOfType("call_expression").filter((c) => c.text === "marker()");
    const f = post.function(fn, view);
    expect(markers.map((m) => [...f.locks.heldAt(m)!.values()].map((l) => `${l.key}:${l.must ? "must" : "may"}`))).toEqual([["d->lock:must"], ["d->lock:may"]]);
  });
});
