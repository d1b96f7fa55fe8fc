import { describe, expect, it } from "vitest";
import { CallbackFacts, sameLock } from "../../src/facts/index.js";
import { factsOf } from "./helpers.js";

const src = `struct hub {
	struct mutex lock;
	const struct hub_ops *holder_ops;
	struct work_struct event_work;
	struct delayed_work poll;
};

static void hub_event(struct work_struct *work)
{
	struct hub *h = container_of(work, struct hub, event_work);

	mutex_lock(&h->lock);
	mutex_unlock(&h->lock);
}

static void hub_poll(struct work_struct *work)
{
	struct hub *h = container_of(to_delayed_work(work), struct hub, poll);

	hub_read_lock(h);
	hub_read_unlock(h);
}

static void hub_init(struct hub *h)
{
	INIT_WORK(&h->event_work, hub_event);
}

static void hub_locked_helper(struct hub *h)
{
	hub_write_lock(h);
	hub_write_unlock(h);
}

#ifdef CONFIG_HUB
void hub_set_holder(struct hub *h, const struct hub_ops *ops)
{
	mutex_lock(&h->lock);
	h->holder_ops = ops;
	mutex_unlock(&h->lock);
	hub_locked_helper(h);
}
EXPORT_SYMBOL_GPL(hub_set_holder);

static int hub_open(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations hub_fops = {
	.open = hub_open,
};
`;

describe("callback facts", () => {
  const { facts } = factsOf(src);
  const cb = new CallbackFacts(facts);

  it("knows which locks a function takes itself, by identity: a member by its type key, a wrapper by its family", () => {
    expect(cb.takes("hub_event").map((t) => t.id)).toEqual(["hub::lock"]);
    expect(cb.takes("hub_poll").map((t) => [t.id, t.lock.shared])).toEqual([["hub_lock(struct hub)", true]]);
    expect(cb.takes("hub_locked_helper").map((t) => [t.id, t.lock.shared])).toEqual([["hub_lock(struct hub)", false]]);
    expect(cb.takes("hub_init")).toEqual([]);
  });

  it("compares a wrapper held by a caller by its family", () => {
    expect(sameLock("hub_lock(?)", "hub_lock(struct hub)")).toBe(true);
    expect(sameLock("hub_lock(struct hub)", "hub_lock(struct dev)")).toBe(false);
    expect(sameLock("hub::lock", "hub_lock(?)")).toBe(false);
  });

  it("follows the patch's callees for what a function takes", () => {
    expect(cb.takesDeep("hub_set_holder").map((t) => `${t.id} via ${t.via}`)).toEqual(["hub::lock via null", "hub_lock(struct hub) via hub_locked_helper"]);
  });

  it("knows which functions other code can call, inside an #ifdef whose #endif is not shown", () => {
    expect(cb.outside("hub_set_holder")).toBe("exported");
    expect(cb.outside("hub_open")).toBe("the '.open' of an ops table");
    expect(cb.outside("hub_locked_helper")).toBe("called by hub_set_holder(), which is exported");
    expect(cb.outside("hub_event")).toBeNull();
  });

  it("binds work handlers by INIT_WORK() and by container_of() in the handler", () => {
    expect(cb.handlersOf("hub::event_work")).toEqual(["hub_event"]);
    expect(cb.handlersOf("hub::poll")).toEqual(["hub_poll"]);
  });

  it("reads the patch's ops tables, and where an ops pointer is handed in", () => {
    expect(cb.table("hub_fops")?.get("open")).toBe("hub_open");
    expect(cb.suppliedFrom("hub::holder_ops")?.fn.name).toBe("hub_set_holder");
  });
});
